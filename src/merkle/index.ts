/**
 * Merkle trees per RFC 6962 §2.1 / RFC 9162 §2.1. Pure: no I/O, no clock.
 */
export { CompactRange, type NodeVisitor } from './compact.ts';
export { ProofError, type ProofErrorCode } from './errors.ts';
export {
  checkSize,
  isPowerOfTwo,
  type LeafRange,
  largestPowerOfTwoBelow,
  type NodeId,
  popCount,
  rangeNodes,
} from './nodes.ts';
export { consistencyPlan, foldRange, inclusionPlan } from './proof.ts';
export { EMPTY_ROOT, HASH_SIZE, hashChildren, hashLeaf } from './rfc6962.ts';
export { ExpandedTile, edgeTiles, splitTile, TILE_HEIGHT, TILE_WIDTH, type TileId, type TileSlot, tileSlot, tileWidthAt } from './tiles.ts';
export { consistencyPathRoots, rootFromInclusionProof, verifyConsistency, verifyInclusion } from './verify.ts';
