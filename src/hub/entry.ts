/**
 * The hub's Merkle leaf (specs/gossip-hub.md §2.1–§2.2): the TLS
 * TimestampedEntry, its RFC 6962 leaf hash and its identity hash. Pure.
 */
import { createHash, hash as oneShotHash } from 'node:crypto';
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

const U16_MAX = 0xffff;
/** SHA-256 of small inputs: one-shot `crypto.hash` where the runtime has it (Node ≥ 20.12), else a Hash object. */
const sha256: (data: Uint8Array) => Buffer =
  typeof oneShotHash === 'function'
    ? (data) => oneShotHash('sha256', data, 'buffer') as Buffer
    : (data) => createHash('sha256').update(data).digest();

/**
 * The entries of one source, byte for byte what `encodeHubTimestampedEntry`
 * and `identityHash` give (test/hub/entry.test.ts checks both), with the
 * source id encoded once: the add-signed-blob hot path builds one identity
 * and one entry per submission without the general encoder's per-field work.
 * Immutable; safe to share.
 *
 * Precondition: `sourceId` is a configured source's id (1..1024 UTF-8 bytes,
 * hub/source.ts); blobs and signatures are within their TLS bounds
 * (hub/wire.ts checks them at the edge). Violations throw RangeError.
 */
export class SourceEntries {
  /** u16 length ‖ UTF-8 source id. */
  readonly #id: Buffer;

  constructor(sourceId: string) {
    const id = Buffer.from(sourceId, 'utf8');
    if (id.length < 1 || id.length > U16_MAX) throw new RangeError(`source id: got ${id.length} bytes, want 1..${U16_MAX}`);
    this.#id = Buffer.allocUnsafe(2 + id.length);
    this.#id.writeUInt16BE(id.length, 0);
    id.copy(this.#id, 2);
  }

  /** §2.2 identity hash of `blob` from this source. */
  identityHash(blob: Uint8Array): Buffer {
    const b = this.#frame(blob, 0, Buffer.allocUnsafe);
    b.fill(0, b.length - 10); // source_signature<0> and hub_timestamp 0
    return sha256(b);
  }

  /** §2.1 TimestampedEntry; `hubTimestamp` in nanoseconds. */
  entry(blob: Uint8Array, signature: Uint8Array, hubTimestamp: bigint): Buffer {
    if (signature.length > U16_MAX) throw new RangeError(`source_signature: got ${signature.length} bytes, want at most ${U16_MAX}`);
    // Its own memory, not a slice of Node's shared 8 KiB pool: the entry goes to the SQLite writer thread, and a
    // structured clone copies a view's whole backing buffer.
    const b = this.#frame(blob, signature.length, Buffer.allocUnsafeSlow);
    let at = b.length - 10 - signature.length;
    at = b.writeUInt16BE(signature.length, at);
    b.set(signature, at);
    b.writeBigUInt64BE(hubTimestamp, at + signature.length);
    return b;
  }

  /** id ‖ u16 blob length ‖ blob, in a buffer with room for a signature of `sigLength` bytes, its length and a timestamp. */
  #frame(blob: Uint8Array, sigLength: number, alloc: (size: number) => Buffer): Buffer {
    if (blob.length < 1 || blob.length > U16_MAX) throw new RangeError(`head_data: got ${blob.length} bytes, want 1..${U16_MAX}`);
    const id = this.#id;
    const b = alloc(id.length + 2 + blob.length + 2 + sigLength + 8);
    id.copy(b, 0);
    b.writeUInt16BE(blob.length, id.length);
    b.set(blob, id.length + 2);
    return b;
  }
}
