/**
 * Wiring hub instances onto a log core and an app: one tree, one sequencer
 * and one HubService per prefix, all on one storage. Several instances share
 * the process's storage, tile cache, quotas and metrics registry.
 *
 * Refuses dangerous states (STYLE.md §10): a missing tree is created only when
 * `init` is set, never silently; a tree created for another personality, or
 * with another key, is refused.
 */
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Signer } from '../../crypto/index.ts';
import { HubError } from '../../hub/errors.ts';
import type { TrackedSource } from '../../hub/source.ts';
import { Log, LogError, LogMetrics, type LogStorage, Sequencer, TileCache } from '../../log/index.ts';
import { HubService, storageBacklogProbe } from './hub.ts';
import { HubMetrics } from './metrics.ts';
import type { HubQuotas } from './quota.ts';
import { hubRoutes, routePrefix } from './routes.ts';
import type { ServedHeadStore } from './served-heads.ts';

export interface HubInstanceSpec {
  /** URL prefix, e.g. "gamut" (served at /gamut/gossip/v0/…). */
  readonly prefix: string;
  /** Tree name in storage. Default "hub-<prefix>". */
  readonly tree?: string;
  /** The hub key: signs SGTs, tree heads, and the core's LogRoots of this tree. */
  readonly signer: Signer;
  readonly sources: readonly TrackedSource[];
  /** Maximum merge delay, ms (default 10 s). */
  readonly mmdMs?: number;
  readonly servedHeads?: ServedHeadStore;
}

export interface OpenHubsOptions {
  readonly storage: LogStorage;
  /** Where to create LogMetrics/HubMetrics when they are not given (one of each per registry). */
  readonly registry?: Registry;
  /** Pass the process's LogMetrics when another personality already created it on the registry. */
  readonly logMetrics?: LogMetrics;
  readonly hubMetrics?: HubMetrics;
  readonly logger?: Logger;
  readonly clock?: () => number;
  readonly quotas?: HubQuotas;
  /** Create missing trees (the CLI's --init). Default false: a missing tree is an error. */
  readonly init?: boolean;
  /** How the caller would create a missing tree, for the error (e.g. "start once with --init"). */
  readonly createHint?: string;
  /** Run a sequencer per tree in this process (default true). Leases elect one per tree across processes. */
  readonly sequencers?: boolean;
  /** Sequencer pause when the queue is empty, ms (default 200). */
  readonly sequencerIntervalMs?: number;
  readonly sequencerBatchSize?: number;
  readonly maxGetEntries?: number;
  readonly refreshIntervalMs?: number;
  readonly sgtCacheSize?: number;
}

export interface OpenedHub {
  readonly hub: HubService;
  readonly log: Log;
  readonly sequencer: Sequencer | null;
}

function defined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Default tree name of a hub prefix. */
export function hubTreeName(prefix: string): string {
  return `hub-${prefix.replace(/^\/+|\/+$/g, '')}`;
}

/** Opens (or with `init`, creates) each instance's tree; the returned hubs are not started yet. */
export async function openHubs(specs: readonly HubInstanceSpec[], opts: OpenHubsOptions): Promise<OpenedHub[]> {
  const prefixes = new Set<string>();
  for (const s of specs) {
    const p = routePrefix(s.prefix);
    if (p === '/') throw new HubError('BAD_CONFIG', 'a hub prefix must not be empty');
    if (prefixes.has(p)) throw new HubError('BAD_CONFIG', `duplicate hub prefix ${p}`);
    prefixes.add(p);
  }
  const { storage } = opts;
  const tiles = new TileCache(storage);
  const logMetrics = opts.logMetrics ?? (opts.registry ? new LogMetrics(opts.registry) : undefined);
  const hubMetrics = opts.hubMetrics ?? (opts.registry ? new HubMetrics(opts.registry) : undefined);
  const out: OpenedHub[] = [];
  for (const spec of specs) {
    const prefix = routePrefix(spec.prefix).slice(1);
    const name = spec.tree ?? hubTreeName(prefix);
    let tree = await storage.getTree(name);
    if (!tree) {
      if (!opts.init)
        throw new HubError(
          'BAD_CONFIG',
          `hub ${prefix}: tree ${JSON.stringify(name)} does not exist; ${opts.createHint ?? 'it is created only when asked'}`,
        );
      await Log.create(storage, name, 'hub', spec.signer, (opts.clock ?? Date.now)());
      opts.logger?.warn({ hub: prefix, tree: name }, 'created a new hub tree');
      tree = await storage.getTree(name);
    }
    if (tree && tree.personality !== 'hub') {
      throw new HubError(
        'BAD_CONFIG',
        `hub ${prefix}: tree ${JSON.stringify(name)} belongs to personality ${JSON.stringify(tree.personality)}, not hub`,
      );
    }
    let log: Log;
    try {
      log = await Log.open(storage, name, spec.signer, { tiles, clock: opts.clock, metrics: logMetrics, logger: opts.logger });
    } catch (err) {
      if (err instanceof LogError && err.code === 'WRONG_KEY') {
        throw new HubError('BAD_CONFIG', `hub ${prefix}: the configured key is not the key tree ${JSON.stringify(name)} was created with`, {
          cause: err,
        });
      }
      throw err;
    }
    const sequencer =
      opts.sequencers === false
        ? null
        : new Sequencer({
            storage,
            tree: log.tree,
            signer: spec.signer,
            intervalMs: opts.sequencerIntervalMs ?? 200,
            batchSize: opts.sequencerBatchSize ?? 4096,
            // Sequencer spreads its options over its defaults, so absent ones must be absent, not undefined.
            ...defined({ clock: opts.clock, logger: opts.logger, metrics: logMetrics }),
          });
    const hub = new HubService({
      prefix,
      log,
      signer: spec.signer,
      sources: spec.sources,
      mmdMs: spec.mmdMs,
      clock: opts.clock,
      quotas: opts.quotas,
      metrics: hubMetrics,
      logger: opts.logger?.child({ hub: prefix }),
      maxGetEntries: opts.maxGetEntries,
      servedHeads: spec.servedHeads,
      backlog: storageBacklogProbe(storage, log.tree.id),
      refreshIntervalMs: opts.refreshIntervalMs,
      sgtCacheSize: opts.sgtCacheSize,
    });
    out.push({ hub, log, sequencer });
  }
  return out;
}

/** Starts sequencers, then serves each hub's first audited head. */
export async function startHubs(hubs: readonly OpenedHub[]): Promise<void> {
  for (const h of hubs) h.sequencer?.start();
  for (const h of hubs) await h.hub.start();
}

/** Stops hub timers, then sequencers (each finishes its batch and releases its lease). Storage is the caller's. */
export async function stopHubs(hubs: readonly OpenedHub[]): Promise<void> {
  for (const h of hubs) await h.hub.stop();
  for (const h of hubs) await h.sequencer?.stop();
}

/** Mounts each hub's routes at /<prefix>/gossip/v0/. */
export async function mountHubs(app: FastifyInstance, hubs: readonly OpenedHub[]): Promise<void> {
  for (const h of hubs) await app.register(hubRoutes, { prefix: routePrefix(h.hub.prefix), hub: h.hub });
}
