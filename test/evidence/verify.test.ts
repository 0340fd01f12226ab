import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { logIdOfKey, logIdOfOrigin } from '../../src/audit/index.ts';
import { generatePrivateKey, parsePublicKey } from '../../src/crypto/index.ts';
import {
  attempt,
  brokenPromiseEvidence,
  checkpointHead,
  checkpointLog,
  derivationFromConsistencyProof,
  derivationFromInclusion,
  derivationFromLeaves,
  type EvidenceDocument,
  EvidenceError,
  emptyRootEvidence,
  forkEvidence,
  formatEvidence,
  incidentId,
  inconsistentEvidence,
  MAX_EVIDENCE_BYTES,
  proofRefusedEvidence,
  regressionEvidence,
  rfc6962Log,
  rollbackEvidence,
  unresponsiveEvidence,
  verifyEvidence,
} from '../../src/evidence/index.ts';
import { signNote } from '../../src/note/index.ts';
import { assertThrowsCode } from '../support/assert-code.ts';
import { loadTestdata } from '../testdata.ts';
import { checkpointWorld, consistencyProof, ctWorld, hubWorld, inclusionPath, leaves, root, seen, T0 } from './fixtures.ts';

const base = (log: EvidenceDocument['log']) => ({ log, by: 'test', atMs: T0 });
const ctSths = loadTestdata('ct-sths.json');
const witness = loadTestdata('witness-scenarios.json').transparency_dev_witness_update_table;

/** A copy of `doc` changed by `f` (which may break it). */
// biome-ignore lint/suspicious/noExplicitAny: mutations reach into any part of the JSON, typed or not
function mutate(doc: EvidenceDocument, f: (d: any) => void): EvidenceDocument {
  const d = JSON.parse(JSON.stringify(doc));
  f(d);
  return d;
}

describe('verifyEvidence', () => {
  const ct = ctWorld();
  const honest = leaves(20);
  const forked = [...honest.slice(0, 7), ...leaves(13, 'forked')];

  describe('fork', () => {
    it('proves two signed STHs of one size with different roots', () => {
      const doc = forkEvidence({ ...base(ct.log), heads: [ct.head(honest, 10, T0), ct.head(forked, 10, T0 + 1)] });
      const v = verifyEvidence(doc);
      assert.equal(v.proves, true);
      assert.equal(v.class, 'proof');
      assert.equal(v.keySource, 'inline');
      assert.match(v.line, /^PROOF of fork: .* size 10/);
      assert.ok(!v.line.includes('\n'));
    });

    it('proves it across encodings: a get-sth, a static-ct-api checkpoint and a hub entry of one CT log', () => {
      for (const [a, b] of [
        [ct.head(honest, 12, T0), ct.checkpoint(forked, 12, T0 + 5)],
        [ct.hubEntry(honest, 12, T0), ct.head(forked, 12, T0 + 5)],
      ] as const) {
        assert.equal(verifyEvidence(forkEvidence({ ...base(ct.log), heads: [a, b] })).proves, true);
      }
    });

    it('proves a hub that forks its own tree, and a checkpoint log that does', () => {
      const hub = hubWorld();
      assert.equal(
        verifyEvidence(forkEvidence({ ...base(hub.log), heads: [hub.head(honest, 9, T0), hub.head(forked, 9, T0)] })).proves,
        true,
      );
      const cp = checkpointWorld();
      assert.equal(verifyEvidence(forkEvidence({ ...base(cp.log), heads: [cp.head(honest, 9), cp.head(forked, 9)] })).proves, true);
    });

    it('proves the transparency-dev witness vector "resubmit known CP with changed root" (monkeys, size 5, published key)', () => {
      const c = witness.cases.find((x: { desc: string }) => x.desc === 'resubmit known CP with changed root');
      const log = checkpointLog({ origin: 'monkeys', vkey: witness.log.vkey, logId: logIdOfOrigin('monkeys') });
      const doc = forkEvidence({
        ...base(log),
        heads: [checkpointHead(c.initial_checkpoint, seen()), checkpointHead(c.new_checkpoint, seen())],
      });
      const v = verifyEvidence(doc, { keys: [{ vkey: witness.log.vkey }] });
      assert.equal(v.proves, true);
      assert.equal(v.keySource, 'supplied');
    });

    it('does not prove heads that agree, or a tampered signature', () => {
      assert.throws(() => forkEvidence({ ...base(ct.log), heads: [ct.head(honest, 10, T0), ct.head(honest, 10, T0 + 1)] }), EvidenceError);
      const doc = forkEvidence({ ...base(ct.log), heads: [ct.head(honest, 10, T0), ct.head(forked, 10, T0 + 1)] });
      const tampered = mutate(doc, (d) => {
        d.heads[1].sth.timestamp += 1;
      });
      const v = verifyEvidence(tampered);
      assert.equal(v.proves, false);
      assert.match(v.line, /^NOT PROVEN \(fork\): heads\[1\]: the STH of size 10 does not verify/);
    });

    it('does not prove real Aviator STHs of different sizes presented as a fork', () => {
      const [a1, , a3] = ctSths.real_log_sths.filter((s: { id: string }) => s.id.startsWith('ctgo-gossip-aviator'));
      const spki = Buffer.from(a1.log.key, 'base64');
      const log = rfc6962Log({ spki: parsePublicKey(spki).spki, logId: logIdOfKey(parsePublicKey(spki).spki), name: 'aviator' });
      const doc: EvidenceDocument = {
        format: 'grapevine-evidence',
        version: 1,
        kind: 'fork',
        class: 'proof',
        summary: 'claims a fork',
        createdAt: '2026-01-01T00:00:00.000Z',
        createdBy: 'test',
        log,
        heads: [
          { format: 'rfc6962-sth', sth: a1.sth, observed: { by: 'x', at: '2015-09-04T10:00:00Z' } },
          { format: 'rfc6962-sth', sth: a3.sth, observed: { by: 'x', at: '2015-09-04T10:00:00Z' } },
        ],
      };
      const v = verifyEvidence(doc);
      assert.equal(v.proves, false);
      assert.match(v.line, /sizes 8285192 and 8285124, want one size/);
      // As a rollback: the smaller one was signed earlier, so it is an older head, not a rollback.
      const rb = verifyEvidence({ ...doc, kind: 'rollback' });
      assert.equal(rb.proves, false);
      assert.match(rb.line, /not after heads\[0\]/);
      assert.equal(verifyEvidence({ ...doc, kind: 'regression', class: 'suspicion' }).line.startsWith('SUSPICION'), true);
    });
  });

  describe('keys', () => {
    const doc = forkEvidence({ ...base(ct.log), heads: [ct.head(honest, 10, T0), ct.head(forked, 10, T0 + 1)] });

    it('uses a supplied key that is the log key and says so', () => {
      const spki = Buffer.from((ct.log.key as { spki: string }).spki, 'base64');
      const v = verifyEvidence(doc, { keys: [{ spki }] });
      assert.equal(v.keySource, 'supplied');
      assert.match(v.line, /key given with --key/);
    });

    it('refuses the inline key when other keys were supplied', () => {
      const other = generatePrivateKey('ecdsa-p256').publicKey.spki;
      const v = verifyEvidence(doc, { keys: [{ spki: other }] });
      assert.equal(v.proves, false);
      assert.match(v.line, /none of the 1 key given is the key of log test-ct/);
    });

    it('needs a key when the document carries none', () => {
      const v = verifyEvidence(mutate(doc, (d) => delete d.log.key));
      assert.equal(v.proves, false);
      assert.match(v.line, /carries no key/);
    });

    it('refuses an inline key that is not the log id', () => {
      const other = generatePrivateKey('ecdsa-p256').publicKey.spki;
      const v = verifyEvidence(mutate(doc, (d) => (d.log.key.spki = other.toString('base64'))));
      assert.equal(v.proves, false);
      assert.match(v.line, /is not SHA-256 of the inline key/);
    });

    it('throws BAD_KEY for a supplied key that does not parse', () => {
      assertThrowsCode(() => verifyEvidence(doc, { keys: [{ vkey: 'not a vkey' }] }), EvidenceError, 'BAD_KEY');
    });
  });

  describe('inconsistent', () => {
    const older = ct.head(honest, 10, T0);
    const newer = ct.head(forked, 16, T0 + 1000);

    it('proves it with the consistency proof the log serves for its forked tree (size not a power of two)', () => {
      const d = derivationFromConsistencyProof(10, 16, consistencyProof(forked, 10, 16), root(forked, 16));
      assert.ok(d);
      const v = verifyEvidence(inconsistentEvidence({ ...base(ct.log), older, newer, consistency: d }));
      assert.equal(v.proves, true, v.line);
      assert.match(v.line, /size 10 .* has root .* at size 10 \(consistency-proof\)/);
    });

    it('proves it with an inclusion proof of leaf m-1 when m is a power of two', () => {
      assert.equal(derivationFromConsistencyProof(8, 16, consistencyProof(forked, 8, 16), root(forked, 16)), null);
      const d = derivationFromInclusion(8, 16, forked[7], inclusionPath(forked, 7, 16));
      assert.ok(d);
      const doc = inconsistentEvidence({ ...base(ct.log), older: ct.head(honest, 8, T0), newer, consistency: d });
      assert.equal(verifyEvidence(doc).proves, true);
    });

    it('proves it with every leaf hash', () => {
      const doc = inconsistentEvidence({ ...base(ct.log), older, newer, consistency: derivationFromLeaves(10, forked.slice(0, 16)) });
      assert.equal(verifyEvidence(doc).proves, true);
    });

    it('does not prove a consistent pair: the vector log "m" 5 → 8 with its real proof', () => {
      const m = ctSths.sth_pairs[1];
      const [s5, s8] = m.sth_ids.map((id: string) => ctSths.test_key_sths.find((s: { id: string }) => s.id === id));
      const spki = parsePublicKey(Buffer.from(s5.log.key, 'base64')).spki;
      const log = rfc6962Log({ spki, logId: logIdOfKey(spki), name: 'm' });
      const proof = m.consistency_proof_hex.map((h: string) => Buffer.from(h, 'hex'));
      const d = derivationFromConsistencyProof(5, 8, proof, Buffer.from(s8.sth.sha256_root_hash, 'base64'));
      assert.ok(d);
      assert.equal(d.recomputedRoot, s5.sth.sha256_root_hash);
      const doc = mutate(
        inconsistentEvidence({
          ...base(ct.log),
          older: ct.head(honest, 10, T0),
          newer,
          consistency: derivationFromLeaves(10, forked.slice(0, 16)),
        }),
        (x) => {
          x.log = log;
          x.heads = [
            { format: 'rfc6962-sth', sth: s5.sth, observed: { by: 't', at: '2018-01-01T00:00:00Z' } },
            { format: 'rfc6962-sth', sth: s8.sth, observed: { by: 't', at: '2018-01-01T00:00:00Z' } },
          ];
          x.consistency = d;
        },
      );
      const v = verifyEvidence(doc);
      assert.equal(v.proves, false);
      assert.match(v.line, /as heads\[0\] says: consistent/);
    });

    it('does not prove with a proof that does not reach the signed larger root', () => {
      const d = derivationFromConsistencyProof(10, 16, consistencyProof(forked, 10, 16), root(forked, 16));
      const doc = inconsistentEvidence({ ...base(ct.log), older, newer, consistency: d! });
      const bad = mutate(doc, (x) => (x.consistency.proof[0] = x.consistency.proof[1]));
      assert.equal(verifyEvidence(bad).proves, false);
      const wrongRoot = mutate(doc, (x) => (x.consistency.recomputedRoot = root(forked, 11).toString('base64')));
      assert.equal(verifyEvidence(wrongRoot).proves, false);
    });
  });

  describe('empty-root', () => {
    it('proves a signed size-0 head whose root is not SHA-256(""), and not one whose root is', () => {
      const cp = checkpointWorld();
      const v = verifyEvidence(emptyRootEvidence({ ...base(cp.log), head: badEmpty(cp) }));
      assert.equal(v.proves, true, v.line);
      assert.throws(() => emptyRootEvidence({ ...base(cp.log), head: cp.head(honest, 0) }), /empty-tree root: nothing wrong/);
    });
  });

  describe('rollback', () => {
    it('proves a smaller head signed later (get-sth and hub heads)', () => {
      const v = verifyEvidence(
        rollbackEvidence({ ...base(ct.log), earlier: ct.head(honest, 15, T0), later: ct.head(honest, 9, T0 + 60_000) }),
      );
      assert.equal(v.proves, true);
      assert.match(v.line, /signed size 15 at .*, then a smaller tree of size 9 at/);
      const hub = hubWorld();
      assert.equal(
        verifyEvidence(rollbackEvidence({ ...base(hub.log), earlier: hub.head(honest, 15, T0), later: hub.head(honest, 9, T0 + 1) }))
          .proves,
        true,
      );
    });

    it('does not prove it without signed timestamps (plain checkpoints)', () => {
      const cp = checkpointWorld();
      assert.throws(() => rollbackEvidence({ ...base(cp.log), earlier: cp.head(honest, 15), later: cp.head(honest, 9) }), EvidenceError);
      const v = verifyEvidence(regressionEvidence({ ...base(cp.log), earlier: cp.head(honest, 15), later: cp.head(honest, 9) }));
      assert.equal(v.proves, false);
      assert.match(v.line, /^SUSPICION only, not proof \(regression\)/);
    });
  });

  describe('broken-promise', () => {
    const mmd = 10_000;
    it('proves an SCT whose entry is missing from a head signed after timestamp + MMD (all leaves given)', () => {
      const { promise } = ct.sct(Buffer.from('certificate 1'), T0);
      const last = ct.head(honest, 20, T0 + mmd + 1);
      const v = verifyEvidence(brokenPromiseEvidence({ ...base(ct.log), promise, last, leafHashes: honest }));
      assert.equal(v.proves, true, v.line);
      assert.match(v.line, /\(MMD 10 s\) an entry that its tree of size 20, signed at .*, does not contain \(key/);
    });

    it('proves it with an earlier head signed before the promise and its compact range', () => {
      const { promise } = ct.sct(Buffer.from('certificate 2'), T0);
      const before = { head: ct.head(honest, 13, T0 - 1), rangeHashes: compactRange(honest, 13) };
      const doc = brokenPromiseEvidence({
        ...base(ct.log),
        promise,
        before,
        last: ct.head(honest, 20, T0 + mmd + 1),
        leafHashes: honest.slice(13),
      });
      const v = verifyEvidence(doc);
      assert.equal(v.proves, true, v.line);
      assert.match(v.line, /RFC 6962 §3\.5/);
      // An earlier head signed at the promise's time or later may hold the entry: not proof.
      const late = mutate(doc, (d) => (d.heads[0] = ct.head(honest, 13, T0)));
      assert.equal(verifyEvidence(late).proves, false);
    });

    it('proves an SGT a hub did not keep', () => {
      const hub = hubWorld(mmd);
      const { promise } = hub.sgt('blob', T0);
      const v = verifyEvidence(
        brokenPromiseEvidence({ ...base(hub.log), promise, last: hub.head(honest, 20, T0 + mmd + 1), leafHashes: honest }),
      );
      assert.equal(v.proves, true, v.line);
    });

    it('does not prove a kept promise, or a head not past the deadline', () => {
      const hub = hubWorld(mmd);
      const { promise, leafHash } = hub.sgt('kept', T0);
      const withIt = [...honest.slice(0, 5), leafHash, ...honest.slice(5)];
      assert.throws(
        () =>
          brokenPromiseEvidence({ ...base(hub.log), promise, last: hub.head(withIt, 21, T0 + mmd + 1), leafHashes: withIt.slice(0, 21) }),
        /promise was kept/,
      );
      const doc = brokenPromiseEvidence({ ...base(hub.log), promise, last: hub.head(honest, 20, T0 + mmd + 1), leafHashes: honest });
      const early = mutate(doc, (d) => (d.heads[0] = hub.head(honest, 20, T0 + mmd)));
      const v = verifyEvidence(early);
      assert.equal(v.proves, false);
      assert.match(v.line, /not after the deadline/);
    });
  });

  describe('suspicion', () => {
    it('checks the heads but never calls a refused proof, a silent log or a regression proof', () => {
      const older = ct.head(honest, 10, T0);
      const newer = ct.head(honest, 16, T0 + 1);
      const tries = [attempt('http://ct.example/ct/v1/get-sth-consistency?first=10&second=16', T0 + 2, 'HTTP 500')];
      for (const doc of [
        proofRefusedEvidence({ ...base(ct.log), older, newer, attempts: tries }),
        unresponsiveEvidence({ ...base(ct.log), last: newer, attempts: tries }),
        unresponsiveEvidence({ ...base(ct.log), attempts: tries }),
      ]) {
        const v = verifyEvidence(doc);
        assert.equal(v.proves, false);
        assert.equal(v.class, 'suspicion');
        assert.match(v.line, /^SUSPICION only, not proof/);
      }
    });
  });

  describe('malformed documents', () => {
    const doc = forkEvidence({ ...base(ct.log), heads: [ct.head(honest, 10, T0), ct.head(forked, 10, T0 + 1)] });
    const cases: [string, string | Uint8Array | unknown, string][] = [
      ['not JSON', '{"format": ', 'MALFORMED'],
      ['not UTF-8', Buffer.from([0x7b, 0xff, 0x7d]), 'MALFORMED'],
      ['an array', '[]', 'MALFORMED'],
      ['another format', JSON.stringify({ ...doc, format: 'x' }), 'MALFORMED'],
      ['a newer version', JSON.stringify({ ...doc, version: 2 }), 'UNSUPPORTED_VERSION'],
      ['a class that does not match the kind', JSON.stringify({ ...doc, class: 'suspicion' }), 'MALFORMED'],
      ['an unknown kind', JSON.stringify({ ...doc, kind: 'vibes' }), 'MALFORMED'],
      ['an unknown field', JSON.stringify({ ...doc, extra: 1 }), 'MALFORMED'],
      [
        'a non-canonical base64 root',
        JSON.stringify(mutate(doc, (d) => (d.heads[0].sth.sha256_root_hash = `${'A'.repeat(42)}B=`))),
        'MALFORMED',
      ],
      [
        'garbage proof hashes (2-byte nodes, the witness vector)',
        JSON.stringify(
          mutate(doc, (d) => {
            d.kind = 'inconsistent';
            d.consistency = { method: 'consistency-proof', recomputedRoot: d.heads[0].sth.sha256_root_hash, proof: ['qqo=', 'u7s='] };
          }),
        ),
        'MALFORMED',
      ],
      ['an undecodable DigitallySigned', JSON.stringify(mutate(doc, (d) => (d.heads[0].sth.tree_head_signature = 'AAAA'))), 'MALFORMED'],
      ['a bad time', JSON.stringify(mutate(doc, (d) => (d.createdAt = 'yesterday'))), 'MALFORMED'],
    ];
    for (const [desc, input, code] of cases) {
      it(`throws EvidenceError ${code} for ${desc}`, () => {
        assertThrowsCode(() => verifyEvidence(input as string), EvidenceError, code as 'MALFORMED');
      });
    }

    it('throws TOO_LARGE above MAX_EVIDENCE_BYTES without parsing', () => {
      assertThrowsCode(() => verifyEvidence(Buffer.alloc(MAX_EVIDENCE_BYTES + 1, 0x20)), EvidenceError, 'TOO_LARGE');
    });

    it('round-trips through formatEvidence', () => {
      assert.equal(verifyEvidence(formatEvidence(doc)).proves, true);
    });
  });
});

describe('incidentId', () => {
  const ct = ctWorld();
  const honest = leaves(12);
  const forked = leaves(12, 'forked');

  it('is the same for the same misbehaviour seen by different observers, in either order', () => {
    const a = forkEvidence({ log: ct.log, by: 'auditor-1', atMs: T0, heads: [ct.head(honest, 12, T0, 'x'), ct.head(forked, 12, T0, 'y')] });
    const b = forkEvidence({
      log: ct.log,
      by: 'gossip-2',
      atMs: T0 + 99,
      heads: [ct.head(forked, 12, T0, 'z'), ct.head(honest, 12, T0, 'w')],
    });
    assert.equal(incidentId(a), incidentId(b));
    assert.match(incidentId(a), /^fork-[0-9a-f]{16}$/);
  });

  it('differs for another fork', () => {
    const a = forkEvidence({ log: ct.log, by: 'a', atMs: T0, heads: [ct.head(honest, 12, T0), ct.head(forked, 12, T0)] });
    const b = forkEvidence({ log: ct.log, by: 'a', atMs: T0, heads: [ct.head(honest, 11, T0), ct.head(forked, 11, T0)] });
    assert.notEqual(incidentId(a), incidentId(b));
  });
});

/** A size-0 checkpoint signed over a root other than the empty-tree hash (a log that signs garbage). */
function badEmpty(cp: ReturnType<typeof checkpointWorld>) {
  const origin = cp.log.origin as string;
  return checkpointHead(signNote(`${origin}\n0\n${Buffer.alloc(32, 7).toString('base64')}\n`, cp.signer), seen());
}

/** The compact range of the first `m` leaves, largest subtree first. */
function compactRange(ls: Buffer[], m: number): Buffer[] {
  const out: Buffer[] = [];
  let start = 0;
  for (let bit = 2 ** Math.floor(Math.log2(Math.max(m, 1))); bit >= 1; bit /= 2) {
    if (m & bit) {
      out.push(root(ls.slice(start, start + bit)));
      start += bit;
    }
  }
  return out;
}
