/**
 * Wire structures of Google's Gossip Hub (trillian-examples `gossip/api`,
 * specs/gossip-hub.md §2), byte-exact with the original's ct-go `tls`
 * encoding: big-endian, `maxlen:65535` ⇒ 2-byte length prefix, `minlen`
 * enforced on both encode and decode.
 *
 * Hub timestamps are NANOSECONDS since the epoch (§2.1, §2.3). Today's values
 * (~1.7e18) are far above 2^53, so they are `bigint` here, unlike RFC 6962's
 * millisecond timestamps, which are `number`. Tree sizes stay `number`.
 */
import { CodecError } from './errors.ts';
import { TlsReader, TlsWriter } from './tls.ts';

const U16_MAX = 0xffff;
const utf8 = new TextDecoder('utf-8', { fatal: true });
/** In a `u` regex a surrogate pair is one code point, so only unpaired halves match. */
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * gossip-hub.md §2.1 (Go `api.TimestampedEntry`), the Merkle leaf value:
 *
 *     struct {
 *       opaque source_id<1..65535>;
 *       opaque head_data<1..65535>;          // Go: BlobData
 *       opaque source_signature<0..65535>;
 *       uint64 hub_timestamp;                // nanoseconds
 *     } TimestampedEntry;
 *
 * No version and no domain-separation byte: that is the original's format.
 */
export interface HubTimestampedEntry {
  /** The source ID (a string in the JSON API; its UTF-8 bytes on the wire). */
  readonly sourceId: string;
  readonly blobData: Buffer;
  /** The source's raw signature over blobData (not a DigitallySigned). */
  readonly sourceSignature: Buffer;
  /** Nanoseconds since the epoch. */
  readonly hubTimestamp: bigint;
}

function sourceIdBytes(id: string): Buffer {
  // A lone surrogate would be encoded as U+FFFD and not round-trip.
  if (LONE_SURROGATE.test(id)) throw new CodecError('BAD_VALUE', 'source_id: got a string with lone surrogates, want well-formed Unicode');
  return Buffer.from(id, 'utf8');
}

export function encodeHubTimestampedEntry(e: {
  readonly sourceId: string;
  readonly blobData: Uint8Array;
  readonly sourceSignature: Uint8Array;
  readonly hubTimestamp: bigint;
}): Buffer {
  const id = sourceIdBytes(e.sourceId);
  const w = new TlsWriter(6 + id.length + e.blobData.length + e.sourceSignature.length + 8);
  w.opaque(id, 1, U16_MAX, 'source_id');
  w.opaque(e.blobData, 1, U16_MAX, 'head_data');
  w.opaque(e.sourceSignature, 0, U16_MAX, 'source_signature');
  w.uint64Big(e.hubTimestamp, 'hub_timestamp');
  return w.finish();
}

/**
 * Strict decode: no trailing bytes (the original hub answers 500 on a stored
 * leaf with trailing data, §1.1 step 6), and source_id must be UTF-8
 * (CodecError BAD_VALUE) since it is a string everywhere else in the API.
 */
export function decodeHubTimestampedEntry(data: Uint8Array): HubTimestampedEntry {
  const r = new TlsReader(data, 'HubTimestampedEntry');
  const id = r.opaque(1, U16_MAX, 'source_id');
  const blobData = r.opaque(1, U16_MAX, 'head_data');
  const sourceSignature = r.opaque(0, U16_MAX, 'source_signature');
  const hubTimestamp = r.uint64Big('hub_timestamp');
  r.finish();
  let sourceId: string;
  try {
    sourceId = utf8.decode(id);
  } catch (err) {
    throw new CodecError('BAD_VALUE', 'HubTimestampedEntry: source_id is not UTF-8', { cause: err });
  }
  return { sourceId, blobData, sourceSignature, hubTimestamp };
}

/**
 * The bytes behind the original's `LeafIdentityHash` (§2.2): the entry with an
 * empty signature and a zero timestamp, so that identity is (source, blob)
 * only. The hub hashes this with plain SHA-256 (no 0x00 prefix).
 */
export function encodeHubLeafIdentity(sourceId: string, blobData: Uint8Array): Buffer {
  return encodeHubTimestampedEntry({ sourceId, blobData, sourceSignature: Buffer.alloc(0), hubTimestamp: 0n });
}

/**
 * gossip-hub.md §2.3 (Go `api.HubTreeHead`), the get-sth `head_data`:
 *
 *     struct {
 *       uint64 tree_size;
 *       uint64 timestamp;              // nanoseconds
 *       opaque root_hash<1..65535>;
 *     } HubTreeHead;
 *
 * Note the order (tree_size first) differs from RFC 6962's TreeHeadSignature.
 */
export interface HubTreeHead {
  readonly treeSize: number;
  /** Nanoseconds since the epoch. */
  readonly timestamp: bigint;
  /** 32 bytes in practice (SHA-256), but the format allows 1..65535. */
  readonly rootHash: Buffer;
}

export function encodeHubTreeHead(th: { readonly treeSize: number; readonly timestamp: bigint; readonly rootHash: Uint8Array }): Buffer {
  const w = new TlsWriter(18 + th.rootHash.length);
  w.uint64(th.treeSize, 'tree_size');
  w.uint64Big(th.timestamp, 'timestamp');
  w.opaque(th.rootHash, 1, U16_MAX, 'root_hash');
  return w.finish();
}

export function decodeHubTreeHead(data: Uint8Array): HubTreeHead {
  const r = new TlsReader(data, 'HubTreeHead');
  const treeSize = r.uint64('tree_size');
  const timestamp = r.uint64Big('timestamp');
  const rootHash = r.opaque(1, U16_MAX, 'root_hash');
  r.finish();
  return { treeSize, timestamp, rootHash };
}
