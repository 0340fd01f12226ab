/**
 * Two logs, three witnesses, a 2-of-3 tlog-policy, over loopback HTTP with
 * durable witness state (one SQLite file each):
 *
 * - honest logs get their checkpoints cosigned by all three, and a client
 *   following the policy accepts them;
 * - a log that forks after its checkpoints were cosigned is refused by every
 *   witness (422, evidence raised), so the forked checkpoint never gathers a
 *   cosignature and no client following the policy accepts it — whatever
 *   cosignatures the log staples to it;
 * - a log that shows two views at once, each to different witnesses, can
 *   get at most one of them to the quorum (2 + 2 > 3), whichever witnesses
 *   see which view first.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { checkPolicy, parsePolicy } from '../../src/checkpoint/index.ts';
import { addSignatures, formatNote, type NoteSignature, parseNote } from '../../src/note/index.ts';
import { type ClosableHeadStore, openHeadStore } from '../../src/storage/index.ts';
import { submitCheckpoint, WitnessClient, WitnessClientError } from '../../src/witness/index.ts';
import { tempDir } from '../support/temp-dir.ts';
import { MemoryIncidents, startWitness, TestLog, testCosigner, type WitnessServer } from './fixtures.ts';

const dir = tempDir('gv-witness-net-');
const logA = new TestLog('a.example/log', 900);
const logB = new TestLog('b.example/log', 500);
const logsC = Array.from({ length: 8 }, (_, i) => new TestLog(`c${i}.example/log`, 600));
const keys = [testCosigner('w1.example/w'), testCosigner('w2.example/w'), testCosigner('w3.example/w')];
const policy = parsePolicy(
  [
    `log ${logA.vkey}`,
    `log ${logB.vkey}`,
    ...logsC.map((l) => `log ${l.vkey}`),
    ...keys.map((k, i) => `witness W${i + 1} ${k.vkey}`),
    'group TWO 2 W1 W2 W3',
    'quorum TWO',
  ].join('\n'),
);

const witnesses: WitnessServer[] = [];
const incidents = keys.map(() => new MemoryIncidents());
const stores: ClosableHeadStore[] = [];
let clients: WitnessClient[] = [];

before(async () => {
  for (const [i, k] of keys.entries()) {
    const store = await openHeadStore(`sqlite:${join(dir, `w${i + 1}.db`)}`);
    stores.push(store);
    witnesses.push(
      await startWitness({
        logs: [logA.spec(), logB.spec(), ...logsC.map((l) => l.spec())],
        cosigners: [k],
        store,
        incidents: incidents[i],
      }),
    );
  }
  clients = witnesses.map((w, i) => new WitnessClient({ url: w.url, vkeys: [keys[i].vkey] }));
});
after(async () => {
  for (const w of witnesses) await w.close();
  for (const s of stores) await s.close();
});

/** What a log does: submit its checkpoint of `size` to `which` witnesses; the cosignatures it got, and the refusals. */
async function push(log: TestLog, size: number, which: number[], known: number[]) {
  const got: NoteSignature[] = [];
  const refused: number[] = [];
  for (const i of which) {
    try {
      const r = await submitCheckpoint(clients[i], log.checkpoint(size), size, async (m, n) => log.proof(m, n), known[i]);
      if (r.kind === 'cosigned') {
        got.push(...r.cosignatures);
        known[i] = size;
      }
    } catch (err) {
      if (!(err instanceof WitnessClientError && err.status === 422)) throw err;
      refused.push(i);
    }
  }
  return { got, refused, note: formatNote(addSignatures(parseNote(log.checkpoint(size)), got)) };
}

describe('two logs, three witnesses, a 2-of-3 policy', () => {
  const knownA = [0, 0, 0];
  const knownB = [0, 0, 0];

  it('accepts honest logs once all three cosign', async () => {
    for (const [log, known, size] of [
      [logA, knownA, 300],
      [logB, knownB, 200],
      [logA, knownA, 600],
      [logB, knownB, 500],
    ] as const) {
      const r = await push(log, size, [0, 1, 2], known);
      assert.deepEqual(r.refused, []);
      const v = checkPolicy(r.note, policy);
      assert.equal(v.satisfied, true);
      assert.deepEqual(v.witnesses, ['W1', 'W2', 'W3']);
    }
  });

  it('refuses a fork at every witness, and no client following the policy accepts it', async () => {
    // Log A rewrites its history from leaf 450 on and presents size 700 as its new head.
    const fork = logA.fork(450, 250);
    const r = await push(fork, 700, [0, 1, 2], [...knownA]);
    assert.deepEqual(r.refused, [0, 1, 2]);
    assert.equal(r.got.length, 0);
    assert.equal(checkPolicy(r.note, policy).satisfied, false);
    // Same size as the cosigned head, another root: a fork proven by the two signed notes.
    const same = await push(logA.fork(450, 150), 600, [0, 1, 2], [...knownA]);
    assert.deepEqual(same.refused, [0, 1, 2]);
    // Stapling the honest cosignatures onto the forked text does not help: a listed witness's signature fails.
    const honest = parseNote((await push(logA, 600, [0, 1, 2], knownA)).note);
    const stapled = formatNote({
      text: parseNote(fork.checkpoint(700)).text,
      signatures: [...parseNote(fork.checkpoint(700)).signatures, ...honest.signatures.slice(1)],
    });
    assert.throws(() => checkPolicy(stapled, policy), { code: 'BAD_SIGNATURE' });
    // Every witness kept the evidence: an inconsistency and a same-size fork.
    for (const inc of incidents) {
      assert.deepEqual(inc.raised.map((d) => d.kind).sort(), ['fork', 'inconsistent']);
    }
    // And each still serves the honest head.
    for (const c of clients) assert.equal(parseNote((await c.latest(logA.origin)) ?? '').text, parseNote(logA.checkpoint(600)).text);
  });

  it('lets at most one of two simultaneous views reach the quorum, in every order', async () => {
    // Each of the logs C0…C7 is cosigned at 300, then grows two ways to 600 (the views share the first 300
    // leaves, so each alone extends what the witnesses hold). Witness i is shown the honest view first when
    // bit i of the log's number is set, the fork first otherwise, then the other view.
    for (const [mask, log] of logsC.entries()) {
      const known = [0, 0, 0];
      assert.deepEqual((await push(log, 300, [0, 1, 2], known)).refused, []);
      const fork = log.fork(300, 300);
      const honestFirst = [0, 1, 2].filter((i) => (mask >> i) & 1);
      const forkFirst = [0, 1, 2].filter((i) => !((mask >> i) & 1));
      const h1 = await push(log, 600, honestFirst, [...known]);
      const f1 = await push(fork, 600, forkFirst, [...known]);
      const h2 = await push(log, 600, forkFirst, [...known]);
      const f2 = await push(fork, 600, honestFirst, [...known]);
      const honest = checkPolicy(formatNote(addSignatures(parseNote(log.checkpoint(600)), [...h1.got, ...h2.got])), policy);
      const forked = checkPolicy(formatNote(addSignatures(parseNote(fork.checkpoint(600)), [...f1.got, ...f2.got])), policy);
      assert.ok(!(honest.satisfied && forked.satisfied), `C${mask}: both views reached the quorum`);
      // Each witness cosigned exactly the view it saw first, and refused the other as a fork.
      assert.deepEqual(
        honest.witnesses,
        honestFirst.map((i) => `W${i + 1}`),
      );
      assert.deepEqual(
        forked.witnesses,
        forkFirst.map((i) => `W${i + 1}`),
      );
      assert.deepEqual([...h2.refused, ...f2.refused].sort(), [0, 1, 2]);
    }
  });
});
