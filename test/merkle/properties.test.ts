import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  CompactRange,
  consistencyPlan,
  ExpandedTile,
  hashLeaf,
  inclusionPlan,
  ProofError,
  rangeNodes,
  TILE_WIDTH,
  tileSlot,
  tileWidthAt,
  verifyConsistency,
  verifyInclusion,
} from '../../src/merkle/index.ts';
import { materialize } from './memory-tree.ts';
import { refPath, refProof, refRoot } from './reference.ts';

const LEAVES = Array.from({ length: 300 }, (_, i) => hashLeaf(Buffer.from(`leaf ${i}`)));

describe('merkle properties against the RFC 6962 reference', () => {
  it('compact range root equals MTH for every size up to 300', () => {
    const cr = CompactRange.empty();
    for (let n = 0; n <= 300; n++) {
      assert.ok(cr.root().equals(refRoot(LEAVES.slice(0, n))), `size ${n}`);
      if (n < 300) cr.append(LEAVES[n]);
    }
  });

  it('compact range survives a round trip through its hashes', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 299 }), (n) => {
        const a = CompactRange.empty();
        for (const l of LEAVES.slice(0, n)) a.append(l);
        const b = CompactRange.fromHashes(n, a.hashes());
        b.append(LEAVES[n]);
        a.append(LEAVES[n]);
        assert.ok(a.root().equals(b.root()));
      }),
    );
  });

  it('inclusion plans equal PATH and verify; any flipped bit fails', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 300 }), fc.nat(), fc.nat(), (size, i, bit) => {
        const index = i % size;
        const leaves = LEAVES.slice(0, size);
        const proof = materialize(inclusionPlan(index, size), leaves);
        assert.deepEqual(proof, refPath(index, leaves));
        const root = refRoot(leaves);
        verifyInclusion(index, size, leaves[index], proof, root);
        if (proof.length > 0) {
          const bad = proof.map((h) => Buffer.from(h));
          const which = bit % (bad.length * 256);
          bad[Math.floor(which / 256)][Math.floor((which % 256) / 8)] ^= 1 << (which % 8);
          assert.throws(() => verifyInclusion(index, size, leaves[index], bad, root), ProofError);
        }
      }),
    );
  });

  it('consistency plans equal SUBPROOF and verify; a wrong root fails', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 300 }), fc.nat(), (size2, a) => {
        const size1 = 1 + (a % size2);
        const leaves = LEAVES.slice(0, size2);
        const proof = materialize(consistencyPlan(size1, size2), leaves);
        assert.deepEqual(proof, refProof(size1, leaves));
        const r1 = refRoot(leaves.slice(0, size1));
        const r2 = refRoot(leaves);
        verifyConsistency(size1, size2, proof, r1, r2);
        if (size1 < size2) {
          assert.throws(() => verifyConsistency(size1, size2, proof, r2, r2), ProofError);
        }
      }),
    );
  });

  it('rangeNodes covers a range exactly with aligned perfect subtrees', () => {
    fc.assert(
      fc.property(fc.nat(1000), fc.nat(1000), (x, y) => {
        const [b, e] = x <= y ? [x, y] : [y, x];
        let at = b;
        for (const n of rangeNodes(b, e)) {
          const span = 2 ** n.level;
          assert.equal(n.index * span, at);
          at += span;
        }
        assert.equal(at, e);
      }),
    );
  });
});

describe('tiles (c2sp.org/tlog-tiles layout)', () => {
  it('locates every interior node inside an expanded level-0 tile', () => {
    const tile = new ExpandedTile(Buffer.concat(LEAVES.slice(0, TILE_WIDTH)));
    for (let level = 0; level < 8; level++) {
      for (let index = 0; index < TILE_WIDTH / 2 ** level; index++) {
        const slot = tileSlot({ level, index });
        assert.deepEqual(slot.tile, { level: 0, index: 0 });
        const want = refRoot(LEAVES.slice(index * 2 ** level, (index + 1) * 2 ** level));
        assert.ok(tile.node(slot.height, slot.begin).equals(want));
      }
    }
  });

  it('maps level-8 nodes to the bottom row of level-1 tiles', () => {
    assert.deepEqual(tileSlot({ level: 8, index: 300 }), { tile: { level: 1, index: 1 }, begin: 44, end: 45, height: 0 });
    assert.deepEqual(tileSlot({ level: 3, index: 33 }), { tile: { level: 0, index: 1 }, begin: 8, end: 16, height: 3 });
  });

  it('computes partial tile widths', () => {
    assert.equal(tileWidthAt({ level: 0, index: 0 }, 300), 256);
    assert.equal(tileWidthAt({ level: 0, index: 1 }, 300), 44);
    assert.equal(tileWidthAt({ level: 0, index: 2 }, 300), 0);
    assert.equal(tileWidthAt({ level: 1, index: 0 }, 300), 1);
    assert.equal(tileWidthAt({ level: 1, index: 0 }, 255), 0);
  });

  it('refuses to answer for a node a partial tile does not complete', () => {
    const tile = new ExpandedTile(Buffer.concat(LEAVES.slice(0, 5)));
    assert.throws(() => tile.node(3, 0), ProofError);
    assert.ok(tile.node(2, 0).equals(refRoot(LEAVES.slice(0, 4))));
  });
});
