/**
 * The key and signer shapes every other module codes against (issue #2,
 * item 4). Keys are validated once when loaded (src/crypto/keys.ts) and hold
 * a node:crypto KeyObject, so signing and verifying never re-parse anything.
 */
import type { KeyObject } from 'node:crypto';

/** The only key types Grapevine accepts: ECDSA on P-256, Ed25519, RSA ≥ 2048 bits. */
export type KeyType = 'ecdsa-p256' | 'ed25519' | 'rsa';

export interface PublicKey {
  readonly type: KeyType;
  readonly key: KeyObject;
  /** DER SubjectPublicKeyInfo (RFC 5280 §4.1), canonical: exactly what the key re-exports to. */
  readonly spki: Buffer;
}

export interface PrivateKey {
  readonly type: Exclude<KeyType, 'rsa'> | 'rsa';
  readonly key: KeyObject;
  readonly publicKey: PublicKey;
}

/** Something that signs; implemented over a PrivateKey (and, one day, an HSM). Safe to call concurrently. */
export interface Signer {
  readonly publicKey: PublicKey;
  /** ECDSA P-256: DER signature over SHA-256(data); Ed25519: pure Ed25519; RSA: PKCS#1 v1.5 with SHA-256. */
  sign(data: Uint8Array): Buffer;
}
