/**
 * RFC 6962 tree head note signatures, type 0x05 (c2sp.org/static-ct-api
 * §Checkpoints; c2sp.org/signed-note §Signature types):
 *
 *   vkey material = 0x05 || DER SPKI of the CT log key
 *   key ID        = SHA-256(name || 0x0A || 0x05 || logID)[:4],  logID = SHA-256(SPKI) (RFC 6962 §3.2)
 *   signature     = struct { uint64 timestamp; DigitallySigned tree_head_signature; } RFC6962NoteSignature
 *
 * The DigitallySigned covers the RFC 6962 §3.5 TreeHeadSignature (version,
 * type, timestamp, size, root) and NOT the origin line. A verifier must
 * therefore pin everything else (testdata Finding 2, as transparency-dev/formats
 * does): the note text is exactly three lines — origin, size, 32-byte root —
 * and the origin equals the key name. Extension lines are not allowed.
 */
import { createHash } from 'node:crypto';
import {
  type DigitallySigned,
  decodeBase64,
  decodeDigitallySigned,
  encodeBase64,
  encodeDigitallySigned,
  encodeTreeHeadSignature,
} from '../codec/index.ts';
import { type PublicKey, parsePublicKey, verifyDigitallySigned } from '../crypto/index.ts';
import { NoteError } from './errors.ts';
import { checkKeyName, formatKeyId, rfc6962KeyId, SignatureType } from './keys.ts';
import type { NoteSignature } from './note.ts';
import type { NoteVerifier } from './verifier.ts';

const TIMESTAMP_SIZE = 8;
const DECIMAL = /^(0|[1-9][0-9]*)$/;

/** The three fields of a CT checkpoint, or null when the text is not exactly origin/size/root. */
function parseStrictTreeText(text: string): { origin: string; size: number; root: Buffer } | null {
  const lines = text.split('\n');
  if (lines.length !== 4 || lines[3] !== '') return null;
  const [origin, sizeText, rootText] = lines;
  if (!DECIMAL.test(sizeText)) return null;
  const size = Number(sizeText);
  if (!Number.isSafeInteger(size)) return null;
  let root: Buffer;
  try {
    root = decodeBase64(rootText);
  } catch {
    return null;
  }
  return root.length === 32 ? { origin, size, root } : null;
}

/** A verifier for type-0x05 signatures of the CT log named `name` (its origin) with DER SPKI `spki`. */
export function rfc6962Verifier(name: string, spki: Uint8Array): NoteVerifier {
  checkKeyName(name);
  let key: PublicKey;
  try {
    key = parsePublicKey(spki);
  } catch (err) {
    throw new NoteError('BAD_KEY', 'RFC 6962 vkey: SPKI does not parse', { cause: err });
  }
  // RFC 6962 §2.1.4: logs sign with ECDSA P-256 or RSA (src/crypto also knows Ed25519, which CT does not use).
  if (key.type === 'ed25519') throw new NoteError('BAD_KEY', 'RFC 6962 vkey: got an ed25519 key, want ECDSA P-256 or RSA');
  const keyId = rfc6962KeyId(name, createHash('sha256').update(spki).digest());
  return Object.freeze({
    name,
    keyId,
    type: SignatureType.RFC6962,
    vkey: `${name}+${formatKeyId(keyId)}+${encodeBase64(Buffer.concat([Buffer.of(SignatureType.RFC6962), spki]))}`,
    verify(text: Buffer, signature: Buffer) {
      const tree = parseStrictTreeText(text.toString('utf8'));
      // The origin is not signed: only a note whose origin is this log's name may borrow its signature.
      if (!tree || tree.origin !== name) return null;
      const parsed = parseRfc6962NoteSignature(signature);
      if (!parsed) return null;
      const { timestampMs, treeHeadSignature } = parsed;
      const tbs = encodeTreeHeadSignature({ timestamp: timestampMs, treeSize: tree.size, sha256RootHash: tree.root });
      try {
        // Also checks the algorithm pair is SHA-256 with the key's scheme (RFC 5246 §7.4.1.4.1).
        verifyDigitallySigned(key, tbs, treeHeadSignature);
        return Object.freeze({ timestampMs });
      } catch {
        return null;
      }
    },
  });
}

/** Splits the bytes after the key ID into timestamp and DigitallySigned; null if they do not parse exactly. */
export function parseRfc6962NoteSignature(signature: Uint8Array): { timestampMs: number; treeHeadSignature: DigitallySigned } | null {
  if (signature.length < TIMESTAMP_SIZE) return null;
  const b = Buffer.from(signature.buffer, signature.byteOffset, signature.byteLength);
  const t = b.readBigUInt64BE(0);
  if (t > BigInt(Number.MAX_SAFE_INTEGER)) return null;
  try {
    // Strict: trailing bytes after the DigitallySigned are an error.
    return { timestampMs: Number(t), treeHeadSignature: decodeDigitallySigned(b.subarray(TIMESTAMP_SIZE)) };
  } catch {
    return null;
  }
}

/**
 * The note signature line for an RFC 6962 STH (get-sth → checkpoint, no
 * private key needed). `name` must be the checkpoint origin.
 */
export function rfc6962NoteSignature(
  name: string,
  spki: Uint8Array,
  timestampMs: number,
  treeHeadSignature: DigitallySigned,
): NoteSignature {
  checkKeyName(name);
  if (!Number.isSafeInteger(timestampMs) || timestampMs < 0) {
    throw new NoteError('BAD_TIMESTAMP', `got STH timestamp ${timestampMs}, want an integer in 0..2^53-1`);
  }
  const ds = encodeDigitallySigned(treeHeadSignature);
  const signature = Buffer.alloc(TIMESTAMP_SIZE + ds.length);
  signature.writeBigUInt64BE(BigInt(timestampMs), 0);
  signature.set(ds, TIMESTAMP_SIZE);
  const keyId = rfc6962KeyId(name, createHash('sha256').update(spki).digest());
  return Object.freeze({ name, keyId, signature });
}
