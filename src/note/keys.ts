/**
 * Key names, signature types and key IDs (c2sp.org/signed-note §Signatures).
 *
 *   key ID = SHA-256(key name || 0x0A || signature type || public key)[:4]   (big-endian uint32)
 *
 * Two types depart from that recommendation, as the spec allows: ECDSA (0x02)
 * hashes only the DER SPKI (transparency-dev/witness, Rekor), and RFC 6962
 * (0x05, c2sp.org/static-ct-api §Checkpoints) hashes the log ID
 * SHA-256(SPKI) in place of the key.
 */
import { createHash } from 'node:crypto';
import { NoteError } from './errors.ts';

/** Signature type bytes assigned by c2sp.org/signed-note §Signature types. */
export const SignatureType = {
  Ed25519: 0x01,
  ECDSA: 0x02,
  /** Reserved in C2SP; used by the obsolete pre-C2SP timestamped witness signature (see legacy-witness.ts). */
  LegacyWitness: 0x03,
  CosignatureV1: 0x04,
  RFC6962: 0x05,
  MLDSA44Cosignature: 0x06,
} as const;
export type SignatureType = (typeof SignatureType)[keyof typeof SignatureType];

// Go's unicode.IsSpace is the Unicode White_Space property, which \p{White_Space} matches exactly
// (JS \s would also match U+FEFF, which Go allows).
const SPACE_OR_PLUS = /[\p{White_Space}+]/u;
/** A UTF-16 string that is not valid Unicode (cannot be UTF-8 encoded). */
export const LONE_SURROGATE = /\p{Cs}/u;

/** signed-note §Format: "Key names MUST be non-empty and MUST NOT contain any Unicode spaces or plus (U+002B)". */
export function isValidKeyName(name: string): boolean {
  return name.length > 0 && !LONE_SURROGATE.test(name) && !SPACE_OR_PLUS.test(name);
}

export function checkKeyName(name: string): void {
  if (!isValidKeyName(name)) {
    throw new NoteError('BAD_KEY_NAME', `got key name ${JSON.stringify(name)}, want non-empty, no spaces, no '+'`);
  }
}

function first4(h: Buffer): number {
  return h.readUInt32BE(0);
}

/** The recommended key ID: SHA-256(name || 0x0A || type || key)[:4] (signed-note §Signatures). */
export function keyIdFor(name: string, type: number, key: Uint8Array): number {
  return first4(createHash('sha256').update(name, 'utf8').update(Buffer.of(0x0a, type)).update(key).digest());
}

/** ECDSA (0x02) key ID: SHA-256(DER SPKI)[:4] (signed-note §Signature types, "truncated SHA-256 hash of the DER encoded public key in SPKI format"). */
export function ecdsaKeyId(spki: Uint8Array): number {
  return first4(createHash('sha256').update(spki).digest());
}

/** RFC 6962 (0x05) key ID: SHA-256(name || 0x0A || 0x05 || logID)[:4] with logID = SHA-256(SPKI) (c2sp.org/static-ct-api). */
export function rfc6962KeyId(name: string, logId: Uint8Array): number {
  return keyIdFor(name, SignatureType.RFC6962, logId);
}

/** Lower-case 8-digit hex, as vkeys and error messages print key IDs. */
export function formatKeyId(id: number): string {
  return id.toString(16).padStart(8, '0');
}
