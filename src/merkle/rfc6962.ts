/**
 * RFC 6962 §2.1 Merkle tree hashing (identical in RFC 9162 §2.1.1) with SHA-256:
 *
 *   MTH({})        = SHA-256()
 *   leaf hash      = SHA-256(0x00 || d)
 *   node hash      = SHA-256(0x01 || left || right)
 *
 * The prefixes give second-preimage resistance between leaves and nodes.
 */
import { createHash, hash as oneShotHash } from 'node:crypto';

export const HASH_SIZE = 32;

/** MTH of the empty tree: SHA-256 of the empty string. */
export const EMPTY_ROOT: Buffer = createHash('sha256').digest();

// node:crypto's one-shot hash() (Node ≥ 20.12) avoids a Hash object per call;
// fall back to createHash where it is missing.
const sha256: (data: Uint8Array) => Buffer =
  typeof oneShotHash === 'function'
    ? (data) => oneShotHash('sha256', data, 'buffer') as unknown as Buffer
    : (data) => createHash('sha256').update(data).digest();

/** Leaf hash of `data` (RFC 6962 §2.1). */
export function hashLeaf(data: Uint8Array): Buffer {
  const buf = Buffer.allocUnsafe(data.length + 1);
  buf[0] = 0x00;
  buf.set(data, 1);
  return sha256(buf);
}

// Scratch space for node hashing: safe because sha256() consumes it synchronously.
const nodeInput = Buffer.allocUnsafe(1 + 2 * HASH_SIZE);
nodeInput[0] = 0x01;

/** Interior node hash of two children (RFC 6962 §2.1). Children of any length are allowed (proof verification feeds untrusted input). */
export function hashChildren(left: Uint8Array, right: Uint8Array): Buffer {
  if (left.length === HASH_SIZE && right.length === HASH_SIZE) {
    nodeInput.set(left, 1);
    nodeInput.set(right, 1 + HASH_SIZE);
    return sha256(nodeInput);
  }
  return createHash('sha256').update(Buffer.of(0x01)).update(left).update(right).digest();
}
