/**
 * A compact range [0, size): the roots of the perfect subtrees along the right
 * edge of a tree, largest first (one per set bit of size). Appending a leaf
 * costs O(log n) memory and amortised O(1) hashes; the root is the right-to-left
 * fold of the range (RFC 6962 §2.1 MTH, with k the largest power of two < n).
 *
 * Ownership: a CompactRange is mutable and single-owner (the sequencer); it
 * is not safe to share between concurrent batches.
 */
import { ProofError } from './errors.ts';
import { checkSize, popCount } from './nodes.ts';
import { EMPTY_ROOT, HASH_SIZE, hashChildren } from './rfc6962.ts';

/** Called for every node a an append completes, leaves included (level 0). */
export type NodeVisitor = (level: number, index: number, hash: Buffer) => void;

export class CompactRange {
  #size: number;
  #hashes: Buffer[];

  private constructor(size: number, hashes: Buffer[]) {
    this.#size = size;
    this.#hashes = hashes;
  }

  static empty(): CompactRange {
    return new CompactRange(0, []);
  }

  /** Restores a range from stored hashes; requires one 32-byte hash per set bit of size. */
  static fromHashes(size: number, hashes: readonly Uint8Array[]): CompactRange {
    checkSize('size', size);
    if (hashes.length !== popCount(size)) {
      throw new ProofError('BAD_PROOF_SIZE', `compact range of size ${size}: got ${hashes.length} hashes, want ${popCount(size)}`);
    }
    for (const h of hashes) {
      if (h.length !== HASH_SIZE) throw new ProofError('BAD_HASH_SIZE', `got ${h.length}-byte hash, want ${HASH_SIZE}`);
    }
    return new CompactRange(
      size,
      hashes.map((h) => Buffer.from(h)),
    );
  }

  get size(): number {
    return this.#size;
  }

  /** A copy of the subtree roots, largest (leftmost) first. */
  hashes(): Buffer[] {
    return this.#hashes.slice();
  }

  clone(): CompactRange {
    return new CompactRange(this.#size, this.#hashes.slice());
  }

  /** Appends one leaf hash, reporting every completed node to `visit`. */
  append(leafHash: Buffer, visit?: NodeVisitor): void {
    let index = this.#size;
    let level = 0;
    let hash = leafHash;
    visit?.(0, index, hash);
    // Each trailing 1-bit of the old size is a left sibling waiting for this node.
    while (index % 2 === 1) {
      const left = this.#hashes.pop() as Buffer;
      hash = hashChildren(left, hash);
      level++;
      index = (index - 1) / 2;
      visit?.(level, index, hash);
    }
    this.#hashes.push(hash);
    this.#size++;
  }

  /** MTH of the leaves [0, size). */
  root(): Buffer {
    const hs = this.#hashes;
    if (hs.length === 0) return EMPTY_ROOT;
    let r = hs[hs.length - 1];
    for (let i = hs.length - 2; i >= 0; i--) r = hashChildren(hs[i], r);
    return r;
  }
}
