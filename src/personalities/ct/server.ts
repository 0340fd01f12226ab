/**
 * Composition of one CT log on a shared storage and fastify app, without
 * touching files (the CLI reads keys and roots and passes them in):
 *
 *     const opened = await openCtLog(spec, { storage, registry, init });
 *     await startCtLog(opened);                  // sequencer + MMD watchdog
 *     await mountCtLog(app, opened);             // /<prefix>/ct/v1/…
 *     …
 *     await stopCtLog(opened);                   // storage is the caller's
 *
 * A missing tree is created only with `init` (never silently), and a tree
 * that belongs to another personality or another key is refused.
 */
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Signer } from '../../crypto/index.ts';
import { CT_PATH_PREFIX } from '../../ct/index.ts';
import { type BucketSpec, Log, LogError, LogMetrics, type LogStorage, QuotaManager, Sequencer, type TileCache } from '../../log/index.ts';
import type { NotAfterWindow } from './admission.ts';
import { CtLog, DEFAULT_MMD_MS } from './ct-log.ts';
import { CtError } from './errors.ts';
import { ctRoutes } from './http.ts';
import { CtMetrics } from './metrics.ts';
import { CertificateCache, RootStore } from './roots.ts';

/** Personality tag of CT trees in storage. */
export const CT_PERSONALITY = 'ct';

export interface CtQuotaSpec {
  /** All clients together. */
  readonly global?: { readonly read?: BucketSpec; readonly write?: BucketSpec };
  /** Per client IP (IPv6 per /64). A get-entries answer costs one read token per entry. */
  readonly perClient?: { readonly read?: BucketSpec; readonly write?: BucketSpec };
  /** Per issuing certificate (intermediate or root) of an accepted chain. */
  readonly perIssuer?: { readonly write?: BucketSpec };
}

export interface CtLogSpec {
  /** Tree name in storage. */
  readonly tree: string;
  /** URL path prefix before /ct/v1 ("" or e.g. "/logs/2026h1"). */
  readonly prefix?: string;
  readonly signer: Signer;
  /** Accepted roots, DER. At least one. */
  readonly roots: readonly Uint8Array[];
  readonly mmdMs?: number;
  readonly notAfter?: NotAfterWindow;
  readonly rejectExpired?: boolean;
  /** Default 10. */
  readonly maxChainLength?: number;
  /** Most entries per get-entries answer. Default 1000. */
  readonly maxGetEntries?: number;
}

export interface OpenCtOptions {
  readonly storage: LogStorage;
  /** Create the tree if it does not exist (the CLI's --create-tree). Default false. */
  readonly init?: boolean;
  /** How the caller would create a missing tree, for the error (e.g. "start once with --create-tree"). */
  readonly createHint?: string;
  readonly registry?: Registry;
  readonly logger?: Logger;
  readonly clock?: () => number;
  readonly quotas?: CtQuotaSpec;
  /** Default min(200 ms, MMD/10). */
  readonly sequencerIntervalMs?: number;
  readonly sequencerBatchSize?: number;
  /** Run no sequencer here (another process sequences this tree). Default true. */
  readonly sequencer?: boolean;
  readonly tiles?: TileCache;
  readonly logMetrics?: LogMetrics;
  readonly ctMetrics?: CtMetrics;
}

export interface OpenedCtLog {
  readonly ct: CtLog;
  readonly log: Log;
  readonly sequencer: Sequencer | null;
  readonly prefix: string;
  readonly metrics?: CtMetrics;
}

function defined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** The queue time of the oldest unsequenced leaf of a tree (the MMD watchdog's probe). */
export function oldestUnmergedProbe(storage: LogStorage, treeId: number): () => Promise<number | null> {
  return async () => {
    // Queue order follows promise order (exactly within a process; across frontends up to clock skew),
    // so the first pending leaf carries the oldest outstanding SCT timestamp.
    const [first] = await storage.pendingLeaves(treeId, 1);
    return first ? first.queuedAt : null;
  };
}

const logMetricsByRegistry = new WeakMap<Registry, LogMetrics>();

/**
 * One LogMetrics per registry for the CT logs opened here. LogMetrics
 * registers fixed metric names, so a registry that already holds one made
 * elsewhere (e.g. by the hubs of the same process) cannot get a second:
 * then the caller must pass that one as `logMetrics`.
 */
function logMetricsFor(registry: Registry): LogMetrics {
  let m = logMetricsByRegistry.get(registry);
  if (!m) {
    if (registry.getSingleMetric('grapevine_log_leaves_queued_total')) {
      throw new CtError('BAD_CONFIG', 'the metrics registry already has log-core metrics; pass that LogMetrics as `logMetrics`');
    }
    m = new LogMetrics(registry);
    logMetricsByRegistry.set(registry, m);
  }
  return m;
}

/** "" or "/a/b": leading slash, no trailing slash. */
export function normalizePrefix(p: string | undefined): string {
  const t = (p ?? '').replace(/^\/+|\/+$/g, '');
  return t === '' ? '' : `/${t}`;
}

/** Opens (or with `init`, creates) the tree and builds the CtLog; nothing runs until startCtLog. */
export async function openCtLog(spec: CtLogSpec, opts: OpenCtOptions): Promise<OpenedCtLog> {
  const { storage } = opts;
  const clock = opts.clock ?? Date.now;
  if (spec.roots.length === 0) throw new CtError('BAD_CONFIG', `CT log ${spec.tree}: no accepted roots`);
  const roots = new RootStore(spec.roots);
  let tree = await storage.getTree(spec.tree);
  if (!tree) {
    if (!opts.init)
      throw new CtError(
        'BAD_CONFIG',
        `CT log tree ${JSON.stringify(spec.tree)} does not exist; ${opts.createHint ?? 'it is created only when asked'}`,
      );
    await Log.create(storage, spec.tree, CT_PERSONALITY, spec.signer, clock());
    opts.logger?.warn({ tree: spec.tree }, 'created a new CT log tree');
    tree = await storage.getTree(spec.tree);
  }
  if (tree && tree.personality !== CT_PERSONALITY) {
    throw new CtError(
      'BAD_CONFIG',
      `tree ${JSON.stringify(spec.tree)} belongs to personality ${JSON.stringify(tree.personality)}, not ${CT_PERSONALITY}`,
    );
  }
  const q = opts.quotas ?? {};
  const logMetrics = opts.logMetrics ?? (opts.registry ? logMetricsFor(opts.registry) : undefined);
  const metrics = opts.ctMetrics ?? (opts.registry ? new CtMetrics(opts.registry) : undefined);
  let log: Log;
  try {
    log = await Log.open(storage, spec.tree, spec.signer, {
      ...defined({ logger: opts.logger, metrics: logMetrics, tiles: opts.tiles }),
      clock,
      maxLeavesPerRead: spec.maxGetEntries ?? 1000,
      // Reads are charged per client; submissions are charged by CtLog (client before parsing, issuers after).
      quota: new QuotaManager({ global: q.global, perUser: { read: q.perClient?.read } }, clock),
    });
  } catch (err) {
    if (err instanceof LogError && err.code === 'WRONG_KEY') {
      throw new CtError('BAD_CONFIG', `the configured key is not the key CT log tree ${JSON.stringify(spec.tree)} was created with`, {
        cause: err,
      });
    }
    throw err;
  }
  const mmdMs = spec.mmdMs ?? DEFAULT_MMD_MS;
  const sequencer =
    opts.sequencer === false
      ? null
      : new Sequencer({
          storage,
          tree: log.tree,
          signer: spec.signer,
          intervalMs: opts.sequencerIntervalMs ?? Math.max(1, Math.min(200, Math.floor(mmdMs / 10))),
          batchSize: opts.sequencerBatchSize ?? 4096,
          // A fresh head at least once per MMD even when idle: the newest STH is never older than the MMD,
          // so a monitor can tell a stalled log from an idle one.
          maxRootAgeMs: mmdMs,
          ...defined({ clock: opts.clock, logger: opts.logger, metrics: logMetrics }),
        });
  const ct = new CtLog({
    log,
    signer: spec.signer,
    roots,
    admission: {
      maxChainLength: spec.maxChainLength ?? 10,
      certificates: new CertificateCache(),
      ...defined({ notAfter: spec.notAfter, rejectExpired: spec.rejectExpired }),
    },
    clock,
    mmdMs,
    submitQuota: new QuotaManager({ perUser: { write: q.perClient?.write } }, clock),
    backlog: oldestUnmergedProbe(storage, log.tree.id),
    ...defined({
      // Without a limit, no quota: it would cost each submission an identity lookup for nothing.
      issuerQuota: q.perIssuer?.write ? new QuotaManager({ perUser: { write: q.perIssuer.write } }, clock) : undefined,
      metrics,
      logger: opts.logger?.child({ ct: spec.tree }),
    }),
  });
  return { ct, log, sequencer, prefix: normalizePrefix(spec.prefix), ...defined({ metrics }) };
}

/** Starts the sequencer, then the MMD watchdog. */
export async function startCtLog(o: OpenedCtLog): Promise<void> {
  o.sequencer?.start();
  await o.ct.start();
}

/** Stops the watchdog, then the sequencer (it finishes its batch and releases its lease). Storage is the caller's. */
export async function stopCtLog(o: OpenedCtLog): Promise<void> {
  await o.ct.stop();
  await o.sequencer?.stop();
}

/** Mounts the RFC 6962 API at `<prefix>/ct/v1/`. */
export async function mountCtLog(app: FastifyInstance, o: OpenedCtLog): Promise<void> {
  await app.register(ctRoutes, { prefix: `${o.prefix}${CT_PATH_PREFIX}`, ct: o.ct, ...defined({ metrics: o.metrics }) });
}
