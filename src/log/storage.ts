/**
 * The storage contract the log core needs. Declared here, by its consumer;
 * implemented by src/storage/sqlite and src/storage/postgres, and checked by
 * one shared contract suite (test/storage/contract.ts) run against each.
 *
 * General rules for every method:
 * - Durability: a resolved promise means the write is persisted (survives
 *   kill -9 of the process; with the default settings, power loss too).
 * - Consistency: read-after-write within one LogStorage instance. Between
 *   instances (several frontends on one PostgreSQL), reads see every write
 *   that resolved before the read started.
 * - Concurrency: every method may be called concurrently with any other,
 *   from any number of processes. The only coordination the caller must do is
 *   the compare-and-swap in `integrate` (and the lease, to avoid wasted work).
 * - Retries: storage does not retry. Transient failures surface as
 *   StorageError UNAVAILABLE; callers (sequencer loop, HTTP handlers) decide.
 * - Not found: reads return `null`/empty arrays; only writes throw for
 *   missing trees (StorageError NOT_FOUND).
 */
import type { TileId } from '../merkle/index.ts';

/**
 * Longest `labelRank`, bytes. Enough for a few 64-bit fields (the hub uses
 * three); bounded so the label index stays small.
 */
export const MAX_LABEL_RANK_BYTES = 64;

/** A tree's identity and static metadata. */
export interface TreeInfo {
  readonly id: number;
  /** Unique, chosen by the operator (e.g. the hub prefix). */
  readonly name: string;
  /** DER SPKI of the key that signs this tree's roots; checked at start so a wrong key file is refused. */
  readonly publicKey: Buffer;
  /** Free-form tag: 'log', 'hub', 'ct'. */
  readonly personality: string;
  readonly createdAt: number;
}

/** A leaf as the personality hands it over, hashes already computed. */
export interface NewLeaf {
  /** Dedup key (32 bytes): a second leaf with the same identity hash in the same tree is never stored. */
  readonly identityHash: Buffer;
  /** RFC 6962 leaf hash of `value`. */
  readonly leafHash: Buffer;
  /** The leaf input, as hashed. */
  readonly value: Buffer;
  /** Stored with the leaf, not hashed, immutable. */
  readonly extraData: Buffer | null;
  /** Optional secondary key a personality can query by (e.g. a hub source id). */
  readonly label: string | null;
  /**
   * Orders the leaves of one label for `latestLeafByLabel`: bytes compared
   * lexicographically (memcmp; a proper prefix sorts first), the greatest
   * answers. Absent means empty (the lowest rank). At most
   * MAX_LABEL_RANK_BYTES; stored with the leaf, immutable (a duplicate never
   * changes the original's rank). Meaningless without a label.
   */
  readonly labelRank?: Buffer;
  /** Milliseconds since the epoch, chosen by the personality (usually inside `value` too). */
  readonly queuedAt: number;
}

export interface StoredLeaf extends NewLeaf {
  /** As stored; empty when the leaf was queued without one. */
  readonly labelRank: Buffer;
  /** Position in the tree, or null while queued. */
  readonly index: number | null;
}

export interface QueueResult {
  readonly leaf: StoredLeaf;
  /** True when `leaf` is the pre-existing leaf with the same identity hash. */
  readonly duplicate: boolean;
}

/** A queued leaf waiting for the sequencer, in queue order. */
export interface PendingLeaf {
  /** Opaque storage handle, passed back to `integrate`. */
  readonly queueId: number;
  readonly leafHash: Buffer;
  /**
   * The leaf's queuedAt: the time its personality promised it (an SCT's or
   * SGT's timestamp). The sequencer keeps every head's timestamp at or after
   * the queuedAt of each leaf it integrates (RFC 6962 §3.5: an STH timestamp
   * "MUST be at least as recent as the most recent SCT timestamp in the
   * tree"), whatever the skew between the frontends' and its own clock.
   */
  readonly queuedAt: number;
}

/**
 * The state of a tree after an integration, with the core's signature over its LogRoot, as storage keeps it.
 * (Not a personality's signed head: RFC 6962's is codec/ct.ts TreeHead, the hub's codec/hub.ts HubTreeHead.)
 */
export interface StoredHead {
  readonly revision: number;
  readonly size: number;
  readonly rootHash: Buffer;
  /** Milliseconds since the epoch. */
  readonly timestamp: number;
  /** Right edge of the tree: one hash per set bit of `size`, largest subtree first. */
  readonly compactRange: Buffer[];
  /** The encoded LogRoot (src/log/log-root.ts) and the tree key's signature over it. */
  readonly logRoot: Buffer;
  readonly signature: Buffer;
}

export interface TileWrite {
  readonly id: TileId;
  /** The whole bottom row as known after this integration (width = data.length / 32). */
  readonly data: Buffer;
}

export interface Integration {
  /** Compare-and-swap guard: the revision the sequencer built on. */
  readonly expectedRevision: number;
  /** Leaves to mark as sequenced; leaf i gets index firstIndex + i. */
  readonly firstIndex: number;
  readonly queueIds: readonly number[];
  readonly tiles: readonly TileWrite[];
  /** The new head; its revision must be expectedRevision + 1. */
  readonly head: StoredHead;
}

export interface LogStorage {
  /** Creates a tree and its first head (revision 0) atomically. StorageError ALREADY_EXISTS if the name is taken. */
  createTree(spec: Omit<TreeInfo, 'id' | 'createdAt'>, head: StoredHead, now: number): Promise<TreeInfo>;
  getTree(name: string): Promise<TreeInfo | null>;
  listTrees(): Promise<TreeInfo[]>;

  /**
   * Queues leaves, deduplicating on identity hash against everything already
   * stored (queued or sequenced) and within the batch (the first wins).
   * Results are in input order. Durable on resolve.
   */
  queueLeaves(treeId: number, leaves: readonly NewLeaf[]): Promise<QueueResult[]>;

  /** Up to `limit` unsequenced leaves in queue order. */
  pendingLeaves(treeId: number, limit: number): Promise<PendingLeaf[]>;
  /** Number of unsequenced leaves (for metrics and health). */
  pendingCount(treeId: number): Promise<number>;

  /**
   * Atomically: marks the leaves sequenced, writes the tiles and stores the
   * new head, if and only if the tree's latest revision is still
   * `expectedRevision`. Otherwise writes nothing and throws StorageError
   * CONFLICT, so two sequencers can never sign diverging roots.
   */
  integrate(treeId: number, integration: Integration): Promise<void>;

  /** The latest head, or null if the tree does not exist. */
  latestHead(treeId: number): Promise<StoredHead | null>;
  /** A past head by revision (heads are kept forever for audit). */
  headAtRevision(treeId: number, revision: number): Promise<StoredHead | null>;

  /** Tiles by id, in order; undefined where a tile does not exist yet. */
  getTiles(treeId: number, ids: readonly TileId[]): Promise<(Buffer | undefined)[]>;

  /** Sequenced leaves with start ≤ index < end, ascending, stopping at the first gap. */
  leavesByRange(treeId: number, start: number, end: number): Promise<StoredLeaf[]>;
  /** Leaves (queued or sequenced) with this leaf hash, sequenced first by index. */
  leavesByLeafHash(treeId: number, leafHash: Buffer): Promise<StoredLeaf[]>;
  leafByIdentityHash(treeId: number, identityHash: Buffer): Promise<StoredLeaf | null>;
  /**
   * The latest leaf with this label: among the leaves (queued or sequenced)
   * with this label, the one with the greatest `labelRank` (memcmp order, a
   * proper prefix first); among equal ranks, the most recently queued (the
   * greatest queue order). So leaves queued without a rank answer by queue
   * order alone. The rank makes the answer independent of which frontend
   * queued what when: it is a pure function of the stored leaves, with no
   * compare-and-set needed. One index lookup in both backends.
   */
  latestLeafByLabel(treeId: number, label: string): Promise<StoredLeaf | null>;

  /**
   * Leader lease for the sequencer of one tree: true when `holder` holds the
   * lease until now + ttlMs after the call (acquired or renewed), false when
   * another holder's lease is still live. Time is the database's clock where it
   * has one, so frontends' clock skew does not matter.
   */
  acquireLease(treeId: number, holder: string, ttlMs: number): Promise<boolean>;
  releaseLease(treeId: number, holder: string): Promise<void>;

  /** Cheap liveness probe for health endpoints. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
