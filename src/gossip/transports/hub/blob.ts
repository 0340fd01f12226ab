/**
 * Heads ⇄ Gossip Hub blobs (specs/gossip-hub.md §3.3), both ways:
 *
 * - RFC6962STH sources: the blob is the 50-byte TreeHeadSignature (RFC 6962
 *   §3.5) and the source signature the signature bytes inside the STH's
 *   DigitallySigned (what gosmin's AddCTSTH submits).
 * - CHECKPOINT sources: the blob is the checkpoint note text and the
 *   signature one note signature of the log without its 4-byte key ID.
 *
 * Back from a hub entry, the head is rebuilt in the form it is gossiped in:
 * a get-sth JSON object (the DigitallySigned's algorithms are the log key's,
 * crypto/digitally-signed.ts), or a signed note whose signature line names
 * the log key that verifies it. The service then validates it like any
 * incoming message, so nothing a hub returns is believed unchecked.
 *
 * Pure.
 */
import { decodeTreeHeadSignature, encodeTreeHeadSignature, formatGetSth, parseGetSth } from '../../../codec/index.ts';
import { digitallySignedAlgorithm } from '../../../crypto/index.ts';
import { formatNote, parseNote } from '../../../note/index.ts';
import type { KnownLog } from '../../validate/index.ts';

export interface HubBlob {
  readonly blob: Buffer;
  readonly signature: Buffer;
}

/** The blob and source signature of a gossiped head; null when the kind cannot be a hub blob. */
export function blobOfHead(kind: string, data: Buffer, log: KnownLog): HubBlob | null {
  if (kind === 'rfc6962-sth') {
    const sth = parseGetSth(data);
    return { blob: encodeTreeHeadSignature(sth), signature: sth.treeHeadSignature.signature };
  }
  if (kind === 'checkpoint') {
    const note = parseNote(data);
    // The log's own signature (cosignatures ride along in the note, not in the hub entry).
    const sig = note.signatures.find((s) => log.noteVerifiers.get(s.name, s.keyId) !== undefined);
    return sig ? { blob: Buffer.from(note.text, 'utf8'), signature: sig.signature } : null;
  }
  return null;
}

/** The gossip-data of a hub entry's blob and source signature for `log`; null when it is neither form. */
export function headOfBlob(blob: Buffer, signature: Buffer, log: KnownLog): Buffer | null {
  if (log.key && blob.length === 50) {
    try {
      const th = decodeTreeHeadSignature(blob);
      const alg = digitallySignedAlgorithm(log.key.type);
      return Buffer.from(formatGetSth({ ...th, treeHeadSignature: { ...alg, signature } }));
    } catch {
      // not a TreeHeadSignature: try a checkpoint
    }
  }
  for (const v of log.noteVerifiers) {
    if (v.verify(blob, signature) !== null) {
      return Buffer.from(formatNote({ text: blob.toString('utf8'), signatures: [{ name: v.name, keyId: v.keyId, signature }] }));
    }
  }
  return null;
}
