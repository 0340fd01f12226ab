/** Packing of hash lists into one column (compact ranges), shared by the backends. */
import { StorageError } from '../log/index.ts';

const HASH = 32;

export function joinHashes(hs: readonly Buffer[]): Buffer {
  return Buffer.concat(hs);
}

export function splitHashes(b: Buffer): Buffer[] {
  if (b.length % HASH !== 0) throw new StorageError('CORRUPT', `hash list of ${b.length} bytes is not a multiple of ${HASH}`);
  const out: Buffer[] = [];
  for (let o = 0; o < b.length; o += HASH) out.push(b.subarray(o, o + HASH));
  return out;
}
