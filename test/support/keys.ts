/** Throwaway signing keys for tests (real keys: the code under test signs and verifies for real). */
import { generatePrivateKey, type KeyType, type Signer, signerFromPrivateKey } from '../../src/crypto/index.ts';

/** A fresh key of `type` (default ECDSA P-256, RSA 2048 bits) as a Signer. */
export function newSigner(type: KeyType = 'ecdsa-p256'): Signer {
  return signerFromPrivateKey(generatePrivateKey(type));
}
