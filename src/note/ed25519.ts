/**
 * Ed25519 note signatures, type 0x01 (c2sp.org/signed-note §Ed25519 signatures):
 * RFC 8032 pure Ed25519 over the note text; the key is the 32-byte RFC 8032
 * public key and the key ID is SHA-256(name || 0x0A || 0x01 || key)[:4].
 */
import { encodeBase64 } from '../codec/index.ts';
import { ed25519PublicKeyBytes, ed25519PublicKeyFromBytes, type PublicKey, type Signer, verifySignature } from '../crypto/index.ts';
import { NoteError } from './errors.ts';
import { checkKeyName, formatKeyId, keyIdFor, SignatureType } from './keys.ts';
import type { NoteSigner, NoteVerifier, SignatureInfo } from './verifier.ts';

export const ED25519_KEY_SIZE = 32;
export const ED25519_SIGNATURE_SIZE = 64;

/** Wraps a raw 32-byte Ed25519 key as a crypto PublicKey. */
export function ed25519PublicKey(raw: Uint8Array): PublicKey {
  if (raw.length !== ED25519_KEY_SIZE) {
    throw new NoteError('BAD_KEY', `Ed25519 public key: got ${raw.length} bytes, want ${ED25519_KEY_SIZE}`);
  }
  try {
    return ed25519PublicKeyFromBytes(raw);
  } catch (err) {
    throw new NoteError('BAD_KEY', 'Ed25519 public key does not parse', { cause: err });
  }
}

/** The raw 32-byte key of an Ed25519 PublicKey (RFC 8032 §5.1.5). */
export function rawEd25519Key(key: PublicKey): Buffer {
  try {
    return Buffer.from(ed25519PublicKeyBytes(key));
  } catch (err) {
    throw new NoteError('BAD_KEY', `got a ${key.type} key, want ed25519`, { cause: err });
  }
}

/** The vkey for a key of `type` whose key ID follows the recommended formula. */
export function recommendedVkey(name: string, type: number, key: Uint8Array): string {
  checkKeyName(name);
  const material = Buffer.concat([Buffer.of(type), key]);
  return `${name}+${formatKeyId(keyIdFor(name, type, key))}+${encodeBase64(material)}`;
}

/** Pure Ed25519 verification that never throws. */
export function ed25519Verify(key: PublicKey, message: Uint8Array, signature: Uint8Array): boolean {
  if (signature.length !== ED25519_SIGNATURE_SIZE) return false;
  try {
    return verifySignature(key, message, signature);
  } catch {
    return false;
  }
}

/** A verifier for Ed25519 note signatures (type 0x01) of `name` with the raw public key `raw`. */
export function ed25519Verifier(name: string, raw: Uint8Array): NoteVerifier {
  checkKeyName(name);
  const key = ed25519PublicKey(raw);
  const ok: SignatureInfo = Object.freeze({});
  return Object.freeze({
    name,
    keyId: keyIdFor(name, SignatureType.Ed25519, raw),
    type: SignatureType.Ed25519,
    vkey: recommendedVkey(name, SignatureType.Ed25519, raw),
    verify: (text: Buffer, signature: Buffer) => (ed25519Verify(key, text, signature) ? ok : null),
  });
}

/** An Ed25519 note signer (type 0x01) for `name` over a crypto Signer holding an Ed25519 key. */
export function ed25519NoteSigner(name: string, signer: Signer): NoteSigner & { readonly vkey: string } {
  checkKeyName(name);
  const raw = rawEd25519Key(signer.publicKey);
  return Object.freeze({
    name,
    keyId: keyIdFor(name, SignatureType.Ed25519, raw),
    vkey: recommendedVkey(name, SignatureType.Ed25519, raw),
    sign: (text: Buffer) => signer.sign(text),
  });
}
