/**
 * The sequencer: integrates queued leaves into the tree in batches and signs
 * each new head. Exactly one sequencer per tree makes progress at a time:
 * a storage lease elects it, and `integrate` is a compare-and-swap on the
 * head revision, so even two sequencers that both believe they lead can
 * never store diverging heads (the loser gets CONFLICT and reloads).
 *
 * Invariants kept here, per batch:
 * - the new head extends the previous one (same compact range, appended);
 * - the timestamp never goes backwards (max(clock, previous)), and is never
 *   before a leaf it integrates was promised (its queuedAt, RFC 6962 §3.5);
 * - nothing is cached across a failure: any error drops the in-memory state
 *   and the next run reloads it from storage.
 *
 * Errors: StorageError CONFLICT and UNAVAILABLE fail only the current run
 * (the loop retries): they are the only outages, and storage backends raise
 * UNAVAILABLE for everything they know to be one. Anything else is fatal:
 * StorageError CORRUPT/SCHEMA/NOT_FOUND, LogError INCONSISTENT_ROOT/WRONG_KEY,
 * and errors of no domain (a TypeError is a bug, not an outage). The loop
 * stops, sets `fatal` and calls `onFatal`, because going on could sign a
 * root over damaged data; the personalities stop promising at once and the
 * server exits non-zero.
 *
 * Ownership: every field is owned by runOnce(); start() serializes runs, so
 * there is never more than one runOnce in flight per Sequencer.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Signer } from '../crypto/index.ts';
import { isError, SetupError } from '../errors.ts';
import {
  CompactRange,
  ExpandedTile,
  edgeTiles,
  HASH_SIZE,
  popCount,
  splitTile,
  TILE_HEIGHT,
  TILE_WIDTH,
  type TileId,
} from '../merkle/index.ts';
import { LogError, StorageError } from './errors.ts';
import { checkHead, signHead } from './head.ts';
import type { LogMetrics } from './metrics.ts';
import type { LogStorage, StoredHead, TileWrite, TreeInfo } from './storage.ts';

export interface SequencerOptions {
  readonly storage: LogStorage;
  readonly tree: TreeInfo;
  readonly signer: Signer;
  readonly clock?: () => number;
  readonly logger?: Logger;
  readonly metrics?: LogMetrics;
  /** Most leaves integrated per batch. Default 4096. */
  readonly batchSize?: number;
  /** Pause between runs when the queue is drained, ms. Default 200 (the issue asks ≤ 1 s). */
  readonly intervalMs?: number;
  /** Sign a fresh head with no new leaves once the latest is this old, ms. Default 1 h; 0 disables. */
  readonly maxRootAgeMs?: number;
  /** Leader lease length, ms. Default 5000: a dead leader is replaced within about that long. */
  readonly leaseTtlMs?: number;
  /** Identifies this sequencer in the lease table. Default: a random UUID. */
  readonly holder?: string;
  /** Called once when the loop stops on a fatal error (after `fatal` is set). */
  readonly onFatal?: (err: unknown) => void;
}

interface EdgeTile {
  index: number;
  hashes: Buffer[];
}

interface State {
  head: StoredHead;
  range: CompactRange;
  /** Rightmost tile of each tile level, as stored. */
  edges: Map<number, EdgeTile>;
}

export class Sequencer {
  readonly #o: Required<Omit<SequencerOptions, 'logger' | 'metrics' | 'onFatal'>> &
    Pick<SequencerOptions, 'logger' | 'metrics' | 'onFatal'>;
  #state: State | null = null;
  #running = false;
  #stopped: Promise<void> | null = null;
  #wake: (() => void) | null = null;
  #leader = false;
  #pendingSampledAt = Number.NEGATIVE_INFINITY;
  /** Set when the loop stopped on a fatal error. */
  fatal: unknown = null;

  constructor(opts: SequencerOptions) {
    if (!opts.signer.publicKey.spki.equals(opts.tree.publicKey)) {
      throw new LogError('WRONG_KEY', `the sequencer's key is not the key of tree ${opts.tree.name}`);
    }
    // `??` per field: an option present but undefined takes its default too.
    this.#o = {
      storage: opts.storage,
      tree: opts.tree,
      signer: opts.signer,
      logger: opts.logger,
      metrics: opts.metrics,
      onFatal: opts.onFatal,
      clock: opts.clock ?? Date.now,
      batchSize: opts.batchSize ?? 4096,
      intervalMs: opts.intervalMs ?? 200,
      maxRootAgeMs: opts.maxRootAgeMs ?? 3_600_000,
      leaseTtlMs: opts.leaseTtlMs ?? 5000,
      holder: opts.holder ?? randomUUID(),
    };
    const o = this.#o;
    // A batch size below 1 would make every run look full, so the loop would never sleep.
    checkOption('batchSize', o.batchSize, 1);
    checkOption('intervalMs', o.intervalMs, 0);
    checkOption('maxRootAgeMs', o.maxRootAgeMs, 0);
    checkOption('leaseTtlMs', o.leaseTtlMs, 1);
  }

  get isLeader(): boolean {
    return this.#leader;
  }

  /**
   * One integration run: takes up to batchSize queued leaves, appends them,
   * signs and stores the new head. Returns the number of leaves integrated.
   * Callers other than the loop must not run it concurrently with start().
   */
  async runOnce(): Promise<number> {
    const { storage, tree } = this.#o;
    try {
      const state = this.#state ?? (await this.#load());
      const pending = await storage.pendingLeaves(tree.id, this.#o.batchSize);
      const now = this.#o.clock();
      const stale = this.#o.maxRootAgeMs > 0 && now - state.head.timestamp >= this.#o.maxRootAgeMs;
      if (pending.length === 0 && !stale) return 0;

      const started = performance.now();
      const range = state.range.clone();
      const edges = new Map<number, EdgeTile>();
      for (const [l, e] of state.edges) edges.set(l, { index: e.index, hashes: e.hashes.slice() });
      const touched = new Map<string, { id: TileId; tile: EdgeTile }>();
      const visit = (level: number, index: number, hash: Buffer) => {
        if (level % TILE_HEIGHT !== 0) return;
        const tl = level / TILE_HEIGHT;
        const ti = Math.floor(index / TILE_WIDTH);
        let e = edges.get(tl);
        if (!e || e.index !== ti) {
          e = { index: ti, hashes: [] };
          edges.set(tl, e);
        }
        if (e.hashes.length !== index - ti * TILE_WIDTH) {
          throw new StorageError('CORRUPT', `tile ${tl}/${ti} has ${e.hashes.length} entries, want ${index - ti * TILE_WIDTH}`);
        }
        e.hashes.push(hash);
        touched.set(`${tl}/${ti}`, { id: { level: tl, index: ti }, tile: e });
      };
      for (const p of pending) range.append(p.leafHash, visit);

      // Never before the previous head, nor before any leaf's promised time
      // (RFC 6962 §3.5: at least as recent as the most recent SCT in the tree).
      let timestamp = Math.max(now, state.head.timestamp);
      for (const p of pending) if (p.queuedAt > timestamp) timestamp = p.queuedAt;
      const head = signHead(this.#o.signer, range, timestamp, state.head.revision + 1);
      const tiles: TileWrite[] = [...touched.values()].map(({ id, tile }) => ({ id, data: Buffer.concat(tile.hashes) }));
      await storage.integrate(tree.id, {
        expectedRevision: state.head.revision,
        firstIndex: state.head.size,
        queueIds: pending.map((p) => p.queueId),
        tiles,
        head,
      });
      this.#state = { head, range, edges };
      const m = this.#o.metrics;
      m?.leavesSequenced.inc({ tree: tree.name }, pending.length);
      m?.sequencerBatchSeconds.observe({ tree: tree.name }, (performance.now() - started) / 1000);
      m?.treeSize.set({ tree: tree.name }, head.size);
      m?.headTimestamp.set({ tree: tree.name }, head.timestamp / 1000);
      this.#o.logger?.debug({ tree: tree.name, size: head.size, revision: head.revision, leaves: pending.length }, 'integrated batch');
      return pending.length;
    } catch (err) {
      this.#state = null; // reload from storage on the next run
      throw err;
    }
  }

  async #load(): Promise<State> {
    const { storage, tree } = this.#o;
    const head = await storage.latestHead(tree.id);
    if (!head) throw new LogError('NO_SUCH_TREE', `tree ${tree.name} has no head`);
    checkHead(head, this.#o.signer.publicKey);
    const range = CompactRange.fromHashes(head.size, head.compactRange);
    const edges = new Map<number, EdgeTile>();
    const tiles = edgeTiles(head.size);
    const want = tiles.filter((t) => t.width > 0);
    const data = await storage.getTiles(
      tree.id,
      want.map((t) => t.id),
    );
    for (const t of tiles) edges.set(t.id.level, { index: t.id.index, hashes: [] });
    want.forEach((t, i) => {
      const d = data[i];
      if (!d || d.length < t.width * HASH_SIZE) {
        throw new StorageError(
          'CORRUPT',
          `edge tile ${t.id.level}/${t.id.index} of tree ${tree.name} is missing or shorter than ${t.width} entries`,
        );
      }
      const hashes = splitTile(d, t.width);
      checkEdgeTile(t.id, hashes, head);
      edges.set(t.id.level, { index: t.id.index, hashes });
    });
    return { head, range, edges };
  }

  /** Starts the loop: lease, run, repeat. Resolves immediately; stop() ends it. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#stopped = this.#loop();
  }

  /** Stops after the current run finishes and releases the lease. */
  async stop(): Promise<void> {
    this.#running = false;
    this.#wake?.();
    await this.#stopped;
  }

  async #loop(): Promise<void> {
    const { storage, tree, logger, metrics } = this.#o;
    while (this.#running) {
      let integrated = 0;
      try {
        const leader = await storage.acquireLease(tree.id, this.#o.holder, this.#o.leaseTtlMs);
        if (leader !== this.#leader) {
          logger?.info({ tree: tree.name, holder: this.#o.holder }, leader ? 'became sequencer leader' : 'lost sequencer lease');
          this.#state = null;
        }
        this.#leader = leader;
        metrics?.isLeader.set({ tree: tree.name }, leader ? 1 : 0);
        if (leader) {
          integrated = await this.runOnce();
          if (metrics) await this.#samplePending(integrated);
        }
      } catch (err) {
        const code = err instanceof Error && 'code' in err ? String(err.code) : 'UNKNOWN';
        metrics?.sequencerErrors.inc({ tree: tree.name, code });
        if (!isTransient(err)) {
          this.fatal = err;
          logger?.fatal({ tree: tree.name, err }, 'sequencer stopped on a fatal error');
          this.#running = false;
          this.#o.onFatal?.(err);
          break;
        }
        // Transient (CONFLICT, UNAVAILABLE, a dropped connection): this run is lost, the loop goes on.
        logger?.warn({ tree: tree.name, err }, 'sequencer run failed; retrying');
      }
      // A full batch means more is waiting: go again at once.
      if (integrated < this.#o.batchSize && this.#running) await this.#sleep(this.#o.intervalMs);
    }
    if (this.#leader) {
      this.#leader = false;
      metrics?.isLeader.set({ tree: tree.name }, 0);
      await storage.releaseLease(tree.id, this.#o.holder).catch(() => {});
    }
  }

  /**
   * Sets the pending-leaves gauge after a run: a short batch means the queue
   * was drained; a full one leaves a backlog, counted at most once a second
   * (the count scans it).
   */
  async #samplePending(integrated: number): Promise<void> {
    const { storage, tree, metrics } = this.#o;
    if (integrated < this.#o.batchSize) {
      metrics?.pendingLeaves.set({ tree: tree.name }, 0);
      return;
    }
    const now = performance.now();
    if (now - this.#pendingSampledAt < 1000) return;
    this.#pendingSampledAt = now;
    metrics?.pendingLeaves.set({ tree: tree.name }, await storage.pendingCount(tree.id));
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        resolve();
      }
      this.#wake = () => {
        this.#wake = null;
        done();
      };
    });
  }
}

function checkOption(name: string, v: number, min: number): void {
  if (!Number.isSafeInteger(v) || v < min)
    throw new SetupError('BAD_CONFIG', `sequencer option ${name}: got ${v}, want an integer ≥ ${min}`);
}

/**
 * Checks a stored edge tile against the head's compact range: every perfect
 * subtree of the right edge that lies inside this tile must be the MTH of
 * its entries. A damaged tile would otherwise be extended and signed over.
 */
function checkEdgeTile(id: TileId, hashes: Buffer[], head: StoredHead): void {
  const tile = new ExpandedTile(Buffer.concat(hashes));
  // Compact range entries are one per set bit of size, highest bit first.
  let pos = popCount(head.size) - 1;
  for (let level = 0; level < TILE_HEIGHT * (id.level + 1); level++) {
    const bit = Math.floor(head.size / 2 ** level) % 2 === 1;
    if (!bit) continue;
    if (level >= TILE_HEIGHT * id.level) {
      const h = level - TILE_HEIGHT * id.level;
      const node = Math.floor(head.size / 2 ** level) - 1;
      const begin = node * 2 ** h - id.index * TILE_WIDTH;
      if (!tile.node(h, begin).equals(head.compactRange[pos])) {
        throw new StorageError(
          'CORRUPT',
          `edge tile ${id.level}/${id.index} disagrees with the compact range of head ${head.revision} at level ${level}`,
        );
      }
    }
    pos--;
  }
}

/** An outage that a later run may not meet: the only errors the loop survives. Anything else could mean signing over damage. */
function isTransient(err: unknown): boolean {
  return isError(err, StorageError, 'CONFLICT', 'UNAVAILABLE');
}
