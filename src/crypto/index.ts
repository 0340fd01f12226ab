/**
 * Keys and signatures on node:crypto (issue #2, item 4).
 *
 * CONTRACT STUB written by the lead so that other modules can code against it;
 * the crypto helper replaces the bodies (and may split into files), keeping
 * these exported names and shapes.
 */
import type { KeyObject } from 'node:crypto';

export type KeyType = 'ecdsa-p256' | 'ed25519' | 'rsa';

export interface PublicKey {
  readonly type: KeyType;
  readonly key: KeyObject;
  /** DER SubjectPublicKeyInfo. */
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

export declare function parsePublicKey(input: string | Uint8Array): PublicKey;
export declare function parsePrivateKey(input: string | Uint8Array): PrivateKey;
export declare function signerFromPrivateKey(key: PrivateKey): Signer;
export declare function verifySignature(key: PublicKey, data: Uint8Array, signature: Uint8Array): boolean;
/** RFC 6962 §3.2: LogID = SHA-256 of the log's DER SPKI. */
export declare function rfc6962LogId(key: PublicKey): Buffer;
