/**
 * The wiring of one tree, written once for every personality: open (or, when
 * asked, create) the tree, check that it is this personality's and this key's,
 * and build its Log, its Sequencer and its merge watchdog with the timing its
 * MMD implies (timing.ts).
 *
 *     const tree = await openTree({ name, personality: 'ct', signer, mmdMs }, { storage, createMissing });
 *     await tree.start();      // sequencer, then the watchdog's first probe
 *     …                        // the personality promises only while tree.watchdog.refusal() is null
 *     await tree.stop();       // watchdog, then the sequencer (finishes its batch, releases its lease)
 *
 * Refuses dangerous states (STYLE.md §10) with SetupError: a missing tree is
 * created only with `createMissing`, never silently (MISSING_TREE names how to
 * ask: `createHint`); a tree of another personality (WRONG_PERSONALITY) or
 * created with another key (WRONG_KEY) is refused. Frontends that start
 * together and all create the tree all come up: the one that loses the
 * creation race opens the winner's tree (and checks it like any other).
 *
 * Ownership: `start`/`stop` are called by one owner (the server); the
 * sequencer's fatal stop is forwarded to every `onFatal` listener once.
 */
import type { Logger } from 'pino';
import type { Signer } from '../crypto/index.ts';
import { isError, SetupError } from '../errors.ts';
import { LogError, StorageError } from './errors.ts';
import { Log } from './log.ts';
import type { LogMetrics } from './metrics.ts';
import { Sequencer } from './sequencer.ts';
import type { LogStorage, TreeInfo } from './storage.ts';
import type { TileCache } from './tile-cache.ts';
import { type TimingOverrides, type TreeTiming, treeTiming } from './timing.ts';
import { backlogProbe, MergeWatchdog } from './watchdog.ts';

export interface TreeSpec {
  /** Tree name in storage. */
  readonly name: string;
  /** Personality tag stored with the tree ('ct', 'hub', …): a tree is served by its own personality only. */
  readonly personality: string;
  /** The tree key: signs LogRoots (and the personality's promises). */
  readonly signer: Signer;
  /** Maximum merge delay, ms: the sequencer interval, lease, root age and watchdog follow from it. */
  readonly mmdMs: number;
  readonly timing?: TimingOverrides;
  /** Most leaves per sequencer batch. Default 4096. */
  readonly batchSize?: number;
  /** Who is opening it, for messages: e.g. "CT log" or "hub gamut". Default: "tree". */
  readonly what?: string;
}

/** What every tree of a process shares. */
export interface TreeDeps {
  readonly storage: LogStorage;
  /** Create the tree when it does not exist. Default false: a missing tree is SetupError MISSING_TREE. */
  readonly createMissing?: boolean;
  /** How the operator asks for creation, for MISSING_TREE: e.g. "start once with --create-trees". */
  readonly createHint?: string;
  /** Run a sequencer here. Default true; false when other processes sequence (leases elect one anyway). */
  readonly sequencer?: boolean;
  readonly clock?: () => number;
  readonly logger?: Logger;
  readonly metrics?: LogMetrics;
  /** One per process is best. */
  readonly tiles?: TileCache;
  /** Most leaves one Log.getLeaves call returns. Default 1000. */
  readonly maxLeavesPerRead?: number;
}

export class OpenedTree {
  readonly log: Log;
  readonly sequencer: Sequencer | null;
  readonly watchdog: MergeWatchdog;
  readonly timing: TreeTiming;
  readonly #fatal: ((err: unknown) => void)[] = [];

  constructor(log: Log, sequencer: Sequencer | null, watchdog: MergeWatchdog, timing: TreeTiming) {
    this.log = log;
    this.sequencer = sequencer;
    this.watchdog = watchdog;
    this.timing = timing;
  }

  get name(): string {
    return this.log.tree.name;
  }

  /** Calls `listener` once when this tree's sequencer stops on a fatal error — at once (next microtask) if it already has. */
  onFatal(listener: (err: unknown) => void): void {
    const err = this.sequencer?.fatal;
    if (err) queueMicrotask(() => listener(err));
    else this.#fatal.push(listener);
  }

  /** Called by the sequencer (once). */
  fatal(err: unknown): void {
    const listeners = this.#fatal.splice(0);
    for (const l of listeners) l(err);
  }

  /** Starts the sequencer, then the watchdog (its first probe runs before this resolves). */
  async start(): Promise<void> {
    this.sequencer?.start();
    await this.watchdog.start();
  }

  /** Stops the watchdog, then the sequencer (it finishes its batch and releases its lease). Storage is the caller's. */
  async stop(): Promise<void> {
    await this.watchdog.stop();
    await this.sequencer?.stop();
  }
}

/** Opens (or with `createMissing`, creates) the tree and builds its parts; nothing runs until start(). */
export async function openTree(spec: TreeSpec, deps: TreeDeps): Promise<OpenedTree> {
  const { storage } = deps;
  const what = spec.what ?? 'tree';
  const timing = treeTiming(spec.mmdMs, spec.timing);
  const tree = await openOrCreate(spec, deps, what);
  if (tree.personality !== spec.personality) {
    throw new SetupError(
      'WRONG_PERSONALITY',
      `${what}: tree ${JSON.stringify(spec.name)} belongs to personality ${JSON.stringify(tree.personality)}, want ${JSON.stringify(spec.personality)}`,
    );
  }
  let log: Log;
  try {
    log = await Log.open(storage, spec.name, spec.signer, {
      clock: deps.clock,
      logger: deps.logger,
      metrics: deps.metrics,
      tiles: deps.tiles,
      maxLeavesPerRead: deps.maxLeavesPerRead ?? 1000,
    });
  } catch (err) {
    if (isError(err, LogError, 'WRONG_KEY')) {
      throw new SetupError('WRONG_KEY', `${what}: the configured key is not the key tree ${JSON.stringify(spec.name)} was created with`, {
        cause: err,
      });
    }
    throw err;
  }
  let opened: OpenedTree | null = null;
  const sequencer =
    deps.sequencer === false
      ? null
      : new Sequencer({
          storage,
          tree: log.tree,
          signer: spec.signer,
          intervalMs: timing.intervalMs,
          leaseTtlMs: timing.leaseTtlMs,
          // A fresh head at least once per MMD even when idle: the newest head is never older than the MMD,
          // so a monitor can tell a stalled log from an idle one.
          maxRootAgeMs: timing.maxRootAgeMs,
          batchSize: spec.batchSize ?? 4096,
          onFatal: (err) => opened?.fatal(err),
          clock: deps.clock,
          logger: deps.logger,
          metrics: deps.metrics,
        });
  const watchdog = new MergeWatchdog({
    tree: spec.name,
    mmdMs: timing.mmdMs,
    intervalMs: timing.watchIntervalMs,
    probe: backlogProbe(storage, log.tree.id),
    sequencer,
    clock: deps.clock,
    logger: deps.logger,
    metrics: deps.metrics,
  });
  opened = new OpenedTree(log, sequencer, watchdog, timing);
  return opened;
}

async function openOrCreate(spec: TreeSpec, deps: TreeDeps, what: string): Promise<TreeInfo> {
  const { storage } = deps;
  const found = await storage.getTree(spec.name);
  if (found) return found;
  if (!deps.createMissing) {
    throw new SetupError(
      'MISSING_TREE',
      `${what}: tree ${JSON.stringify(spec.name)} does not exist; ${deps.createHint ?? 'it is created only when asked to'}`,
    );
  }
  try {
    await Log.create(storage, spec.name, spec.personality, spec.signer, (deps.clock ?? Date.now)());
    deps.logger?.warn({ tree: spec.name, personality: spec.personality }, `created a new tree for ${what}`);
  } catch (err) {
    // Another frontend created it first: open theirs, checked below like any existing tree.
    if (!isError(err, StorageError, 'ALREADY_EXISTS')) throw err;
  }
  const tree = await storage.getTree(spec.name);
  if (!tree) throw new StorageError('CORRUPT', `tree ${JSON.stringify(spec.name)} was created but cannot be read back`);
  return tree;
}
