/**
 * Node addressing for RFC 6962 trees.
 *
 * A node (level, index) is the root of the perfect subtree over leaves
 * [index·2^level, (index+1)·2^level). Leaves are level 0.
 *
 *   level 2:              (2,0)
 *                     /          \
 *   level 1:      (1,0)          (1,1)
 *                 /   \          /   \
 *   level 0:   (0,0) (0,1)   (0,2) (0,3)   (0,4) ← right edge of a size-5 tree
 *
 * Sizes and indexes are safe integers (< 2^53); arithmetic avoids 32-bit
 * bitwise operators on purpose.
 */
import { ProofError } from './errors.ts';

export interface NodeId {
  readonly level: number;
  readonly index: number;
}

/** A half-open leaf range [begin, end) whose MTH is one element of a proof. */
export interface LeafRange {
  readonly begin: number;
  readonly end: number;
}

/** Largest power of two strictly less than n. Requires n ≥ 2. */
export function largestPowerOfTwoBelow(n: number): number {
  let p = 1;
  while (p * 2 < n) p *= 2;
  return p;
}

export function isPowerOfTwo(n: number): boolean {
  if (n < 1) return false;
  while (n % 2 === 0) n /= 2;
  return n === 1;
}

/** Number of set bits of a safe integer. */
export function popCount(n: number): number {
  let c = 0;
  while (n > 0) {
    if (n % 2 === 1) c++;
    n = Math.floor(n / 2);
  }
  return c;
}

/** Throws ProofError BAD_SIZES unless `n` is a safe integer ≥ min. */
export function checkSize(name: string, n: number, min = 0): void {
  if (!Number.isSafeInteger(n) || n < min) {
    throw new ProofError('BAD_SIZES', `${name}: got ${n}, want a safe integer ≥ ${min}`);
  }
}

/**
 * Decomposes [begin, end) into maximal perfect aligned subtrees, left to
 * right. The MTH of the range (as it appears in a tree whose split points
 * align with `begin`) is these nodes folded right to left; see foldRange.
 */
export function rangeNodes(begin: number, end: number): NodeId[] {
  const out: NodeId[] = [];
  while (begin < end) {
    let size = 1;
    let level = 0;
    while (begin % (size * 2) === 0 && begin + size * 2 <= end) {
      size *= 2;
      level++;
    }
    out.push({ level, index: begin / size });
    begin += size;
  }
  return out;
}
