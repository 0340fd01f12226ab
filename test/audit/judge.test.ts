/**
 * judge(): the observer's decision, checked against the transparency-dev
 * consistency probes (testdata/merkle-consistency-probes.json), the RFC 6962
 * reference implementation on random trees (fast-check), and a table of the
 * edges the probes leave to the protocol (size 0, tlog-witness).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { AuditError, judge, logIdOfKey, logIdOfOrigin } from '../../src/audit/index.ts';
import { EMPTY_ROOT } from '../../src/merkle/index.ts';
import { refLeafHash, refProof, refRoot } from '../merkle/reference.ts';
import { loadTestdata } from '../testdata.ts';

const h = (s: string) => Buffer.from(s, 'hex');
/** Leaf hashes, as the reference implementation takes them. */
const leaves = (n: number) => Array.from({ length: n }, (_, i) => refLeafHash(Buffer.from(`leaf ${i}`)));
const head = (ls: Buffer[], n: number) => ({ size: n, rootHash: n === 0 ? EMPTY_ROOT : refRoot(ls.slice(0, n)) });

describe('judge', () => {
  describe('on the transparency-dev consistency probes', () => {
    const probes = loadTestdata('merkle-consistency-probes.json').cases as {
      desc: string;
      size1: number;
      size2: number;
      root1: string;
      root2: string;
      path: string[];
      want_error: boolean;
    }[];
    // The probes' own edge cases (size1 = 0, size1 > size2 as an error, roots of other lengths) are merkle/verify.ts
    // semantics; judge() decides size 0 by the witness rule and orders the pair itself, so only 32-byte, non-empty,
    // ordered probes carry over unchanged.
    const applicable = probes.filter((p) => p.size1 > 0 && p.size1 <= p.size2 && h(p.root1).length === 32 && h(p.root2).length === 32);
    it('covers the happy paths and the corruptions', () => {
      assert.ok(applicable.filter((p) => p.want_error).length >= 40);
      assert.ok(applicable.filter((p) => !p.want_error).length >= 3);
    });
    for (const p of applicable) {
      it(`${p.desc} (${p.size1} → ${p.size2}): ${p.want_error ? 'not consistent' : 'consistent'}`, () => {
        const j = judge({ size: p.size1, rootHash: h(p.root1) }, { size: p.size2, rootHash: h(p.root2) }, p.path.map(h));
        const ok = j.verdict === 'same' || j.verdict === 'extends';
        assert.equal(ok, !p.want_error, JSON.stringify(j));
        if (p.want_error) assert.ok(j.verdict === 'inconsistent' || j.verdict === 'fork', j.verdict);
      });
    }
  });

  describe('against the RFC 6962 reference on random trees', () => {
    it('says extends with the right proof, precedes in reverse, and inconsistent with a wrong root', () => {
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 70 }), fc.integer({ min: 1, max: 70 }), (a, b) => {
          const [m, n] = a <= b ? [a, b] : [b, a];
          const ls = leaves(n);
          const proof = refProof(m, ls);
          const old = head(ls, m);
          const now = head(ls, n);
          assert.equal(judge(old, now, proof).verdict, m === n ? 'same' : 'extends');
          assert.equal(judge(now, old, proof).verdict, m === n ? 'same' : 'precedes');
          if (m < n) {
            const other = head(leaves(n + 1).reverse(), n);
            assert.equal(judge(old, other, proof).verdict, 'inconsistent');
          }
        }),
        { numRuns: 200 },
      );
    });
  });

  describe('edges', () => {
    const ls = leaves(8);
    const cases: {
      desc: string;
      a: { size: number; rootHash: Buffer };
      b: { size: number; rootHash: Buffer };
      proof?: Buffer[];
      want: string;
    }[] = [
      { desc: 'equal heads', a: head(ls, 5), b: head(ls, 5), want: 'same' },
      { desc: 'equal sizes, different roots', a: head(ls, 5), b: head(leaves(9).slice(1), 5), want: 'fork' },
      { desc: 'equal sizes, different roots, even with a proof', a: head(ls, 5), b: head(leaves(9).slice(1), 5), proof: [], want: 'fork' },
      { desc: 'sizes differ and no proof', a: head(ls, 3), b: head(ls, 8), want: 'needs-proof' },
      { desc: 'from the empty tree with an empty proof', a: head(ls, 0), b: head(ls, 8), proof: [], want: 'extends' },
      { desc: 'from the empty tree with no proof at all', a: head(ls, 0), b: head(ls, 8), want: 'extends' },
      { desc: 'from the empty tree with a non-empty proof', a: head(ls, 0), b: head(ls, 8), proof: [EMPTY_ROOT], want: 'inconsistent' },
      {
        desc: 'a size-0 head whose root is not the empty hash',
        a: { size: 0, rootHash: refRoot(ls) },
        b: head(ls, 8),
        want: 'inconsistent',
      },
      { desc: 'empty to empty', a: head(ls, 0), b: head(ls, 0), want: 'same' },
      {
        desc: 'a wrong proof of the right length',
        a: head(ls, 3),
        b: head(ls, 8),
        proof: refProof(3, ls).map(() => EMPTY_ROOT),
        want: 'inconsistent',
      },
    ];
    for (const c of cases) {
      it(`${c.desc}: ${c.want}`, () => assert.equal(judge(c.a, c.b, c.proof).verdict, c.want));
    }

    it('needs-proof names the proof to fetch, smaller size first', () => {
      assert.deepEqual(judge(head(ls, 8), head(ls, 3)), { verdict: 'needs-proof', from: 3, to: 8 });
    });

    it('throws AuditError BAD_HEAD for a malformed head', () => {
      for (const bad of [
        { size: -1, rootHash: EMPTY_ROOT },
        { size: 2 ** 53, rootHash: EMPTY_ROOT },
        { size: 1, rootHash: Buffer.alloc(31) },
      ]) {
        assert.throws(
          () => judge(head(ls, 1), bad),
          (e: unknown) => e instanceof AuditError && e.code === 'BAD_HEAD',
        );
      }
    });
  });
});

describe('log ids', () => {
  it('logIdOfOrigin matches the transparency-dev log-ID vectors', () => {
    const vectors = loadTestdata('checkpoint-parse-cases.json').log_id_vectors as { desc: string; origin: string; want_id_hex: string }[];
    assert.ok(vectors.length >= 5);
    for (const v of vectors) assert.equal(logIdOfOrigin(v.origin), v.want_id_hex, v.desc);
  });

  it('logIdOfKey is the hex SHA-256 of the SPKI (RFC 6962 §3.2 LogID) for every real log', () => {
    const real = loadTestdata('ct-sths.json').real_log_sths as { id: string; log: { key: string; log_id: string } }[];
    assert.ok(real.length >= 6);
    for (const r of real) {
      assert.equal(logIdOfKey(Buffer.from(r.log.key, 'base64')), Buffer.from(r.log.log_id, 'base64').toString('hex'), r.id);
    }
  });
});
