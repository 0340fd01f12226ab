/**
 * Proof generation as *plans*: which leaf ranges' MTHs make up a proof. The
 * caller fetches the perfect-subtree hashes (rangeNodes) from wherever it
 * keeps them and folds each range (foldRange). Pure: no storage here.
 *
 * RFC 9162 §2.1.3.1 (PATH) and §2.1.4.1 (SUBPROOF), equal to RFC 6962 §2.1.1
 * and §2.1.2.
 */
import { ProofError } from './errors.ts';
import { checkSize, type LeafRange, largestPowerOfTwoBelow } from './nodes.ts';
import { hashChildren } from './rfc6962.ts';

/**
 * The audit path for leaf `index` in a tree of `size` leaves, bottom-up.
 * Requires 0 ≤ index < size.
 */
export function inclusionPlan(index: number, size: number): LeafRange[] {
  checkSize('size', size, 1);
  checkSize('index', index);
  if (index >= size) throw new ProofError('BAD_INDEX', `leaf index ${index} out of range for tree size ${size}`);
  const out: LeafRange[] = [];
  // PATH(m, D[lo:hi]) with the sibling appended after the sub-path.
  let lo = 0;
  let hi = size;
  while (hi - lo > 1) {
    const k = largestPowerOfTwoBelow(hi - lo);
    if (index < lo + k) {
      out.push({ begin: lo + k, end: hi });
      hi = lo + k;
    } else {
      out.push({ begin: lo, end: lo + k });
      lo += k;
    }
  }
  return out.reverse();
}

/**
 * The consistency proof from size1 to size2, in RFC order.
 * Requires 0 ≤ size1 ≤ size2; empty when size1 is 0 or equal to size2.
 */
export function consistencyPlan(size1: number, size2: number): LeafRange[] {
  checkSize('size1', size1);
  checkSize('size2', size2);
  if (size1 > size2) throw new ProofError('BAD_SIZES', `size1 ${size1} > size2 ${size2}`);
  const out: LeafRange[] = [];
  if (size1 === 0 || size1 === size2) return out;
  subproof(size1, 0, size2, true, out);
  return out;
}

// SUBPROOF(m, D[lo:hi], b), RFC 9162 §2.1.4.1. Depth ≤ 53.
function subproof(m: number, lo: number, hi: number, b: boolean, out: LeafRange[]): void {
  const n = hi - lo;
  if (m === n) {
    if (!b) out.push({ begin: lo, end: hi });
    return;
  }
  const k = largestPowerOfTwoBelow(n);
  if (m <= k) {
    subproof(m, lo, lo + k, b, out);
    out.push({ begin: lo + k, end: hi });
  } else {
    subproof(m - k, lo + k, hi, false, out);
    out.push({ begin: lo, end: lo + k });
  }
}

/** MTH of a range from its rangeNodes hashes (left to right): fold right to left. */
export function foldRange(hashes: readonly Buffer[]): Buffer {
  if (hashes.length === 0) throw new ProofError('BAD_PROOF_SIZE', 'cannot fold an empty range');
  let r = hashes[hashes.length - 1];
  for (let i = hashes.length - 2; i >= 0; i--) r = hashChildren(hashes[i], r);
  return r;
}
