/**
 * A site: the parts a configuration asks for, on one storage, one registry,
 * one tile cache and one port — a CT log, the hub instances, and the gossip
 * loop between them — run by the server builder (server.ts). All three
 * `serve` commands are sites: `grapevine serve` with both sections,
 * `ct serve` with only a CT log, `hub serve` with only hubs.
 *
 * What each section configures reaches its part: body limits per part (a
 * route takes its own part's limit), sequencer settings, quotas, trees to
 * create; what is one per port (listen address, trustProxy) is the site's.
 */
import { type Logger, pino } from 'pino';
import { Registry } from 'prom-client';
import type { ResolvedCtConfig } from '../config/ct.ts';
import type { LogLevel } from '../config/fields.ts';
import type { ResolvedGossipSection } from '../config/gossip.ts';
import type { ResolvedHubConfig } from '../config/hub.ts';
import type { ResolvedWitnessSection } from '../config/witness.ts';
import type { DashboardSettings } from '../dashboard/index.ts';
import type { GossipDaemon } from '../gossip/daemon.ts';
import { ctLogHead, GossipLoop, GossipPart, inProcessHubTransport, localServiceTransport } from '../gossip/index.ts';
import type { Part } from '../http/index.ts';
import { LogMetrics, type LogStorage, TileCache, type TimingOverrides, type TreeDeps } from '../log/index.ts';
import { type CtLogPart, openCtLog } from '../personalities/ct/index.ts';
import { FileServedHeads, type HubPart, hubQuotas, openHubs } from '../personalities/hub/index.ts';
import type { PublishPart } from '../publish/index.ts';
import { type ClosableHeadStore, openHeadStore, openStorage, redact } from '../storage/index.ts';
import type { WitnessPart } from '../witness/index.ts';
import { buildGossipDaemon } from './gossip.ts';
import { type Server, type ServerOptions, startServer } from './server.ts';
import { publishParts, witnessPart } from './witness.ts';

export interface SiteSpec {
  readonly host: string;
  readonly port: number;
  /** sqlite:PATH or postgres://… (opened here unless SiteOptions.storage is given). */
  readonly database: string;
  /** PostgreSQL connections per process. */
  readonly poolSize?: number;
  readonly logLevel: LogLevel;
  /** Whether X-Forwarded-For gives the client address: one setting per port. */
  readonly trustProxy: ResolvedCtConfig['trustProxy'];
  /** IPv6 clients share a quota bucket per prefix of this many bits (default 64): one setting per port. */
  readonly ipv6QuotaPrefix?: number;
  /** Request, header, idle and keep-alive timeouts and the connection cap (config `http:`): one setting per port. */
  readonly http?: ServerOptions['http'];
  /** The web dashboard (config `dashboard:`); absent: none. */
  readonly dashboard?: DashboardSettings;
  readonly ct: ResolvedCtConfig | null;
  readonly hub: ResolvedHubConfig | null;
  /** The loop feeding the CT log's STHs to the hubs that have `source` and to the gossip service; needs a CT log. */
  readonly gossip?: { readonly intervalMs: number; readonly source: string; readonly idleIntervalMs?: number } | null;
  /** The gossip service (src/config/gossip.ts section), run as a part of the site. */
  readonly gossipd?: ResolvedGossipSection | null;
  /** A C2SP witness (src/config/witness.ts section) on the site's database and port. */
  readonly witness?: ResolvedWitnessSection | null;
}

export interface SiteOptions {
  /** Create the trees that do not exist yet (`--create-trees`). Never done otherwise. */
  readonly createTrees?: boolean;
  /** How the operator asks for that, for the "tree does not exist" message. */
  readonly createHint?: string;
  readonly logger?: Logger;
  readonly registry?: Registry;
  /** Use this storage instead of opening `database` (the caller then closes it). */
  readonly storage?: LogStorage;
  readonly clock?: () => number;
  readonly host?: string;
  /** Listen on this port instead of the configured one (0: any). */
  readonly port?: number;
  readonly handleSignals?: boolean;
  readonly exit?: (code: number) => void;
  /** false: do not listen, only get the app ready (tests that inject()). */
  readonly listen?: boolean;
  /** Run sequencers in this process (default true). */
  readonly sequencers?: boolean;
  /** Timing overrides for every tree (tests), over the configured ones. */
  readonly timing?: TimingOverrides;
}

export interface Site extends Server {
  readonly storage: LogStorage;
  readonly ct: CtLogPart | null;
  readonly hubs: HubPart | null;
  readonly gossip: GossipLoop | null;
  readonly gossipd: GossipDaemon | null;
  readonly witness: WitnessPart | null;
  /** The logs with a `publish` section, served the C2SP way. */
  readonly published: readonly PublishPart[];
}

/** The advice in a "tree does not exist" message when the command gives none. */
export const CREATE_TREES_HINT = 'start once with --create-trees to create it';

/** Opens the configured parts and starts them in a server. */
export async function startSite(spec: SiteSpec, opts: SiteOptions = {}): Promise<Site> {
  const logger = opts.logger ?? pino({ level: spec.logLevel });
  const registry = opts.registry ?? new Registry();
  const clock = opts.clock ?? Date.now;
  const storage = opts.storage ?? (await openStorage(spec.database, { writerThread: true, poolSize: spec.poolSize }));
  const ownStorage = !opts.storage;
  const deps: TreeDeps = {
    storage,
    createMissing: opts.createTrees === true,
    createHint: opts.createHint ?? CREATE_TREES_HINT,
    sequencer: opts.sequencers !== false,
    clock,
    logger,
    metrics: LogMetrics.of(registry),
    tiles: new TileCache(storage),
  };
  let ct: CtLogPart | null = null;
  let hubs: HubPart | null = null;
  let gossip: GossipLoop | null = null;
  let gossipd: GossipDaemon | null = null;
  let witness: WitnessPart | null = null;
  let published: PublishPart[] = [];
  let own: ClosableHeadStore | null = null;
  try {
    if (spec.ct) {
      const c = spec.ct;
      ct = await openCtLog(c.log, {
        ...deps,
        createMissing: deps.createMissing || c.createTree,
        registry,
        quotas: c.quotas,
        timing: { intervalMs: c.sequencerIntervalMs, leaseTtlMs: c.sequencerLeaseTtlMs, ...opts.timing },
        sequencerBatchSize: c.sequencerBatchSize,
        bodyLimit: c.bodyLimit,
      });
    }
    if (spec.hub) {
      const h = spec.hub;
      hubs = await openHubs(
        h.instances.map((i) => ({
          prefix: i.prefix,
          tree: i.tree,
          signer: i.signer,
          sources: i.sources,
          mmdMs: i.mmdMs,
          servedHeads: i.auditLog !== undefined ? new FileServedHeads(i.auditLog, i.auditLogRotation) : undefined,
        })),
        {
          ...deps,
          registry,
          quotas: hubQuotas(h.quota, clock),
          timing: { intervalMs: h.sequencerIntervalMs, leaseTtlMs: h.sequencerLeaseTtlMs, ...opts.timing },
          sequencerBatchSize: h.sequencerBatchSize,
          maxGetEntries: h.maxGetEntries,
          bodyLimit: h.bodyLimit,
        },
      );
    }
    // The witness's state and the gossip service's latest heads live beside the logs (their keys do not meet:
    // witness/…, gossip/…), on the writer thread's connection where the storage has one; that one closes with
    // the storage (the site's). A store opened here is closed by the part that stops last: the witness, which
    // starts first, else the gossip service.
    let store: ClosableHeadStore | null = null;
    if (spec.witness || spec.gossipd) {
      const threaded = (storage as Partial<{ headStore(): ClosableHeadStore }>).headStore?.();
      own = threaded ? null : await openHeadStore(spec.database, { poolSize: spec.poolSize, writerThread: true });
      store = threaded ?? own;
    }
    const opened = own;
    const closeOwn = opened ? { closeStore: () => opened.close() } : {};
    if (spec.gossipd) {
      gossipd = buildGossipDaemon(spec.gossipd, {
        logger,
        registry,
        store: store as ClosableHeadStore,
        clock,
        ...(spec.witness ? {} : closeOwn),
      });
    }
    if (ct && (hubs || gossipd) && spec.gossip) gossip = gossipLoop(ct, hubs, gossipd, spec.gossip, { clock, logger, registry });
    published = publishParts(
      ct ? { part: ct, ...(spec.ct?.publish ? { publish: spec.ct.publish } : {}) } : null,
      hubs
        ? { part: hubs, publish: new Map((spec.hub?.instances ?? []).flatMap((i) => (i.publish ? [[i.prefix, i.publish] as const] : []))) }
        : null,
      logger,
    );
    if (spec.witness) witness = witnessPart(spec.witness, { store: store as ClosableHeadStore, logger, registry, clock, ...closeOwn });
  } catch (err) {
    await own?.close().catch(() => {});
    if (ownStorage) await storage.close().catch(() => {});
    throw err;
  }
  // The gossip service starts before the loop that feeds it, and stops after it. Logs publish after they start;
  // the witness starts before them, so a site's logs can take their first checkpoints to it.
  const parts: Part[] = [
    ...(witness ? [witness] : []),
    ...(ct ? [ct] : []),
    ...(hubs ? [hubs] : []),
    ...published,
    ...(gossipd ? [gossipd] : []),
    ...(gossip ? [new GossipPart(gossip)] : []),
  ];
  const server = await startServer({
    host: opts.host ?? spec.host,
    port: opts.port ?? spec.port,
    parts,
    registry,
    logger,
    storage,
    ownStorage,
    trustProxy: spec.trustProxy,
    ipv6QuotaPrefix: spec.ipv6QuotaPrefix,
    http: spec.http,
    ...(spec.dashboard ? { dashboard: spec.dashboard } : {}),
    handleSignals: opts.handleSignals,
    exit: opts.exit,
    listen: opts.listen,
  });
  logger.info(
    {
      url: server.url,
      database: redact(spec.database),
      ct: ct ? `${server.url}${ct.prefix}/ct/v1/` : null,
      hubs: hubs ? hubs.hubs.map((h) => `${server.url}/${h.hub.prefix}/gossip/v0/`) : [],
    },
    'grapevine serving',
  );
  return { ...server, storage, ct, hubs, gossip, gossipd, witness, published };
}

/** The CT log's STHs into every hub instance that has the gossip source, and into the gossip service. */
function gossipLoop(
  ct: CtLogPart,
  hubs: HubPart | null,
  gossipd: GossipDaemon | null,
  g: NonNullable<SiteSpec['gossip']>,
  o: { clock: () => number; logger: Logger; registry: Registry },
): GossipLoop {
  const targets = (hubs?.hubs ?? [])
    .filter((h) => h.hub.sources.some((s) => s.id === g.source))
    .map((h) => ({ name: h.hub.prefix, transport: inProcessHubTransport(h.hub, g.source) }));
  if (gossipd) targets.push({ name: 'gossip-service', transport: localServiceTransport(gossipd.service) });
  return new GossipLoop({
    source: ctLogHead(ct.ct, o.clock),
    targets,
    intervalMs: g.intervalMs,
    idleIntervalMs: g.idleIntervalMs,
    clock: o.clock,
    logger: o.logger,
    registry: o.registry,
  });
}
