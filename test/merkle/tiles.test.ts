import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isError } from '../../src/errors.ts';
import { ExpandedTile, hashLeaf, ProofError, TILE_WIDTH } from '../../src/merkle/index.ts';
import { refRoot } from './reference.ts';

const LEAVES = Array.from({ length: TILE_WIDTH }, (_, i) => hashLeaf(Buffer.from(`leaf ${i}`)));

describe('ExpandedTile.node', () => {
  const tile = new ExpandedTile(Buffer.concat(LEAVES));

  it('answers every aligned node of a full tile', () => {
    assert.ok(tile.node(3, 16).equals(refRoot(LEAVES.slice(16, 24))));
    assert.ok(tile.node(7, 128).equals(refRoot(LEAVES.slice(128, 256))));
  });

  const bad = [
    { desc: 'an entry not aligned to the node height (would read half of two hashes)', height: 1, begin: 1 },
    { desc: 'an entry not aligned to a height-3 node', height: 3, begin: 4 },
    { desc: 'a negative entry', height: 0, begin: -1 },
    { desc: 'a height of 8 or more (the node lies in the next tile level)', height: 8, begin: 0 },
    { desc: 'a fractional entry', height: 0, begin: 0.5 },
  ];
  for (const c of bad) {
    it(`throws ProofError BAD_INDEX for ${c.desc}`, () => {
      assert.throws(
        () => tile.node(c.height, c.begin),
        (e) => isError(e, ProofError, 'BAD_INDEX'),
      );
    });
  }
});
