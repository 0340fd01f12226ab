/**
 * Raw signatures on node:crypto, one scheme per key type:
 * - ECDSA P-256: ASN.1 DER `Ecdsa-Sig-Value` over SHA-256(data) (RFC 6962
 *   §2.1.4, X9.62; the form Go's crypto/ecdsa and the Gossip Hub use);
 * - Ed25519: pure Ed25519 over the data itself (RFC 8032 §5.1);
 * - RSA: RSASSA-PKCS1-v1_5 with SHA-256 (RFC 8017 §8.2).
 *
 * The KeyObject inside each key is created once at load time; these calls
 * build nothing per call beyond what node:crypto needs.
 */
import { sign as cryptoSign, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import { KeyError } from './errors.ts';
import type { KeyType, PrivateKey, PublicKey, Signer } from './types.ts';

/**
 * The digest node:crypto needs per key type (null: the algorithm hashes
 * internally). node's defaults already give DER ECDSA signatures and PKCS#1
 * v1.5 padding for RSA keys, so no options object is built per call.
 */
const DIGEST: Readonly<Record<KeyType, string | null>> = { 'ecdsa-p256': 'sha256', ed25519: null, rsa: 'sha256' };

class KeySigner implements Signer {
  readonly publicKey: PublicKey;
  readonly #key: KeyObject;
  readonly #digest: string | null;

  constructor(key: PrivateKey) {
    this.publicKey = key.publicKey;
    this.#key = key.key;
    this.#digest = DIGEST[key.type];
  }

  sign(data: Uint8Array): Buffer {
    return cryptoSign(this.#digest, data, this.#key);
  }
}

/** A Signer over an in-memory private key. Stateless, so safe to share. */
export function signerFromPrivateKey(key: PrivateKey): Signer {
  if (key.key.type !== 'private') throw new KeyError('WRONG_KEY_KIND', `got a ${key.key.type} KeyObject, want a private key`);
  return new KeySigner(key);
}

/**
 * True when `signature` is a valid signature by `key` over `data` under the
 * key type's single scheme (see the file comment). Never throws for a bad
 * signature: malformed DER, wrong lengths and trailing bytes are all `false`
 * (OpenSSL re-encodes ECDSA signatures and rejects non-canonical DER).
 */
export function verifySignature(key: PublicKey, data: Uint8Array, signature: Uint8Array): boolean {
  try {
    return cryptoVerify(DIGEST[key.type], data, key.key, signature);
  } catch (err) {
    // OpenSSL reports some malformed signatures (e.g. an RSA value ≥ n) as errors.
    if (String((err as { code?: unknown }).code ?? '').startsWith('ERR_OSSL')) return false;
    throw err;
  }
}
