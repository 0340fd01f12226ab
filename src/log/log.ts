/**
 * One log: a Merkle tree with its own signing key, as a personality sees it.
 * Queues leaves (deduplicated by identity hash, group-committed), and serves
 * heads, leaves and proofs, each in O(log n) storage reads via tiles.
 *
 * Sequencing is not here: see sequencer.ts. Any number of Log instances (in
 * any number of processes) may serve one tree; one Sequencer integrates.
 *
 * Concurrency: all methods may interleave. `#served` only grows (the highest
 * revision handed out), so a lagging storage read never makes this process
 * serve an older root than it already served.
 */
import type { Logger } from 'pino';
import type { PublicKey, Signer } from '../crypto/index.ts';
import { parsePublicKey } from '../crypto/index.ts';
import { CompactRange, consistencyPlan, HASH_SIZE, hashLeaf, inclusionPlan, ProofError, tileWidthAt } from '../merkle/index.ts';
import { LogError, StorageError } from './errors.ts';
import { signHead } from './head.ts';
import type { LogMetrics } from './metrics.ts';
import {
  type LogStorage,
  MAX_LABEL_RANK_BYTES,
  type NewLeaf,
  type QueueResult,
  type StoredHead,
  type StoredLeaf,
  type TreeInfo,
} from './storage.ts';
import { TileCache } from './tile-cache.ts';

export interface LeafInput {
  /** The leaf input: what is hashed into the tree. */
  readonly value: Buffer;
  /** Dedup key; defaults to the leaf hash, so identical values are stored once. */
  readonly identityHash?: Buffer;
  readonly extraData?: Buffer | null;
  readonly label?: string | null;
  /**
   * Orders the leaves of one label (LogStorage.latestLeafByLabel: greatest
   * rank in memcmp order, then the most recently queued). Defaults to empty;
   * at most MAX_LABEL_RANK_BYTES.
   */
  readonly labelRank?: Buffer;
  /** Milliseconds; defaults to the clock. */
  readonly queuedAt?: number;
}

export interface LogOptions {
  readonly storage: LogStorage;
  readonly tree: TreeInfo;
  readonly clock?: () => number;
  readonly metrics?: LogMetrics;
  readonly logger?: Logger;
  /** Shared tile cache (one per process is best). */
  readonly tiles?: TileCache;
  /** Most leaves one getLeaves call returns. */
  readonly maxLeavesPerRead?: number;
}

interface PendingQueue {
  leaves: NewLeaf[];
  resolve: (r: QueueResult[]) => void;
  reject: (e: unknown) => void;
}

/** Most leaves one group commit writes (a single larger call still goes alone). */
const MAX_GROUP_LEAVES = 4096;

export class Log {
  readonly tree: TreeInfo;
  readonly publicKey: PublicKey;
  readonly #storage: LogStorage;
  readonly #clock: () => number;
  readonly #metrics?: LogMetrics;
  readonly #tiles: TileCache;
  readonly #maxLeaves: number;
  #served: StoredHead | null = null;
  // Group commit: calls arriving while a write is in flight share the next one.
  #queue: PendingQueue[] = [];
  #flushing = false;

  constructor(opts: LogOptions) {
    this.tree = opts.tree;
    this.publicKey = parsePublicKey(opts.tree.publicKey);
    this.#storage = opts.storage;
    this.#clock = opts.clock ?? Date.now;
    this.#metrics = opts.metrics;
    this.#tiles = opts.tiles ?? new TileCache(opts.storage);
    this.#maxLeaves = opts.maxLeavesPerRead ?? 1000;
  }

  /** Creates a tree with a signed empty head (revision 0). Never overwrites: StorageError ALREADY_EXISTS. */
  static async create(storage: LogStorage, name: string, personality: string, signer: Signer, now = Date.now()): Promise<TreeInfo> {
    const head = signHead(signer, CompactRange.empty(), now, 0);
    return storage.createTree({ name, personality, publicKey: signer.publicKey.spki }, head, now);
  }

  /** Opens an existing tree, refusing a signer whose key is not the tree's. */
  static async open(
    storage: LogStorage,
    name: string,
    signer: Signer | null,
    opts: Omit<LogOptions, 'storage' | 'tree'> = {},
  ): Promise<Log> {
    const tree = await storage.getTree(name);
    if (!tree) throw new LogError('NO_SUCH_TREE', `no tree named ${JSON.stringify(name)}`);
    if (signer && !signer.publicKey.spki.equals(tree.publicKey)) {
      throw new LogError('WRONG_KEY', `the key given for tree ${JSON.stringify(name)} is not the key it was created with`);
    }
    return new Log({ ...opts, storage, tree });
  }

  /**
   * Queues leaves; resolves once they are durable. Each result is the new
   * leaf or, for a duplicate identity hash, the pre-existing one (its
   * original timestamp and, once sequenced, index).
   */
  async queueLeaves(inputs: readonly LeafInput[]): Promise<QueueResult[]> {
    const now = this.#clock();
    // Checked before the leaves join a group commit: a bad leaf in the shared
    // transaction would fail every other caller's leaves with it.
    const leaves = inputs.map((i) => newLeaf(i, now));
    const results = await new Promise<QueueResult[]>((resolve, reject) => {
      this.#queue.push({ leaves, resolve, reject });
      if (!this.#flushing) {
        this.#flushing = true;
        setImmediate(() => void this.#flush());
      }
    });
    const dups = results.filter((r) => r.duplicate).length;
    this.#metrics?.leavesQueued.inc({ tree: this.tree.name }, results.length - dups);
    if (dups) this.#metrics?.leavesDuplicate.inc({ tree: this.tree.name }, dups);
    return results;
  }

  async queueLeaf(input: LeafInput): Promise<QueueResult> {
    return (await this.queueLeaves([input]))[0];
  }

  async #flush(): Promise<void> {
    while (this.#queue.length > 0) {
      // Bounded transactions: SQLite runs them on the event loop, so one
      // huge group would stall every other request.
      let take = 0;
      let leaves = 0;
      while (take < this.#queue.length && (take === 0 || leaves + this.#queue[take].leaves.length <= MAX_GROUP_LEAVES)) {
        leaves += this.#queue[take].leaves.length;
        take++;
      }
      const batch = this.#queue.splice(0, take);
      try {
        const all = await this.#storage.queueLeaves(
          this.tree.id,
          batch.flatMap((b) => b.leaves),
        );
        let at = 0;
        for (const b of batch) {
          b.resolve(all.slice(at, at + b.leaves.length));
          at += b.leaves.length;
        }
      } catch (err) {
        for (const b of batch) b.reject(err);
      }
    }
    this.#flushing = false;
  }

  /** The latest signed head (never older than one this process already served). */
  async latestHead(): Promise<StoredHead> {
    return this.#latest();
  }

  async #latest(): Promise<StoredHead> {
    const head = await this.#storage.latestHead(this.tree.id);
    if (!head) throw new LogError('NO_SUCH_TREE', `tree ${this.tree.name} has no head`);
    if (!this.#served || head.revision > this.#served.revision) this.#served = head;
    this.#metrics?.reads.inc({ tree: this.tree.name, op: 'head' });
    return this.#served;
  }

  /** Sequenced leaves [start, end) clamped to the latest size and the per-read limit. */
  async getLeaves(start: number, end: number): Promise<StoredLeaf[]> {
    if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end < start) {
      throw new LogError('BAD_REQUEST', `bad range [${start}, ${end})`);
    }
    const head = await this.#latest();
    if (start >= head.size) throw new LogError('BAD_REQUEST', `start ${start} is beyond the tree size ${head.size}`);
    const stop = Math.min(end, head.size, start + this.#maxLeaves);
    this.#metrics?.reads.inc({ tree: this.tree.name, op: 'leaves' });
    return this.#storage.leavesByRange(this.tree.id, start, stop);
  }

  /** Leaves (sequenced first) with this leaf hash. */
  async getLeavesByHash(leafHash: Buffer): Promise<StoredLeaf[]> {
    return this.#storage.leavesByLeafHash(this.tree.id, leafHash);
  }

  async getLeafByIdentityHash(identityHash: Buffer): Promise<StoredLeaf | null> {
    return this.#storage.leafByIdentityHash(this.tree.id, identityHash);
  }

  async getLatestByLabel(label: string): Promise<StoredLeaf | null> {
    return this.#storage.latestLeafByLabel(this.tree.id, label);
  }

  /** RFC 6962 §2.1.1 audit path for leaf `index` in the tree of `size` (≤ latest size). */
  async getInclusionProof(index: number, size: number): Promise<Buffer[]> {
    await this.#checkSize(size);
    this.#metrics?.reads.inc({ tree: this.tree.name, op: 'inclusion' });
    try {
      return await this.#tiles.rangeHashes(this.tree.id, inclusionPlan(index, size));
    } catch (err) {
      throw asRequestError(err);
    }
  }

  /**
   * Inclusion proof by leaf hash: the first sequenced leaf with this hash
   * that lies inside `size`. LogError LEAF_NOT_FOUND otherwise.
   */
  async getInclusionProofByHash(leafHash: Buffer, size: number): Promise<{ index: number; proof: Buffer[] }> {
    await this.#checkSize(size);
    const leaves = await this.#storage.leavesByLeafHash(this.tree.id, leafHash);
    const leaf = leaves.find((l) => l.index !== null && l.index < size);
    if (!leaf || leaf.index === null)
      throw new LogError('LEAF_NOT_FOUND', `no leaf with hash ${leafHash.toString('hex')} in the tree of size ${size}`);
    this.#metrics?.reads.inc({ tree: this.tree.name, op: 'inclusion' });
    return { index: leaf.index, proof: await this.#tiles.rangeHashes(this.tree.id, inclusionPlan(leaf.index, size)) };
  }

  /** RFC 6962 §2.1.2 consistency proof; requires 0 ≤ size1 ≤ size2 ≤ latest size. */
  async getConsistencyProof(size1: number, size2: number): Promise<Buffer[]> {
    await this.#checkSize(size2);
    this.#metrics?.reads.inc({ tree: this.tree.name, op: 'consistency' });
    try {
      return await this.#tiles.rangeHashes(this.tree.id, consistencyPlan(size1, size2));
    } catch (err) {
      throw asRequestError(err);
    }
  }

  /**
   * The first `width` hashes of the stored hash tile (level, index)
   * (c2sp.org/tlog-tiles: a partial tile `.p/<width>`; 256 is a full tile).
   * Requires the tile to hold `width` hashes in the tree of `size` leaves,
   * and `size` ≤ the latest size; LogError BAD_REQUEST otherwise. Stored
   * tiles only grow at the right edge, so the answer never changes.
   */
  async readTile(level: number, index: number, width: number, size: number): Promise<Buffer> {
    await this.#checkSize(size);
    const have = tileWidthAt({ level, index }, size);
    if (!Number.isInteger(width) || width < 1 || width > have) {
      throw new LogError('BAD_REQUEST', `tile ${level}/${index} holds ${have} hashes in the tree of ${size}, got a request for ${width}`);
    }
    const [data] = await this.#storage.getTiles(this.tree.id, [{ level, index }]);
    if (!data || data.length < width * HASH_SIZE) {
      throw new StorageError(
        'CORRUPT',
        `tile ${level}/${index} of tree ${this.tree.name}: got ${data?.length ?? 0} bytes, want ≥ ${width * HASH_SIZE}`,
      );
    }
    this.#metrics?.reads.inc({ tree: this.tree.name, op: 'tile' });
    return Buffer.from(data.subarray(0, width * HASH_SIZE));
  }

  async #checkSize(size: number): Promise<void> {
    if (!Number.isSafeInteger(size) || size < 0) throw new LogError('BAD_REQUEST', `bad tree size ${size}`);
    // A size this process already served is known to exist: no storage read.
    if (this.#served && size <= this.#served.size) return;
    const head = await this.#latest();
    if (size > head.size) throw new LogError('BAD_REQUEST', `tree size ${size} is beyond the latest size ${head.size}`);
  }
}

const EMPTY = Buffer.alloc(0);

/** Hashes and checks one input (LogError BAD_REQUEST naming what is wrong). */
function newLeaf(i: LeafInput, now: number): NewLeaf {
  const bad = (what: string): never => {
    throw new LogError('BAD_REQUEST', `leaf ${what}`);
  };
  const bytes = (v: unknown, name: string): Buffer => {
    if (!(v instanceof Uint8Array)) bad(`${name}: got ${typeof v}, want bytes`);
    return Buffer.isBuffer(v) ? v : Buffer.from(v as Uint8Array);
  };
  if (typeof i !== 'object' || i === null) bad(`input: got ${i === null ? 'null' : typeof i}, want an object`);
  const value = bytes(i.value, 'value');
  const leafHash = hashLeaf(value);
  const identityHash = i.identityHash === undefined ? leafHash : bytes(i.identityHash, 'identity hash');
  if (identityHash.length !== HASH_SIZE) bad(`identity hash: got ${identityHash.length} bytes, want ${HASH_SIZE}`);
  const extraData = i.extraData === undefined || i.extraData === null ? null : bytes(i.extraData, 'extra data');
  const label = i.label ?? null;
  if (label !== null && typeof label !== 'string') bad(`label: got ${typeof label}, want a string`);
  const labelRank = i.labelRank === undefined ? EMPTY : bytes(i.labelRank, 'label rank');
  if (labelRank.length > MAX_LABEL_RANK_BYTES) bad(`label rank: got ${labelRank.length} bytes, want at most ${MAX_LABEL_RANK_BYTES}`);
  const queuedAt = i.queuedAt ?? now;
  if (!Number.isSafeInteger(queuedAt) || queuedAt < 0) bad(`queuedAt: got ${queuedAt}, want milliseconds as a safe integer ≥ 0`);
  return { identityHash, leafHash, value, extraData, label, labelRank, queuedAt };
}

function asRequestError(err: unknown): unknown {
  if (err instanceof ProofError && (err.code === 'BAD_INDEX' || err.code === 'BAD_SIZES')) {
    return new LogError('BAD_REQUEST', err.message, { cause: err });
  }
  return err;
}
