/**
 * Signed-note verifier keys (c2sp.org/signed-note), for keys Grapevine
 * generates. Parsing and verifying notes is src/note's job; this only names a
 * key the way notes will refer to it.
 *
 * c2sp.org/signed-note: key ID = SHA-256(key name || 0x0A || signature type ||
 * public key)[:4]; a verifier key is `<name>+<hex key ID>+<base64(type || key)>`;
 * Ed25519 is signature type 0x01 with the 32-byte RFC 8032 public key.
 */
import { createHash } from 'node:crypto';
import { KeyError } from './errors.ts';
import { ed25519PublicKeyBytes } from './keys.ts';
import type { PublicKey } from './types.ts';

/** c2sp.org/signed-note signature type of Ed25519 keys. */
export const NOTE_SIG_TYPE_ED25519 = 0x01;

/** "Key names must be non-empty, well-formed UTF-8 containing no Unicode spaces or plus (U+002B) characters." */
const BAD_NAME_CHAR = /[\p{White_Space}+]/u;
const LONE_SURROGATE = /\p{Cs}/u;

/** Throws KeyError BAD_KEY_NAME unless `name` is a valid signed-note key name. */
export function checkNoteKeyName(name: string): void {
  if (name === '' || BAD_NAME_CHAR.test(name) || LONE_SURROGATE.test(name)) {
    throw new KeyError('BAD_KEY_NAME', `got key name ${JSON.stringify(name)}, want non-empty text without spaces or '+'`);
  }
}

/** The 4-byte key ID: SHA-256(name || 0x0A || sigType || keyBytes)[:4]. */
export function noteKeyId(name: string, sigType: number, keyBytes: Uint8Array): Buffer {
  checkNoteKeyName(name);
  return createHash('sha256')
    .update(name, 'utf8')
    .update(Uint8Array.of(0x0a, sigType))
    .update(keyBytes)
    .digest()
    .subarray(0, 4);
}

/** The verifier key string `name+hex(keyid)+base64(0x01 || pubkey)` of an Ed25519 key. */
export function ed25519NoteVerifierKey(name: string, key: PublicKey): string {
  const raw = ed25519PublicKeyBytes(key);
  const id = noteKeyId(name, NOTE_SIG_TYPE_ED25519, raw);
  return `${name}+${id.toString('hex')}+${Buffer.concat([Uint8Array.of(NOTE_SIG_TYPE_ED25519), raw]).toString('base64')}`;
}
