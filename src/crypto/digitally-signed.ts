/**
 * TLS `DigitallySigned` (RFC 5246 §4.7) signing and verification, as RFC 6962
 * uses it for STHs and SCTs. The `SignatureAndHashAlgorithm` is fixed by the
 * key type, never chosen by the signer or trusted from the wire:
 *
 * | key        | hash           | signature      | source                           |
 * |------------|----------------|----------------|----------------------------------|
 * | ECDSA P-256| sha256 (4)     | ecdsa (3)      | RFC 6962 §2.1.4, RFC 5246 §7.4.1.4.1 |
 * | RSA        | sha256 (4)     | rsa (1)        | RFC 6962 §2.1.4 (PKCS#1 v1.5)    |
 * | Ed25519    | intrinsic (8)  | ed25519 (7)    | RFC 8422 §5.1.3                  |
 *
 * Ed25519 is not allowed by RFC 6962 (CT logs use only the first two); it is
 * here for Grapevine's own structures. RFC 8422 §5.1.3 registers ed25519(7)
 * and pairs it with HashAlgorithm intrinsic(8), because Ed25519 hashes
 * internally; this is the TLS 1.2 spelling of TLS 1.3's SignatureScheme
 * ed25519 (0x0807, RFC 8446 §4.2.3). The signature is pure Ed25519 over the
 * data, 64 bytes.
 */
import { type DigitallySigned, HashAlgorithm, SignatureAlgorithm } from '../codec/ct.ts';
import { SignatureError } from './errors.ts';
import { verifySignature } from './sign.ts';
import type { KeyType, PublicKey, Signer } from './types.ts';

export interface SignatureAndHashAlgorithm {
  readonly hashAlgorithm: number;
  readonly signatureAlgorithm: number;
}

const ALGORITHMS: Readonly<Record<KeyType, SignatureAndHashAlgorithm>> = {
  'ecdsa-p256': { hashAlgorithm: HashAlgorithm.sha256, signatureAlgorithm: SignatureAlgorithm.ecdsa },
  rsa: { hashAlgorithm: HashAlgorithm.sha256, signatureAlgorithm: SignatureAlgorithm.rsa },
  ed25519: { hashAlgorithm: HashAlgorithm.intrinsic, signatureAlgorithm: SignatureAlgorithm.ed25519 },
};

/** The one SignatureAndHashAlgorithm a key of this type signs with (table in the file comment). */
export function digitallySignedAlgorithm(type: KeyType): SignatureAndHashAlgorithm {
  return ALGORITHMS[type];
}

/** Signs `data` and wraps the signature with the algorithm pair of the signer's key type. */
export function signDigitallySigned(signer: Signer, data: Uint8Array): DigitallySigned {
  const alg = ALGORITHMS[signer.publicKey.type];
  return { hashAlgorithm: alg.hashAlgorithm, signatureAlgorithm: alg.signatureAlgorithm, signature: signer.sign(data) };
}

/**
 * Verifies a DigitallySigned over `data`. Throws SignatureError
 * ALGORITHM_MISMATCH when the algorithm pair is not exactly the key type's
 * (e.g. sha1, or rsa with an ECDSA key), BAD_SIGNATURE when the signature
 * does not verify.
 */
export function verifyDigitallySigned(key: PublicKey, data: Uint8Array, ds: DigitallySigned): void {
  const want = ALGORITHMS[key.type];
  if (ds.hashAlgorithm !== want.hashAlgorithm || ds.signatureAlgorithm !== want.signatureAlgorithm) {
    throw new SignatureError(
      'ALGORITHM_MISMATCH',
      `got hash ${ds.hashAlgorithm}/signature ${ds.signatureAlgorithm}, want ${want.hashAlgorithm}/${want.signatureAlgorithm} for a ${key.type} key`,
    );
  }
  if (!verifySignature(key, data, ds.signature)) {
    throw new SignatureError('BAD_SIGNATURE', `${key.type} signature does not verify`);
  }
}
