/**
 * What each source kind's blob must be (specs/gossip-hub.md §3.3), and the
 * "later than" order get-latest-for-src uses (§1.7 `entryIsLater`).
 *
 * Pure: bytes in, parsed values out, CodecError/CheckpointError/NoteError
 * wrapped as HubError BAD_STRUCTURE.
 */
import { parseCheckpoint, SUMDB_ORIGIN } from '../checkpoint/index.ts';
import { decodeHubTreeHead, decodeTreeHeadSignature, TREE_HEAD_SIGNATURE_SIZE } from '../codec/index.ts';
import { HASH_SIZE } from '../merkle/index.ts';
import { checkNoteText } from '../note/index.ts';
import { HubError } from './errors.ts';
import type { SourceKind, TrackedSource } from './source.ts';

/** A blob that passed its kind's structure check, with the fields that order it. */
export type ParsedBlob =
  | { readonly kind: 'UNKNOWN' }
  /** RFC 6962 §3.5 TreeHeadSignature; `timestamp` in ms. */
  | { readonly kind: 'RFC6962STH'; readonly treeSize: number; readonly timestamp: number; readonly rootHash: Buffer }
  /** c2sp.org/tlog-checkpoint note text (GONOTARY: origin "go.sum database tree"). */
  | { readonly kind: 'CHECKPOINT' | 'GONOTARY'; readonly origin: string; readonly treeSize: number; readonly rootHash: Buffer }
  /** Another hub's HubTreeHead (§2.3); `timestamp` in ns. */
  | { readonly kind: 'GOSSIPHUB'; readonly treeSize: number; readonly timestamp: bigint; readonly rootHash: Buffer };

const utf8 = new TextDecoder('utf-8', { fatal: true });

function structure(source: TrackedSource, why: string, cause?: unknown): HubError {
  return new HubError(
    'BAD_STRUCTURE',
    `blob for ${source.kind} source ${JSON.stringify(source.id)}: ${why}`,
    cause === undefined ? undefined : { cause },
  );
}

/**
 * Checks `blob` against `source.kind` (§3.3, run after the signature check).
 * Where the original was lax we take the strict reading, as STYLE.md §11 asks:
 * - RFC6962STH: exactly the 50 bytes, and version v1 / signature_type
 *   tree_hash (the original only checked the length), so an SCT signing
 *   input can never pass as a tree head;
 * - GONOTARY: exactly three lines, origin "go.sum database tree" (as the
 *   original), root exactly 32 bytes;
 * - CHECKPOINT: valid note text and a c2sp.org/tlog-checkpoint body with a
 *   32-byte root, origin pinned when the source config says so;
 * - GOSSIPHUB: a HubTreeHead with no trailing bytes and a 32-byte root.
 */
export function parseBlob(source: TrackedSource, blob: Buffer): ParsedBlob {
  switch (source.kind) {
    case 'UNKNOWN':
      return { kind: 'UNKNOWN' };
    case 'RFC6962STH': {
      if (blob.length !== TREE_HEAD_SIGNATURE_SIZE)
        throw structure(source, `got ${blob.length} bytes, want a ${TREE_HEAD_SIGNATURE_SIZE}-byte TreeHeadSignature`);
      try {
        const th = decodeTreeHeadSignature(blob);
        return { kind: 'RFC6962STH', treeSize: th.treeSize, timestamp: th.timestamp, rootHash: th.sha256RootHash };
      } catch (err) {
        throw structure(source, `not an RFC 6962 TreeHeadSignature: ${(err as Error).message}`, err);
      }
    }
    case 'CHECKPOINT':
    case 'GONOTARY': {
      let text: string;
      try {
        text = utf8.decode(blob);
        // c2sp.org/signed-note §Format: the text is UTF-8, ends in a newline, holds no control characters but "\n".
        checkNoteText(text);
      } catch (err) {
        throw structure(source, `not signed-note text: ${(err as Error).message}`, err);
      }
      try {
        const origin = source.kind === 'GONOTARY' ? SUMDB_ORIGIN : source.origin;
        const cp = parseCheckpoint(text, origin === undefined ? {} : { origin });
        // §3.3 GONOTARY: "exactly three \n-terminated lines".
        if (source.kind === 'GONOTARY' && cp.extensions.length > 0)
          throw structure(source, `got ${3 + cp.extensions.length} lines, want exactly 3`);
        return { kind: source.kind, origin: cp.origin, treeSize: cp.size, rootHash: cp.rootHash };
      } catch (err) {
        if (err instanceof HubError) throw err;
        throw structure(source, `not a checkpoint: ${(err as Error).message}`, err);
      }
    }
    case 'GOSSIPHUB': {
      try {
        const th = decodeHubTreeHead(blob);
        if (th.rootHash.length !== HASH_SIZE) throw structure(source, `got a ${th.rootHash.length}-byte root hash, want ${HASH_SIZE}`);
        return { kind: 'GOSSIPHUB', treeSize: th.treeSize, timestamp: th.timestamp, rootHash: th.rootHash };
      } catch (err) {
        if (err instanceof HubError) throw err;
        throw structure(source, `not a HubTreeHead: ${(err as Error).message}`, err);
      }
    }
  }
}

/**
 * The sort key of an entry for get-latest-for-src, compared
 * lexicographically (§1.7 `entryIsLater`): tree size then the source's own
 * timestamp for tree heads, tree size alone for notes (they carry no time),
 * and the hub timestamp for UNKNOWN blobs.
 */
export function orderKey(parsed: ParsedBlob, hubTimestamp: bigint): readonly bigint[] {
  switch (parsed.kind) {
    case 'UNKNOWN':
      return [hubTimestamp];
    case 'RFC6962STH':
      return [BigInt(parsed.treeSize), BigInt(parsed.timestamp)];
    case 'GOSSIPHUB':
      return [BigInt(parsed.treeSize), parsed.timestamp];
    case 'CHECKPOINT':
    case 'GONOTARY':
      return [BigInt(parsed.treeSize)];
  }
}

/** §1.7: true when `a` is strictly later than `b` (equal keys are not later, so the first such entry stays latest). */
export function isLater(a: readonly bigint[], b: readonly bigint[]): boolean {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i] ?? -1n;
    const y = b[i] ?? -1n;
    if (x !== y) return x > y;
  }
  return false;
}

const U64_MAX = (1n << 64n) - 1n;

const clampU64 = (v: bigint): bigint => (v < 0n ? 0n : v > U64_MAX ? U64_MAX : v);

/**
 * The label rank of an entry (LogStorage.latestLeafByLabel answers the
 * greatest rank in memcmp order), so the stored answer follows §1.7 with no
 * help from the process that labelled it:
 * - each element of `key` (`orderKey`) as a fixed-width 8-byte big-endian
 *   unsigned integer: for keys of one length, memcmp order is then the
 *   element-wise order `isLater` uses;
 * - then 2^64-1 - hubTimestamp (ns), 8 bytes: among equal keys the entry
 *   with the earliest hub timestamp ranks highest, because "equal keys are
 *   not later, so the first such entry stays".
 * Precondition: ranks are compared only between keys of one length, i.e.
 * one source kind (a source's kind is fixed by its configuration). Values
 * are clamped to [0, 2^64-1]; wire fields are uint64, so no real entry is
 * changed by that.
 */
export function labelRank(key: readonly bigint[], hubTimestamp: bigint): Buffer {
  const out = Buffer.alloc(8 * (key.length + 1));
  for (const [i, v] of key.entries()) out.writeBigUInt64BE(clampU64(v), 8 * i);
  out.writeBigUInt64BE(U64_MAX - clampU64(hubTimestamp), 8 * key.length);
  return out;
}

/** The kinds whose "latest" depends on blob content (and so needs a comparison before labelling). */
export function isOrderedKind(kind: SourceKind): boolean {
  return kind !== 'UNKNOWN';
}
