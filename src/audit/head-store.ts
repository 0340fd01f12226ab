/**
 * Where an observer keeps the latest head it accepted, per key: the witness
 * per origin (c2sp.org/tlog-witness: "the witness MUST … atomically" check
 * the old size and record the new checkpoint), the hub per instance for the
 * heads it served, the gossip service and the auditor per log. Declared here,
 * by its consumers; implemented in src/storage/{memory,sqlite,postgres} and
 * checked by one contract suite (test/storage/head-store-contract.ts).
 *
 * Contract:
 * - Durability: a `compareAndSwap` that resolves `true` has persisted the
 *   record (SQLite synchronous=FULL, PostgreSQL commit); it survives a crash
 *   from the moment the promise resolves. Memory stores say otherwise.
 * - Consistency: read-after-write per key within a process, and across
 *   processes sharing a database (every read sees every swap resolved before
 *   it started).
 * - Concurrency: safe to call in parallel. Concurrent swaps of one key with
 *   one expected revision: exactly one resolves `true`. Implementations may
 *   group concurrent calls into one transaction, deciding them in call order.
 * - Revisions: the first record of a key has revision 1; each successful swap
 *   adds 1. Nothing is ever deleted or rolled back.
 * - Not found: `get` resolves null. Errors: StorageError (src/log/errors.ts),
 *   UNAVAILABLE when the outcome is unknown (the caller reads again before
 *   retrying; it never assumes the swap failed).
 */

/** What is stored per key. */
export interface HeadRecord {
  /** Tree size of the head. */
  readonly size: number;
  /** Its root hash (32 bytes). */
  readonly rootHash: Uint8Array;
  /** The consumer's own encoding of everything else (e.g. the cosigned checkpoint), opaque to the store. At most 64 KiB. */
  readonly body: Uint8Array;
}

export interface StoredHeadRecord extends HeadRecord {
  readonly key: string;
  /** 1 for the first record of the key, +1 per successful swap. */
  readonly revision: number;
}

export interface HeadStore {
  /** The latest record of `key`, or null when none was ever stored. */
  get(key: string): Promise<StoredHeadRecord | null>;
  /**
   * Stores `next` as the record of `key` iff its current revision is
   * `expectedRevision` (0: no record yet). Resolves true once persisted,
   * false when the revision had moved (nothing written; read again).
   */
  compareAndSwap(key: string, expectedRevision: number, next: HeadRecord): Promise<boolean>;
}

/** Largest `body` a HeadStore must accept, bytes. */
export const MAX_HEAD_BODY_BYTES = 64 * 1024;
