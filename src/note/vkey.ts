/**
 * Verifier keys, "vkeys" (c2sp.org/signed-note §Verifier keys; Go
 * `note.NewVerifier`):
 *
 *   <name> "+" <8 hex digits: key ID> "+" base64(<type byte> || <key material>)
 *
 * The base64 part may itself contain '+', so only the first two '+' split.
 * Parsing recomputes the key ID with the rule of the key's type and rejects a
 * mismatch, so a mistyped key (Finding 1 in testdata/README.md) fails at
 * configuration time instead of silently never matching.
 */
import { createHash } from 'node:crypto';
import { decodeBase64, encodeBase64 } from '../codec/index.ts';
import { cosignatureV1Verifier } from './cosignature.ts';
import { ecdsaVerifier } from './ecdsa.ts';
import { ED25519_KEY_SIZE, ed25519Verifier } from './ed25519.ts';
import { NoteError } from './errors.ts';
import { ecdsaKeyId, formatKeyId, isValidKeyName, keyIdFor, SignatureType } from './keys.ts';
import { legacyWitnessVerifier } from './legacy-witness.ts';
import { rfc6962Verifier } from './rfc6962.ts';
import type { NoteVerifier } from './verifier.ts';

const HEX8 = /^[0-9a-fA-F]{8}$/;
const MLDSA44_KEY_SIZE = 1312;

/** A vkey taken apart. `key` is the key material after the type byte. */
export interface Vkey {
  readonly name: string;
  readonly keyId: number;
  readonly type: SignatureType;
  readonly key: Buffer;
}

function bad(vkey: string, why: string, cause?: unknown): NoteError {
  const shown = JSON.stringify(vkey.length > 80 ? `${vkey.slice(0, 80)}…` : vkey);
  return new NoteError('BAD_KEY', `vkey ${shown}: ${why}`, cause === undefined ? undefined : { cause });
}

function checkSize(vkey: string, key: Buffer, want: number): void {
  if (key.length !== want) throw bad(vkey, `got a ${key.length}-byte key, want ${want}`);
}

/** The key ID a key of this type must have, per the rule of its type. */
function keyIdOf(vkey: string, name: string, type: number, key: Buffer): number {
  switch (type) {
    case SignatureType.Ed25519:
    case SignatureType.LegacyWitness:
    case SignatureType.CosignatureV1:
      checkSize(vkey, key, ED25519_KEY_SIZE);
      return keyIdFor(name, type, key);
    case SignatureType.MLDSA44Cosignature:
      // c2sp.org/tlog-cosignature: SHA-256(name || "\n" || 0x06 || 1312-byte key)[:4].
      checkSize(vkey, key, MLDSA44_KEY_SIZE);
      return keyIdFor(name, type, key);
    case SignatureType.ECDSA:
      return ecdsaKeyId(key);
    case SignatureType.RFC6962:
      return keyIdFor(name, type, createHash('sha256').update(key).digest());
    default:
      throw new NoteError('UNSUPPORTED_ALGORITHM', `vkey ${name}: signature type 0x${type.toString(16).padStart(2, '0')} is not supported`);
  }
}

/** Parses a vkey and checks its key ID. Throws NoteError BAD_KEY or UNSUPPORTED_ALGORITHM. */
export function parseVkey(vkey: string): Vkey {
  const p1 = vkey.indexOf('+');
  const p2 = p1 < 0 ? -1 : vkey.indexOf('+', p1 + 1);
  if (p2 < 0) throw bad(vkey, 'want <name>+<key ID>+<base64 key>');
  const name = vkey.slice(0, p1);
  const hex = vkey.slice(p1 + 1, p2);
  if (!isValidKeyName(name)) throw bad(vkey, 'invalid key name');
  if (!HEX8.test(hex)) throw bad(vkey, `got key ID ${JSON.stringify(hex)}, want 8 hex digits`);
  let material: Buffer;
  try {
    material = decodeBase64(vkey.slice(p2 + 1));
  } catch (err) {
    throw bad(vkey, 'key is not canonical padded base64', err);
  }
  if (material.length < 2) throw bad(vkey, `got ${material.length} key bytes, want a type byte and a key`);
  const type = material[0] as SignatureType;
  const key = Buffer.from(material.subarray(1));
  const keyId = Number.parseInt(hex, 16);
  const want = keyIdOf(vkey, name, type, key);
  if (want !== keyId) throw bad(vkey, `got key ID ${formatKeyId(keyId)}, want ${formatKeyId(want)} computed from the key`);
  return Object.freeze({ name, keyId, type, key });
}

/** Formats a vkey, computing its key ID with the rule of its type (the inverse of `parseVkey`). */
export function formatVkey(k: Omit<Vkey, 'keyId'>): string {
  if (!isValidKeyName(k.name)) throw new NoteError('BAD_KEY_NAME', `got key name ${JSON.stringify(k.name)}`);
  const material = encodeBase64(Buffer.concat([Buffer.of(k.type), k.key]));
  return `${k.name}+${formatKeyId(keyIdOf(k.name, k.name, k.type, k.key))}+${material}`;
}

/** A NoteVerifier for a vkey of any supported type (0x01–0x05). */
export function verifierFromVkey(vkey: string): NoteVerifier {
  const k = parseVkey(vkey);
  switch (k.type) {
    case SignatureType.Ed25519:
      return ed25519Verifier(k.name, k.key);
    case SignatureType.ECDSA:
      return ecdsaVerifier(k.name, k.key);
    case SignatureType.LegacyWitness:
      return legacyWitnessVerifier(k.name, k.key);
    case SignatureType.CosignatureV1:
      return cosignatureV1Verifier(k.name, k.key);
    case SignatureType.RFC6962:
      return rfc6962Verifier(k.name, k.key);
    default:
      // Node 20's node:crypto has no ML-DSA (0x06).
      throw new NoteError(
        'UNSUPPORTED_ALGORITHM',
        `vkey ${k.name}: signature type 0x${k.type.toString(16).padStart(2, '0')} cannot be verified`,
      );
  }
}
