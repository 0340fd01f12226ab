/**
 * What a head becomes when it is handed on, derived from its signed form
 * alone (no private key): the (blob, signature) pair of a hub submission
 * (specs/gossip-hub.md §3.3: RFC6962STH blob = the 50-byte
 * TreeHeadSignature with the raw signature inside the STH's
 * DigitallySigned; CHECKPOINT blob = the note text with the log's note
 * signature without its key ID), and the signed note a witness takes
 * (c2sp.org/static-ct-api §Checkpoints: an STH becomes a checkpoint with
 * the RFC 6962 note signature, type 0x05).
 *
 * Pure. Throws MonitorError BAD_RESPONSE when the head cannot be converted
 * (no origin configured for a CT log's checkpoint, no signature of the log key).
 */
import { decodeBase64, decodeDigitallySigned, decodeHubTimestampedEntry, encodeTreeHeadSignature } from '../codec/index.ts';
import type { SignedHead } from '../evidence/index.ts';
import { formatNote, parseNote, rfc6962NoteSignature, verifierFromVkey } from '../note/index.ts';
import { MonitorError } from './errors.ts';
import type { MonitoredLog } from './logs.ts';

export interface BlobSubmission {
  readonly blob: Buffer;
  readonly signature: Buffer;
}

export function hubSubmissionOf(head: SignedHead, log: MonitoredLog): BlobSubmission {
  switch (head.format) {
    case 'rfc6962-sth': {
      const root = decodeBase64(head.sth.sha256_root_hash);
      const blob = encodeTreeHeadSignature({ timestamp: head.sth.timestamp, treeSize: head.sth.tree_size, sha256RootHash: root });
      return { blob, signature: decodeDigitallySigned(decodeBase64(head.sth.tree_head_signature)).signature };
    }
    case 'checkpoint': {
      const note = parseNote(head.note);
      const v = verifierFromVkey(log.spec.vkey ?? '');
      const sig = note.signatures.find((s) => s.name === v.name && s.keyId === v.keyId);
      if (!sig) throw new MonitorError('BAD_RESPONSE', `log ${log.name}: the checkpoint carries no signature of the configured key`);
      return { blob: Buffer.from(note.text, 'utf8'), signature: Buffer.from(sig.signature) };
    }
    case 'hub-entry': {
      const e = decodeHubTimestampedEntry(decodeBase64(head.entry));
      return { blob: e.blobData, signature: e.sourceSignature };
    }
    case 'hub-sth':
      throw new MonitorError('BAD_RESPONSE', `log ${log.name}: a hub's own head is not a source head`);
  }
}

/** The signed checkpoint note of a head, for a witness. */
export function checkpointNoteOf(head: SignedHead, log: MonitoredLog): string {
  if (head.format === 'checkpoint') return head.note;
  if (log.spec.type !== 'rfc6962' || log.spec.publicKey === undefined || log.spec.origin === undefined) {
    throw new MonitorError(
      'BAD_RESPONSE',
      `log ${log.name}: a CT head goes to a witness as a checkpoint, which needs the log's origin in the config`,
    );
  }
  let th: { timestamp: number; treeSize: number; root: Buffer; signature: Buffer; ds: ReturnType<typeof decodeDigitallySigned> };
  if (head.format === 'rfc6962-sth') {
    const ds = decodeDigitallySigned(decodeBase64(head.sth.tree_head_signature));
    th = {
      timestamp: head.sth.timestamp,
      treeSize: head.sth.tree_size,
      root: decodeBase64(head.sth.sha256_root_hash),
      signature: ds.signature,
      ds,
    };
  } else {
    throw new MonitorError('BAD_RESPONSE', `log ${log.name}: a ${head.format} head cannot be sent to a witness`);
  }
  const origin = log.spec.origin;
  const text = `${origin}\n${th.treeSize}\n${th.root.toString('base64')}\n`;
  return formatNote({ text, signatures: [rfc6962NoteSignature(origin, log.spec.publicKey.spki, th.timestamp, th.ds)] });
}
