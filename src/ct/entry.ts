/**
 * What the log stores and signs for an admitted submission: the
 * MerkleTreeLeaf (RFC 6962 §3.4), and the SCT over the same fields (§3.2).
 * Pure: time comes in as the timestamp.
 */
import {
  type CtTimestampedEntry,
  encodeMerkleTreeLeaf,
  encodeSctSignatureInput,
  type SignedCertificateTimestamp,
  type SignedEntry,
} from '../codec/index.ts';
import { type Signer, signDigitallySigned } from '../crypto/index.ts';

/** RFC 6962 §3.2: "CtExtensions extensions" — this log defines none, so always empty. */
export const NO_EXTENSIONS: Buffer = Buffer.alloc(0);

/** The TimestampedEntry of a submission accepted at `timestamp` (ms). */
export function timestampedEntry(signedEntry: SignedEntry, timestamp: number): CtTimestampedEntry {
  return { timestamp, signedEntry, extensions: NO_EXTENSIONS };
}

/** The leaf_input bytes (RFC 6962 §3.4 MerkleTreeLeaf, v1, timestamped_entry). */
export function leafInput(entry: CtTimestampedEntry): Buffer {
  return encodeMerkleTreeLeaf(entry);
}

/**
 * RFC 6962 §3.2: the SCT for `entry`, signed over
 * `sct_version, signature_type = certificate_timestamp, timestamp, entry_type,
 * signed_entry, extensions` with the log key. The same `entry` always gives
 * an SCT with the same timestamp (ECDSA signatures themselves are randomized).
 */
export function signSct(signer: Signer, logId: Buffer, entry: CtTimestampedEntry): SignedCertificateTimestamp {
  const input = encodeSctSignatureInput({ timestamp: entry.timestamp, signedEntry: entry.signedEntry, extensions: entry.extensions });
  return { logId, timestamp: entry.timestamp, extensions: entry.extensions, signature: signDigitallySigned(signer, input) };
}
