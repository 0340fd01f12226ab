/** Test-only helpers for note and checkpoint tests: throwaway keys and hashes. */
import { createHash } from 'node:crypto';
import { generatePrivateKey, type KeyType, type Signer, signerFromPrivateKey } from '../../src/crypto/index.ts';

/** Verdict of a note check in the vocabulary of the shared vectors. */
export type Verdict = 'valid' | 'invalid' | 'malformed';

/** A throwaway key as a src/crypto Signer. */
export function testSigner(type: Exclude<KeyType, 'rsa'>): Signer {
  return signerFromPrivateKey(generatePrivateKey(type));
}

export const sha256 = (b: Uint8Array | string) => createHash('sha256').update(b).digest();
