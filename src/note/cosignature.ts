/**
 * Ed25519 cosignatures, type 0x04 (c2sp.org/tlog-cosignature §Format,
 * §Ed25519 signed message).
 *
 *   key ID    = SHA-256(name || "\n" || 0x04 || 32-byte key)[:4]
 *   signature = timestamped_signature { u64 timestamp (big-endian); opaque ed25519_signature[64] }
 *   message   = "cosignature/v1\n" || "time " || decimal(timestamp) || "\n" || note text
 *
 * The message does not commit to the cosigner name, which is why the spec
 * requires a distinct key per cosigner.
 */
import type { Signer } from '../crypto/index.ts';
import { ED25519_SIGNATURE_SIZE, ed25519PublicKey, ed25519Verify, rawEd25519Key, recommendedVkey } from './ed25519.ts';
import { NoteError } from './errors.ts';
import { checkKeyName, keyIdFor, SignatureType } from './keys.ts';
import type { NoteSignature } from './note.ts';
import type { NoteSigner, NoteVerifier } from './verifier.ts';

const TIMESTAMP_SIZE = 8;
export const COSIGNATURE_V1_SIZE = TIMESTAMP_SIZE + ED25519_SIGNATURE_SIZE;
// tlog-cosignature §Format: the timestamp "MUST NOT exceed 2^63 - 1".
const MAX_TIMESTAMP = (1n << 63n) - 1n;

/** The signed message for a cosignature at POSIX time `time` over `text`. */
export function cosignatureV1Message(text: Uint8Array, time: number | bigint): Buffer {
  return Buffer.concat([Buffer.from(`cosignature/v1\ntime ${time}\n`, 'utf8'), text]);
}

/**
 * The timestamp of a cosignature/v1 signature (bytes after the key ID), or
 * null when the signature has the wrong length or a timestamp Grapevine
 * cannot hold in a number (above 2^53-1; the spec caps it at 2^63-1).
 */
export function cosignatureV1Time(signature: Uint8Array): number | null {
  if (signature.length !== COSIGNATURE_V1_SIZE) return null;
  const t = Buffer.from(signature.buffer, signature.byteOffset, signature.byteLength).readBigUInt64BE(0);
  return t <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(t) : null;
}

/** A verifier for cosignature/v1 signatures of `name` with the raw Ed25519 key `raw`. */
export function cosignatureV1Verifier(name: string, raw: Uint8Array): NoteVerifier {
  checkKeyName(name);
  const key = ed25519PublicKey(raw);
  return Object.freeze({
    name,
    keyId: keyIdFor(name, SignatureType.CosignatureV1, raw),
    type: SignatureType.CosignatureV1,
    vkey: recommendedVkey(name, SignatureType.CosignatureV1, raw),
    verify(text: Buffer, signature: Buffer) {
      // Exactly 8 + 64 bytes: the sigsum vector with 2 extra bytes must fail.
      if (signature.length !== COSIGNATURE_V1_SIZE) return null;
      const t = signature.readBigUInt64BE(0);
      if (t > MAX_TIMESTAMP) return null;
      const ok = ed25519Verify(key, cosignatureV1Message(text, t), signature.subarray(TIMESTAMP_SIZE));
      // A correctly signed timestamp beyond 2^53-1 is still refused: we could not report it faithfully.
      if (!ok || t > BigInt(Number.MAX_SAFE_INTEGER)) return null;
      return Object.freeze({ time: Number(t) });
    },
  });
}

function checkTime(time: number): void {
  if (!Number.isSafeInteger(time) || time < 0) {
    throw new NoteError('BAD_TIMESTAMP', `got cosignature time ${time}, want an integer in 0..2^53-1`);
  }
}

/**
 * A cosigner (c2sp.org/tlog-cosignature): signs note text with a timestamp
 * chosen by the caller, so this module reads no clock.
 */
export interface CosignerV1 {
  readonly name: string;
  readonly keyId: number;
  /** The type-0x04 vkey that verifies this cosigner. */
  readonly vkey: string;
  /** The cosignature line contents for `text` at POSIX seconds `time`. */
  cosign(text: Buffer | string, time: number): NoteSignature;
  /** A NoteSigner that cosigns at the fixed time `time` (for `signNote`). */
  at(time: number): NoteSigner;
}

/** A cosignature/v1 cosigner named `name` over a crypto Signer holding an Ed25519 key. */
export function cosignatureV1Signer(name: string, signer: Signer): CosignerV1 {
  checkKeyName(name);
  const raw = rawEd25519Key(signer.publicKey);
  const keyId = keyIdFor(name, SignatureType.CosignatureV1, raw);
  const sign = (text: Buffer, time: number): Buffer => {
    checkTime(time);
    const out = Buffer.alloc(COSIGNATURE_V1_SIZE);
    out.writeBigUInt64BE(BigInt(time), 0);
    out.set(signer.sign(cosignatureV1Message(text, time)), TIMESTAMP_SIZE);
    return out;
  };
  return Object.freeze({
    name,
    keyId,
    vkey: recommendedVkey(name, SignatureType.CosignatureV1, raw),
    cosign: (text: Buffer | string, time: number) =>
      Object.freeze({ name, keyId, signature: sign(typeof text === 'string' ? Buffer.from(text, 'utf8') : text, time) }),
    at(time: number): NoteSigner {
      checkTime(time);
      return Object.freeze({ name, keyId, sign: (text: Buffer) => sign(text, time) });
    },
  });
}
