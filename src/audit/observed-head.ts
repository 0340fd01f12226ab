/**
 * One normalized view of a signed tree head, whatever signed it: an RFC 6962
 * STH (RFC 6962 §4.3), a C2SP checkpoint (c2sp.org/tlog-checkpoint, any note
 * key type including the static-ct-api RFC 6962 note signature), or a Gossip
 * Hub tree head (specs/gossip-hub.md §2.3). Everything that watches logs —
 * the hub's audit of its core, the gossip service, the witness, the auditor —
 * compares heads in this form, and keeps the original signed bytes beside it
 * as evidence.
 *
 * Pure: callers verify the signature before building an ObservedHead (the
 * type records a head *already verified* under the log's key) and pass the
 * time in.
 */
import { createHash } from 'node:crypto';
import { checkSize, HASH_SIZE } from '../merkle/index.ts';
import { AuditError } from './errors.ts';

/** How the head was encoded and signed when it was observed. */
export type HeadFormat = 'rfc6962-sth' | 'checkpoint' | 'hub-sth';

/** The part of a head that consistency is about. */
export interface HeadPoint {
  /** Number of leaves; a safe integer ≥ 0. */
  readonly size: number;
  /** RFC 6962 §2.1 Merkle Tree Hash of the first `size` leaves, 32 bytes. */
  readonly rootHash: Uint8Array;
}

/** A verified signed head of any format, with who observed it and when: what observers compare. */
export interface ObservedHead extends HeadPoint {
  /**
   * Which log the head is of, as lowercase hex (see `logIdOfKey`,
   * `logIdOfOrigin`). Heads are compared only within one log.
   */
  readonly log: string;
  readonly format: HeadFormat;
  /** The log's own timestamp, ms since the epoch; null when the format has none (a checkpoint). */
  readonly timestampMs: number | null;
  /** The signed head exactly as received (get-sth JSON, note text, hub get-sth JSON): the evidence. */
  readonly signed: Uint8Array;
  /** Who observed it (a hub prefix, a gossip peer, a witness, a URL polled). */
  readonly observer: string;
  /** When it was observed, ms since the epoch. */
  readonly observedAtMs: number;
}

/**
 * The log id of a log identified by its key: lowercase hex SHA-256 of the
 * DER SubjectPublicKeyInfo. For RFC 6962 logs this is the RFC 6962 §3.2
 * LogID; the seed gossip draft's `log-id` is the same hash of the log key.
 */
export function logIdOfKey(spkiDer: Uint8Array): string {
  return createHash('sha256').update(spkiDer).digest('hex');
}

/**
 * The log id of a checkpoint log known by its origin line: lowercase hex
 * SHA-256("o:" || origin), transparency-dev/formats `log.ID`.
 */
export function logIdOfOrigin(origin: string): string {
  return createHash('sha256').update('o:', 'utf8').update(origin, 'utf8').digest('hex');
}

/** AuditError BAD_HEAD unless `h` has a safe size and a 32-byte root. */
export function checkHeadPoint(what: string, h: HeadPoint): void {
  try {
    checkSize(`${what} size`, h.size);
  } catch (err) {
    throw new AuditError('BAD_HEAD', `${what}: size ${h.size} is not a safe integer ≥ 0`, { cause: err });
  }
  if (h.rootHash.length !== HASH_SIZE) {
    throw new AuditError('BAD_HEAD', `${what}: got a ${h.rootHash.length}-byte root hash, want ${HASH_SIZE}`);
  }
}
