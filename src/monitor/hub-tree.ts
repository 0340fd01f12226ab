/**
 * A hub's tree as the auditor rebuilds it from get-entries: every entry is
 * decoded, its source signature checked with the key the *auditor's config*
 * gives for that source (get-source-keys is unauthenticated), and its leaf
 * hash appended to the compact range. When the range reaches a verified
 * hub head's size, equal roots prove at once that every entry is included
 * under that head (RFC 6962 §2.1: the root commits to every leaf) and that
 * the head extends the last accepted one (the range was built on it) — no
 * per-entry proof needed.
 *
 * Ownership: one HubTree per audited hub, mutated only by its audit loop.
 * Pure.
 */
import { decodeHubTimestampedEntry, type HubTimestampedEntry } from '../codec/index.ts';
import { GrapevineError } from '../errors.ts';
import type { TrackedSource } from '../hub/index.ts';
import { CompactRange, hashLeaf } from '../merkle/index.ts';

export type EntryCheck =
  | { readonly status: 'ok'; readonly entry: HubTimestampedEntry; readonly source: TrackedSource }
  /** A source the auditor does not follow: included in the tree, nothing else checked. */
  | { readonly status: 'unknown-source'; readonly entry: HubTimestampedEntry }
  /** The hub logged a blob whose source signature does not verify under the configured key. */
  | { readonly status: 'bad-source-signature'; readonly entry: HubTimestampedEntry; readonly source: TrackedSource }
  /** Not a TimestampedEntry at all. */
  | { readonly status: 'malformed'; readonly why: string };

export interface AuditedEntry {
  readonly index: number;
  readonly value: Buffer;
  readonly leafHash: Buffer;
  readonly check: EntryCheck;
}

/** Checks one entry against the sources the auditor follows (id → source). */
export function checkEntry(value: Buffer, sources: ReadonlyMap<string, TrackedSource>): EntryCheck {
  let entry: HubTimestampedEntry;
  try {
    entry = decodeHubTimestampedEntry(value);
  } catch (err) {
    if (err instanceof GrapevineError) return { status: 'malformed', why: err.message };
    throw err;
  }
  const source = sources.get(entry.sourceId);
  if (!source) return { status: 'unknown-source', entry };
  // specs/gossip-hub.md §3.2: the source's signature over exactly the blob.
  return source.verify(entry.blobData, entry.sourceSignature)
    ? { status: 'ok', entry, source }
    : { status: 'bad-source-signature', entry, source };
}

export class HubTree {
  #range: CompactRange;

  constructor(range: CompactRange = CompactRange.empty()) {
    this.#range = range;
  }

  get size(): number {
    return this.#range.size;
  }

  root(): Buffer {
    return this.#range.root();
  }

  /** The compact range (largest subtree first), for persisting. */
  hashes(): Buffer[] {
    return this.#range.hashes();
  }

  clone(): HubTree {
    return new HubTree(this.#range.clone());
  }

  /** Appends entries that start at index `size`; returns them checked. */
  append(values: readonly Buffer[], sources: ReadonlyMap<string, TrackedSource>): AuditedEntry[] {
    return values.map((value) => {
      const index = this.#range.size;
      const leafHash = hashLeaf(value);
      this.#range.append(leafHash);
      return { index, value, leafHash, check: checkEntry(value, sources) };
    });
  }
}
