/**
 * Proof verification, RFC 9162 §2.1.3.2 (inclusion) and §2.1.4.2
 * (consistency), which restate RFC 6962 §2.1.1/§2.1.2 as algorithms.
 *
 * Edge cases follow transparency-dev/merkle, as the shared probes encode
 * (testdata/merkle-consistency-probes.json `semantics`): size1 = 0 is an
 * error even for 0 → 0; size1 = size2 requires an empty proof and equal roots.
 * Protocols that treat size 0 as trivially consistent (C2SP tlog-witness)
 * decide that before calling here.
 */
import { ProofError } from './errors.ts';
import { checkSize, isPowerOfTwo } from './nodes.ts';
import { HASH_SIZE, hashChildren } from './rfc6962.ts';

const half = (n: number) => Math.floor(n / 2);
const lsb = (n: number) => n % 2 === 1;

function checkHashes(what: string, hashes: readonly Uint8Array[]): void {
  for (const h of hashes) {
    if (h.length !== HASH_SIZE) throw new ProofError('BAD_HASH_SIZE', `${what}: got ${h.length}-byte hash, want ${HASH_SIZE}`);
  }
}

/** The root implied by an inclusion proof. Requires 0 ≤ index < size. */
export function rootFromInclusionProof(index: number, size: number, leafHash: Uint8Array, proof: readonly Uint8Array[]): Buffer {
  checkSize('tree size', size);
  checkSize('leaf index', index);
  // Step 1: leaf_index must be < tree_size.
  if (index >= size) throw new ProofError('BAD_INDEX', `leaf index ${index} out of range for tree size ${size}`);
  checkHashes('leaf hash', [leafHash]);
  checkHashes('inclusion proof', proof);
  let fn = index;
  let sn = size - 1;
  let r: Buffer = Buffer.from(leafHash);
  for (const p of proof) {
    if (sn === 0) throw new ProofError('BAD_PROOF_SIZE', `inclusion proof too long: got ${proof.length} hashes`);
    if (lsb(fn) || fn === sn) {
      r = hashChildren(p, r);
      if (!lsb(fn)) {
        while (!lsb(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      r = hashChildren(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  if (sn !== 0) throw new ProofError('BAD_PROOF_SIZE', `inclusion proof too short: got ${proof.length} hashes`);
  return r;
}

/** Throws ProofError unless `proof` proves leaf `index` with `leafHash` in the tree of `size` with `root`. */
export function verifyInclusion(index: number, size: number, leafHash: Uint8Array, proof: readonly Uint8Array[], root: Uint8Array): void {
  checkHashes('root', [root]);
  const got = rootFromInclusionProof(index, size, leafHash, proof);
  if (!got.equals(root)) {
    throw new ProofError(
      'INCLUSION_MISMATCH',
      `inclusion proof for leaf ${index} of ${size} leads to root ${got.toString('hex')}, want ${Buffer.from(root).toString('hex')}`,
    );
  }
}

/**
 * Throws ProofError unless `proof` shows that the tree (size1, root1) is a
 * prefix of (size2, root2). Requires 0 < size1 ≤ size2.
 */
export function verifyConsistency(size1: number, size2: number, proof: readonly Uint8Array[], root1: Uint8Array, root2: Uint8Array): void {
  checkSize('size1', size1);
  checkSize('size2', size2);
  if (size2 < size1) throw new ProofError('BAD_SIZES', `size2 ${size2} < size1 ${size1}`);
  if (size1 === 0) throw new ProofError('BAD_SIZES', 'a consistency proof from the empty tree is meaningless');
  if (size1 === size2) {
    if (proof.length !== 0) throw new ProofError('BAD_PROOF_SIZE', `sizes are equal: got ${proof.length} hashes, want 0`);
    if (!Buffer.from(root1).equals(root2)) throw new ProofError('CONSISTENCY_MISMATCH', 'sizes are equal but roots differ');
    return;
  }
  // Step 1: an empty proof proves nothing once size1 < size2.
  if (proof.length === 0) throw new ProofError('BAD_PROOF_SIZE', 'empty consistency proof');
  checkHashes('roots', [root1, root2]);
  checkHashes('consistency proof', proof);

  // Step 2: when size1 is a power of two its root is implied, not sent.
  const path = isPowerOfTwo(size1) ? [root1, ...proof] : proof;
  const { root1: fr, root2: sr } = consistencyPathRoots(size1, size2, path, proof.length);
  if (!fr.equals(root1)) throw new ProofError('CONSISTENCY_MISMATCH', `proof does not match root1 (computed ${fr.toString('hex')})`);
  if (!sr.equals(root2)) throw new ProofError('CONSISTENCY_MISMATCH', `proof does not match root2 (computed ${sr.toString('hex')})`);
}

/**
 * The roots at `size1` and `size2` that a consistency path computes (RFC 9162
 * §2.1.4.2 steps 4–7): `path` is the proof, with root1 in front when size1 is
 * a power of two (step 2). Requires 0 < size1 < size2 and a non-empty path;
 * throws ProofError BAD_PROOF_SIZE when the path is too long or too short
 * (`proofLength`: the proof's own length, for the message). The caller
 * compares the roots with the signed ones.
 */
export function consistencyPathRoots(
  size1: number,
  size2: number,
  path: readonly Uint8Array[],
  proofLength = path.length,
): { readonly root1: Buffer; readonly root2: Buffer } {
  let fn = size1 - 1;
  let sn = size2 - 1;
  // Step 4.
  while (lsb(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  // Step 5.
  let fr: Buffer = Buffer.from(path[0]);
  let sr: Buffer = Buffer.from(path[0]);
  // Step 6.
  for (let i = 1; i < path.length; i++) {
    const c = path[i];
    if (sn === 0) throw new ProofError('BAD_PROOF_SIZE', `consistency proof too long: got ${proofLength} hashes`);
    if (lsb(fn) || fn === sn) {
      fr = hashChildren(c, fr);
      sr = hashChildren(c, sr);
      if (!lsb(fn)) {
        while (!lsb(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      sr = hashChildren(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  // Step 7.
  if (sn !== 0) throw new ProofError('BAD_PROOF_SIZE', `consistency proof too short: got ${proofLength} hashes`);
  return { root1: fr, root2: sr };
}
