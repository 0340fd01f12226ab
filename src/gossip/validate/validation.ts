/**
 * What validating gossip-data yields (gossip-data.ts decides it; evidence.ts
 * decides it for evidence documents). Types and the discard reasons only.
 */
import type { SignedTreeHead } from '../../codec/index.ts';
import type { KnownLog } from './known-logs.ts';

export type GossipDataKind = 'rfc6962-sth' | 'checkpoint' | 'sct' | 'evidence';

/** Why a message was silently discarded (§5.1); each is a metrics label. */
export const DISCARD_REASONS = ['unknown-log', 'unknown-kind', 'malformed', 'bad-signature', 'wrong-log', 'stale', 'future'] as const;
export type DiscardReason = (typeof DISCARD_REASONS)[number];

/** The part of a validated head the service compares and ages. */
export interface ValidatedHead {
  readonly size: number;
  readonly rootHash: Buffer;
  /** The log's own timestamp, ms (null for a checkpoint without an RFC 6962 signature). */
  readonly timestampMs: number | null;
}

export interface ValidatedGossip {
  readonly kind: GossipDataKind;
  readonly log: KnownLog;
  /** The gossip-data exactly as received. */
  readonly data: Buffer;
  /** For rfc6962-sth and checkpoint. */
  readonly head: ValidatedHead | null;
  /** For rfc6962-sth: the parsed STH. */
  readonly sth: SignedTreeHead | null;
}

export type Validation =
  | { readonly ok: true; readonly value: ValidatedGossip }
  | { readonly ok: false; readonly reason: DiscardReason; readonly detail: string };
