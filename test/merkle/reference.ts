/**
 * A slow, literal RFC 6962 §2.1 reference implementation, used only as a test
 * oracle: recursive MTH, PATH and SUBPROOF straight from the RFC text.
 */
import { createHash } from 'node:crypto';

const sha = (...parts: Uint8Array[]) => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
};

export const refLeafHash = (d: Uint8Array) => sha(Buffer.of(0), d);

function k(n: number): number {
  let p = 1;
  while (p * 2 < n) p *= 2;
  return p;
}

/** MTH(D[n]) over leaf hashes. */
export function refRoot(leaves: Buffer[]): Buffer {
  if (leaves.length === 0) return sha();
  if (leaves.length === 1) return leaves[0];
  const s = k(leaves.length);
  return sha(Buffer.of(1), refRoot(leaves.slice(0, s)), refRoot(leaves.slice(s)));
}

export function refPath(m: number, leaves: Buffer[]): Buffer[] {
  if (leaves.length <= 1) return [];
  const s = k(leaves.length);
  if (m < s) return [...refPath(m, leaves.slice(0, s)), refRoot(leaves.slice(s))];
  return [...refPath(m - s, leaves.slice(s)), refRoot(leaves.slice(0, s))];
}

function subproof(m: number, leaves: Buffer[], b: boolean): Buffer[] {
  const n = leaves.length;
  if (m === n) return b ? [] : [refRoot(leaves)];
  const s = k(n);
  if (m <= s) return [...subproof(m, leaves.slice(0, s), b), refRoot(leaves.slice(s))];
  return [...subproof(m - s, leaves.slice(s), false), refRoot(leaves.slice(0, s))];
}

export function refProof(m: number, leaves: Buffer[]): Buffer[] {
  if (m === 0 || m === leaves.length) return [];
  return subproof(m, leaves, true);
}
