/**
 * Recomputing the root a larger tree has at a smaller size — what turns a
 * failed consistency check into proof (specs/gossip-protocols.md §5: a
 * failed proof alone proves nothing; "a proof from the log's own data [that]
 * shows the n-tree has a different root at m" does, as Go's sumdb client
 * reports it, §4.5).
 *
 * Both functions only *compute*; the caller verifies the proof against the
 * signed larger root (merkle/verify.ts), which is what binds the result: a
 * proof that verifies against the signed root fixes every node it names
 * (SHA-256 collision resistance).
 *
 *   inclusion path of leaf i in a tree of size n (RFC 9162 §2.1.3.2):
 *
 *           root
 *          /    \
 *        [L2]    .          the nodes met as LEFT siblings ([L0], [L2]) are
 *        /  \    ...        exactly the compact range of [0, i): folded with
 *      ...  .               leaf i they give MTH(D[0:i+1]).
 *          / \
 *        [L0] i
 *
 * Pure.
 */
import { CompactRange, checkSize, consistencyPathRoots, isPowerOfTwo, ProofError } from '../merkle/index.ts';

const odd = (x: number) => x % 2 === 1;
const half = (x: number) => Math.floor(x / 2);

/**
 * The compact range of the leaves [0, index + 1) (largest subtree first) of
 * the tree an inclusion proof of leaf `index` in a tree of `size` was taken
 * from. Requires the proof to have verified (merkle/verify.ts
 * verifyInclusion) against the root of that tree; returns null when the path
 * is not shaped like one.
 */
export function compactRangeFromInclusion(index: number, size: number, leafHash: Uint8Array, path: readonly Uint8Array[]): Buffer[] | null {
  checkSize('index', index);
  checkSize('size', size);
  if (index >= size) return null;
  // RFC 9162 §2.1.3.2 step 5, keeping the left siblings (branch b.i) instead of hashing them in.
  let fn = index;
  let sn = size - 1;
  const left: Uint8Array[] = [];
  for (const p of path) {
    if (sn === 0) return null;
    if (odd(fn) || fn === sn) {
      left.push(p);
      while (!odd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    }
    fn = half(fn);
    sn = half(sn);
  }
  let range: CompactRange;
  try {
    range = CompactRange.fromHashes(index, left.reverse());
  } catch {
    return null;
  }
  range.append(Buffer.from(leafHash));
  return range.hashes();
}

/** MTH of the leaves [0, index + 1), from a verified inclusion proof of leaf `index` (see compactRangeFromInclusion). */
export function prefixRootFromInclusion(index: number, size: number, leafHash: Uint8Array, path: readonly Uint8Array[]): Buffer | null {
  const hashes = compactRangeFromInclusion(index, size, leafHash, path);
  return hashes === null ? null : CompactRange.fromHashes(index + 1, hashes).root();
}

/**
 * The roots at `size1` and `size2` that a consistency proof (RFC 9162
 * §2.1.4.2) computes, when `size1` is not a power of two (then the old root
 * is not itself a node of the new tree and the proof carries it implicitly).
 * Null for a power-of-two `size1` (use an inclusion proof of leaf size1 - 1
 * instead), for 0 < size1 < size2 not holding, or for a proof of the wrong
 * shape. The caller compares the new root with the signed one.
 */
export function rootsFromConsistencyProof(
  size1: number,
  size2: number,
  proof: readonly Uint8Array[],
): { readonly root1: Buffer; readonly root2: Buffer } | null {
  checkSize('size1', size1);
  checkSize('size2', size2);
  if (size1 === 0 || size1 >= size2 || isPowerOfTwo(size1) || proof.length === 0) return null;
  try {
    return consistencyPathRoots(size1, size2, proof);
  } catch (err) {
    if (err instanceof ProofError) return null; // a proof of the wrong shape
    throw err;
  }
}

/** MTH of `leafHashes` (RFC 6962 §2.1), appended after the compact range `start` (default: the empty tree). */
export function foldLeafHashes(leafHashes: readonly Uint8Array[], start: CompactRange = CompactRange.empty()): CompactRange {
  const r = start.clone();
  for (const h of leafHashes) r.append(Buffer.from(h));
  return r;
}
