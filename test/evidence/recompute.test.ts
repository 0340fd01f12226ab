import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { prefixRootFromInclusion, rootsFromConsistencyProof } from '../../src/evidence/index.ts';
import { isPowerOfTwo, verifyConsistency, verifyInclusion } from '../../src/merkle/index.ts';
import { refPath, refProof, refRoot } from '../merkle/reference.ts';
import { leaves } from './fixtures.ts';

const tree = leaves(70);

describe('prefixRootFromInclusion', () => {
  it('gives MTH of leaves [0, i+1) from any verified inclusion path of leaf i (reference oracle)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 70 }).chain((n) => fc.tuple(fc.constant(n), fc.integer({ min: 0, max: n - 1 }))),
        ([n, i]) => {
          const path = refPath(i, tree.slice(0, n));
          verifyInclusion(i, n, tree[i], path, refRoot(tree.slice(0, n)));
          assert.deepEqual(prefixRootFromInclusion(i, n, tree[i], path), refRoot(tree.slice(0, i + 1)));
        },
      ),
    );
  });

  it('returns null for a path too long for the tree, or an index outside it', () => {
    assert.equal(prefixRootFromInclusion(0, 1, tree[0], [tree[1]]), null);
    assert.equal(prefixRootFromInclusion(5, 5, tree[0], []), null);
  });
});

describe('rootsFromConsistencyProof', () => {
  it('recomputes both roots from a proof when size1 is not a power of two (reference oracle)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 3, max: 70 }).chain((n) => fc.tuple(fc.constant(n), fc.integer({ min: 1, max: n - 1 }))),
        ([n, m]) => {
          const proof = refProof(m, tree.slice(0, n));
          const r = rootsFromConsistencyProof(m, n, proof);
          if (isPowerOfTwo(m)) return assert.equal(r, null);
          assert.ok(r);
          assert.deepEqual(r.root1, refRoot(tree.slice(0, m)));
          assert.deepEqual(r.root2, refRoot(tree.slice(0, n)));
          verifyConsistency(m, n, proof, r.root1, r.root2);
        },
      ),
    );
  });

  it('returns null for sizes out of order, an empty proof or a proof of the wrong length', () => {
    assert.equal(rootsFromConsistencyProof(5, 5, [tree[0]]), null);
    assert.equal(rootsFromConsistencyProof(0, 5, [tree[0]]), null);
    assert.equal(rootsFromConsistencyProof(5, 8, []), null);
    assert.equal(rootsFromConsistencyProof(5, 8, [tree[0]]), null);
  });
});
