/**
 * The hub instances of a process as one server part (src/http/part.ts): one
 * tree, sequencer, merge watchdog and HubService per prefix, all on the
 * storage, tile cache, quotas and metrics registry the server shares.
 *
 *     const part = await openHubs(specs, { storage, registry, createMissing });
 *     // the server builder (src/server) then: part.start(), part.mount(app), …, part.stop()
 *
 * Each tree is wired by the core (src/log/tree.ts: open-or-create with the
 * personality and key checks, timing from the instance's MMD, sequencer,
 * merge watchdog); this file adds what is the hub's: sources, the served-head
 * audit, quotas and the routes at `/<prefix>/gossip/v0/`.
 */
import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import type { Signer } from '../../crypto/index.ts';
import { SetupError } from '../../errors.ts';
import { type Part, type PartStatus, type ReadinessCheck, routePrefix, sequencerCheck } from '../../http/index.ts';
import type { TrackedSource } from '../../hub/source.ts';
import { LogMetrics, openTree, type RequestQuotas, type TimingOverrides, type TreeDeps } from '../../log/index.ts';
import { DEFAULT_MMD_MS, HubService, type OpenedHub } from './hub.ts';
import { HubMetrics } from './metrics.ts';
import { hubRoutes } from './routes.ts';
import type { ServedHeadStore } from './served-heads.ts';
import { hubsStatus } from './status.ts';

/** Personality tag of hub trees in storage. */
export const HUB_PERSONALITY = 'hub';

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

/** What the server shares with this part (TreeDeps), and settings common to the instances. */
export interface OpenHubsOptions extends TreeDeps {
  /** Metrics go here (log core and hub). */
  readonly registry?: Registry;
  /** Shared by every instance: a client's budget is per process, not per prefix. */
  readonly quotas?: RequestQuotas;
  /** Sequencer and watchdog timing; defaults follow each instance's MMD (src/log/timing.ts). */
  readonly timing?: TimingOverrides;
  readonly sequencerBatchSize?: number;
  readonly maxGetEntries?: number;
  readonly sgtCacheSize?: number;
  /** Largest add-signed-blob body, bytes (413 above); default the server's. */
  readonly bodyLimit?: number;
}

/** Default tree name of a hub prefix. */
export function hubTreeName(prefix: string): string {
  return `hub-${routePrefix(prefix).slice(1)}`;
}

/** The hub instances of one process as a server part. */
export class HubPart implements Part {
  readonly name = 'hubs';
  readonly hubs: readonly OpenedHub[];
  readonly bodyLimit?: number;
  readonly #clock: () => number;

  constructor(hubs: readonly OpenedHub[], bodyLimit: number | undefined, clock: () => number = Date.now) {
    this.hubs = hubs;
    this.bodyLimit = bodyLimit;
    this.#clock = clock;
  }

  /** The dashboard's view: each hub's served head and MMD promise, and the latest head it recorded per source (status.ts). */
  status(): Promise<PartStatus> {
    return hubsStatus(this.hubs, this.#clock());
  }

  readiness(): ReadinessCheck[] {
    return this.hubs.flatMap(({ hub, tree }) => [
      ...(tree.sequencer ? [sequencerCheck(tree.sequencer, `sequencer:${tree.name}`)] : []),
      {
        name: `hub:${hub.prefix}`,
        check: () => {
          const r = hub.readiness();
          if (!r.ready) throw new Error(r.detail);
          return r.detail;
        },
      },
    ]);
  }

  /** Mounts each hub's routes at /<prefix>/gossip/v0/, and GET / answering "ok" (the original's health check, §1). */
  async mount(app: FastifyInstance): Promise<void> {
    if (!app.hasRoute({ method: 'GET', url: '/' })) app.get('/', async (_req, reply) => reply.type('text/plain').send('ok\n'));
    for (const h of this.hubs) await app.register(hubRoutes, { prefix: routePrefix(h.hub.prefix), hub: h.hub });
  }

  /** Starts each tree (sequencer, watchdog), then serves each hub's first audited head. */
  async start(): Promise<void> {
    for (const h of this.hubs) await h.tree.start();
    for (const h of this.hubs) await h.hub.start();
  }

  /** Stops the hubs' refresh timers, then each tree (watchdog, sequencer). Storage is the server's. */
  async stop(): Promise<void> {
    for (const h of this.hubs) await h.hub.stop();
    for (const h of this.hubs) await h.tree.stop();
  }

  onFatal(handler: (reason: string, err: unknown) => void): void {
    for (const h of this.hubs) h.tree.onFatal((err) => handler(`hub ${h.hub.prefix}: the sequencer stopped on a fatal error`, err));
  }
}

/** Opens (or with `createMissing`, creates) each instance's tree; nothing runs until start(). */
export async function openHubs(specs: readonly HubInstanceSpec[], opts: OpenHubsOptions): Promise<HubPart> {
  const prefixes = new Set<string>();
  for (const s of specs) {
    const p = routePrefix(s.prefix);
    if (p === '') throw new SetupError('BAD_CONFIG', 'a hub prefix must not be empty');
    if (prefixes.has(p)) throw new SetupError('BAD_CONFIG', `duplicate hub prefix ${p}`);
    prefixes.add(p);
  }
  const metrics = opts.metrics ?? (opts.registry ? LogMetrics.of(opts.registry) : undefined);
  const hubMetrics = opts.registry ? HubMetrics.of(opts.registry) : undefined;
  const out: OpenedHub[] = [];
  for (const spec of specs) {
    const prefix = routePrefix(spec.prefix).slice(1);
    const tree = await openTree(
      {
        name: spec.tree ?? hubTreeName(prefix),
        personality: HUB_PERSONALITY,
        signer: spec.signer,
        mmdMs: spec.mmdMs ?? DEFAULT_MMD_MS,
        timing: opts.timing,
        batchSize: opts.sequencerBatchSize,
        what: `hub ${prefix}`,
      },
      { ...opts, metrics },
    );
    const hub = new HubService({
      prefix,
      log: tree.log,
      signer: spec.signer,
      sources: spec.sources,
      clock: opts.clock,
      quotas: opts.quotas,
      metrics: hubMetrics,
      logger: opts.logger?.child({ hub: prefix }),
      maxGetEntries: opts.maxGetEntries,
      servedHeads: spec.servedHeads,
      watchdog: tree.watchdog,
      refreshIntervalMs: tree.timing.watchIntervalMs,
      sgtCacheSize: opts.sgtCacheSize,
    });
    out.push({ hub, tree, log: tree.log, sequencer: tree.sequencer });
  }
  return new HubPart(out, opts.bodyLimit, opts.clock);
}
