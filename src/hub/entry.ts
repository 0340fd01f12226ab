/**
 * The hub's Merkle leaf (specs/gossip-hub.md §2.1–§2.2): the TLS
 * TimestampedEntry, its RFC 6962 leaf hash and its identity hash. Pure.
 */
import { createHash } from 'node:crypto';
import { encodeHubLeafIdentity, encodeHubTimestampedEntry } from '../codec/index.ts';
import { hashLeaf } from '../merkle/index.ts';

export interface BuiltEntry {
  /** TLS TimestampedEntry: the leaf value, and exactly what the SGT signs (§2.4). */
  readonly value: Buffer;
  /** SHA256(0x00 || value) (§2.2, RFC 6962 §2.1): what get-proof-by-hash takes. */
  readonly leafHash: Buffer;
  /** §2.2 identity: SHA-256 over the entry with an empty signature and a zero timestamp, so identity = (source, blob). */
  readonly identityHash: Buffer;
}

/**
 * §2.2 `LeafIdentityHash` = SHA-256(TLS(TimestampedEntry{source, blob, sig=empty, ts=0})), no 0x00 prefix.
 * Bit-compatible with the original, so a log migrated from it dedups the same way.
 */
export function identityHash(sourceId: string, blob: Uint8Array): Buffer {
  return createHash('sha256').update(encodeHubLeafIdentity(sourceId, blob)).digest();
}

/** §2.2 `buildLeaf`; `hubTimestamp` in nanoseconds. Pass `idHash` when already computed. */
export function buildEntry(sourceId: string, blob: Uint8Array, signature: Uint8Array, hubTimestamp: bigint, idHash?: Buffer): BuiltEntry {
  const value = encodeHubTimestampedEntry({ sourceId, blobData: blob, sourceSignature: signature, hubTimestamp });
  return { value, leafHash: hashLeaf(value), identityHash: idHash ?? identityHash(sourceId, blob) };
}

/** Milliseconds → the hub's nanosecond timestamps (§2.1, §2.3). */
export function msToNs(ms: number): bigint {
  return BigInt(Math.trunc(ms)) * 1_000_000n;
}
