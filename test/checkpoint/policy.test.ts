/**
 * c2sp.org/tlog-policy: parsing (strict) and checking cosigned checkpoints
 * against k-of-n groups, with real keys.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { CheckpointError, checkPolicy, parsePolicy } from '../../src/checkpoint/index.ts';
import { cosignatureV1Signer, ed25519NoteSigner, ed25519SignerFromSeed, formatNote, NoteError, parseNote } from '../../src/note/index.ts';
import { assertThrowsCode } from '../support/assert-code.ts';
import { loadTestdata } from '../testdata.ts';
import { TestLog, testCosigner } from '../witness/fixtures.ts';

const log = new TestLog('example.com/log', 5);
const [w1, w2, w3] = [testCosigner('w1.example/w'), testCosigner('w2.example/w'), testCosigner('w3.example/w')];
const policyText = `# two of three, as sigsum-generic-2025-1
log ${log.vkey} https://example.com/log
witness W1 ${w1.vkey}
witness W2 ${w2.vkey} https://w2.example/
witness W3 ${w3.vkey}
group G 2 W1 W2 W3
quorum G
`;

/** The log's checkpoint with cosignatures of `by` at time `t`. */
function cosigned(by: (typeof w1)[], t = 1_800_000_000): string {
  const note = parseNote(log.checkpoint());
  return formatNote({ text: note.text, signatures: [...note.signatures, ...by.map((w) => w.cosign(note.text, t))] });
}

describe('parsePolicy', () => {
  it('reads logs, witnesses with urls, groups and the quorum', () => {
    const p = parsePolicy(policyText);
    assert.equal(p.logs.length, 1);
    assert.equal(p.logs[0].url, 'https://example.com/log');
    assert.deepEqual([...p.witnesses.keys()], ['W1', 'W2', 'W3']);
    assert.equal(p.witnesses.get('W2')?.url, 'https://w2.example/');
    assert.deepEqual(p.groups.get('G'), { name: 'G', threshold: 2, members: ['W1', 'W2', 'W3'] });
    assert.equal(p.quorum, 'G');
  });

  it('reads the real log vkeys of checkpoint-logs.json as logs', () => {
    const logs: { vkey: string }[] = loadTestdata('checkpoint-logs.json').logs;
    // Rekor shards share one key: a policy lists it once.
    const unique = [...new Map(logs.map((l) => [l.vkey, l])).values()];
    const p = parsePolicy(`${unique.map((l) => `log ${l.vkey}`).join('\n')}\nquorum none\n`);
    assert.equal(p.logs.length, unique.length);
  });

  for (const [desc, text] of [
    ['no quorum', `log ${log.vkey}\n`],
    ['no log', `witness W1 ${w1.vkey}\nquorum W1\n`],
    ['two quorums', `log ${log.vkey}\nquorum none\nquorum none\n`],
    ['a group member defined later', `log ${log.vkey}\ngroup G any W1\nwitness W1 ${w1.vkey}\nquorum G\n`],
    ['a quorum defined later', `log ${log.vkey}\nquorum W1\nwitness W1 ${w1.vkey}\n`],
    ['a threshold above the members', `log ${log.vkey}\nwitness W1 ${w1.vkey}\ngroup G 2 W1\nquorum G\n`],
    ['a threshold of 0', `log ${log.vkey}\nwitness W1 ${w1.vkey}\ngroup G 0 W1\nquorum G\n`],
    ['a name used twice', `log ${log.vkey}\nwitness W1 ${w1.vkey}\nwitness W1 ${w2.vkey}\nquorum W1\n`],
    ['one key under two names', `log ${log.vkey}\nwitness W1 ${w1.vkey}\nwitness W9 ${w1.vkey}\nquorum W1\n`],
    ['a witness with a log key type', `log ${log.vkey}\nwitness W1 ${new TestLog('x.example').vkey}\nquorum W1\n`],
    ['a log with a cosignature key', `log ${w1.vkey}\nquorum none\n`],
    ['an unknown keyword', `log ${log.vkey}\nmirror M ${w1.vkey}\nquorum none\n`],
    ['a broken vkey', 'log nope+00000000+AQ==\nquorum none\n'],
  ]) {
    it(`refuses ${desc}`, () => {
      assertThrowsCode(() => parsePolicy(text), CheckpointError, 'BAD_POLICY');
    });
  }
});

describe('docs/examples/two-of-three.policy', () => {
  it('parses, and two of its witnesses meet its quorum where one does not', () => {
    const p = parsePolicy(readFileSync(new URL('../../docs/examples/two-of-three.policy', import.meta.url), 'utf8'));
    const seed = (b: number) => ed25519SignerFromSeed(Buffer.alloc(32, b));
    const docLog = new TestLog('example.com/log', 3, ed25519NoteSigner('example.com/log', seed(1)));
    const [d1, , d3] = [2, 3, 4].map((b, i) => cosignatureV1Signer(`witness.example/w${i + 1}`, seed(b)));
    const note = parseNote(docLog.checkpoint());
    const withBy = (ws: (typeof d1)[]) =>
      formatNote({ text: note.text, signatures: [...note.signatures, ...ws.map((w) => w.cosign(note.text, 1_800_000_000))] });
    assert.equal(checkPolicy(withBy([d1]), p).satisfied, false);
    assert.deepEqual(checkPolicy(withBy([d1, d3]), p).witnesses, ['W1', 'W3']);
    assert.equal(checkPolicy(withBy([d1, d3]), p).satisfied, true);
  });
});

describe('checkPolicy', () => {
  const p = parsePolicy(policyText);
  const cases: [string, (typeof w1)[], boolean][] = [
    ['no cosignature', [], false],
    ['one of three', [w2], false],
    ['two of three', [w1, w3], true],
    ['three of three', [w1, w2, w3], true],
  ];
  for (const [desc, by, want] of cases) {
    it(`${desc}: ${want ? 'satisfied' : 'not satisfied'}`, () => {
      const v = checkPolicy(cosigned(by), p);
      assert.equal(v.satisfied, want);
      assert.deepEqual(v.witnesses, by.map((w) => ({ [w1.name]: 'W1', [w2.name]: 'W2', [w3.name]: 'W3' })[w.name]).sort());
    });
  }

  it('does not count a cosignature with time 0 (a subtree signature, not a checkpoint cosignature)', () => {
    assert.equal(checkPolicy(cosigned([w1, w2], 0), p).satisfied, false);
  });

  it('ignores cosignatures of witnesses it does not list, and nests groups', () => {
    const other = testCosigner('other.example/w');
    const nested = parsePolicy(`${policyText.replace('quorum G\n', '')}group H all G W3\nquorum H\n`);
    assert.equal(checkPolicy(cosigned([w1, other, w2]), nested).satisfied, false);
    assert.equal(checkPolicy(cosigned([w1, other, w3]), nested).satisfied, true);
  });

  it('refuses a checkpoint with a bad cosignature from a listed witness, or without the log signature', () => {
    const note = parseNote(cosigned([w1, w2]));
    const bad = note.signatures.map((s, i) =>
      i === 2 ? { ...s, signature: Buffer.from(s.signature.map((b, j) => (j === 20 ? b ^ 1 : b))) } : s,
    );
    assertThrowsCode(() => checkPolicy(formatNote({ text: note.text, signatures: bad }), p), NoteError, 'BAD_SIGNATURE');
    assertThrowsCode(
      () => checkPolicy(formatNote({ text: note.text, signatures: note.signatures.slice(1) }), p),
      CheckpointError,
      'MISSING_LOG_SIGNATURE',
    );
  });

  it('is satisfied by the log signature alone under quorum none', () => {
    assert.equal(checkPolicy(log.checkpoint(), parsePolicy(`log ${log.vkey}\nquorum none\n`)).satisfied, true);
  });
});
