/**
 * One CT log as a server part (src/http/part.ts), on a storage, registry and
 * tile cache the server shares, without touching files (the CLI reads keys
 * and roots and passes them in):
 *
 *     const part = await openCtLog(spec, { storage, registry, createMissing });
 *     // the server builder (src/server) then: part.start(), part.mount(app), …, part.stop()
 *
 * The tree is wired by the core (src/log/tree.ts: open-or-create with the
 * personality and key checks, timing from the MMD, sequencer, merge
 * watchdog); this file adds what is CT's: roots, admission, quotas, metrics
 * and the RFC 6962 routes at `<prefix>/ct/v1/`.
 */
import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import type { Signer } from '../../crypto/index.ts';
import { CT_PATH_PREFIX } from '../../ct/index.ts';
import { SetupError } from '../../errors.ts';
import { healthOfMmd, mmdStatus, type Part, type PartStatus, type ReadinessCheck, routePrefix, sequencerCheck } from '../../http/index.ts';
import {
  type BucketSpec,
  LogMetrics,
  type OpenedTree,
  openTree,
  RequestQuotas,
  type TimingOverrides,
  type TreeDeps,
} from '../../log/index.ts';
import type { NotAfterWindow } from './admission.ts';
import { CtLog, DEFAULT_MMD_MS } from './ct-log.ts';
import { CtMetrics } from './metrics.ts';
import { CertificateCache, RootStore } from './roots.ts';
import { ctRoutes } from './routes.ts';

/** Personality tag of CT trees in storage. */
export const CT_PERSONALITY = 'ct';

export interface CtQuotaSpec {
  /** All clients together. */
  readonly global?: { readonly read?: BucketSpec; readonly write?: BucketSpec };
  /** Per client IP (IPv6 per /64): a read token per request, and per entry of a get-entries page; a write token per submission. */
  readonly perClient?: { readonly read?: BucketSpec; readonly write?: BucketSpec };
  /** Per issuing certificate (intermediate or root) of a new entry, once its chain verified. */
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

/** What the server shares with this part (TreeDeps), and the CT log's own settings. */
export interface OpenCtOptions extends TreeDeps {
  /** Metrics go here (log core and CT). */
  readonly registry?: Registry;
  readonly quotas?: CtQuotaSpec;
  /** Sequencer and watchdog timing; defaults follow the MMD (src/log/timing.ts). */
  readonly timing?: TimingOverrides;
  readonly sequencerBatchSize?: number;
  /** Largest add-chain body, bytes (413 above); default the server's. */
  readonly bodyLimit?: number;
}

/** An opened CT log: its CtLog, its tree (Log, sequencer, watchdog) and its routes, as a server part. */
export class CtLogPart implements Part {
  readonly name: string;
  readonly ct: CtLog;
  readonly tree: OpenedTree;
  /** "" or "/a/b": the API is at `<prefix>/ct/v1/`. */
  readonly prefix: string;
  readonly metrics?: CtMetrics;
  readonly bodyLimit?: number;
  readonly #clock: () => number;

  constructor(
    ct: CtLog,
    tree: OpenedTree,
    prefix: string,
    metrics: CtMetrics | undefined,
    bodyLimit: number | undefined,
    clock: () => number = Date.now,
  ) {
    this.name = `ct:${tree.name}`;
    this.ct = ct;
    this.tree = tree;
    this.prefix = prefix;
    this.metrics = metrics;
    this.bodyLimit = bodyLimit;
    this.#clock = clock;
  }

  get log() {
    return this.tree.log;
  }

  get sequencer() {
    return this.tree.sequencer;
  }

  readiness(): ReadinessCheck[] {
    const { sequencer, watchdog } = this.tree;
    return [
      ...(sequencer ? [sequencerCheck(sequencer, `sequencer:${this.tree.name}`)] : []),
      { name: this.name, check: () => (watchdog.accepting ? 'accepting' : 'refusing submissions (merge backlog)') },
    ];
  }

  /** The dashboard's view (src/http/status.ts): the log, its latest signed head and MMD promise; its own head as a view of itself. */
  async status(): Promise<PartStatus> {
    const head = await this.tree.log.latestHead();
    const { watchdog } = this.tree;
    const mmd = mmdStatus({
      mmdMs: this.tree.timing.mmdMs,
      accepting: watchdog.accepting,
      stopped: watchdog.stopped !== null,
      headAgeMs: this.#clock() - head.timestamp,
    });
    const summary = { size: head.size, root: head.rootHash.toString('hex'), timestampMs: head.timestamp };
    const name = `CT log ${this.tree.name}`;
    return {
      services: [
        {
          id: this.name,
          kind: 'log',
          name,
          health: healthOfMmd(mmd),
          detail: mmd.detail,
          path: `${this.prefix}${CT_PATH_PREFIX}/`,
          head: summary,
          mmd,
          facts: [
            { label: 'log id', value: this.ct.logId.toString('base64') },
            { label: 'accepted roots', value: String(this.ct.roots.certificates.length) },
          ],
        },
      ],
      observations: [
        {
          source: { id: this.ct.logId.toString('hex'), name },
          observer: { kind: 'log', name: `${name} (its own head)` },
          head: summary,
          observedAtMs: head.timestamp,
        },
      ],
    };
  }

  /** Mounts the RFC 6962 API at `<prefix>/ct/v1/`. */
  async mount(app: FastifyInstance): Promise<void> {
    await app.register(ctRoutes, { prefix: `${this.prefix}${CT_PATH_PREFIX}`, ct: this.ct, metrics: this.metrics });
  }

  /** Starts the sequencer, then the merge watchdog. */
  start(): Promise<void> {
    return this.tree.start();
  }

  /** Stops the watchdog, then the sequencer (it finishes its batch and releases its lease). Storage is the server's. */
  stop(): Promise<void> {
    return this.tree.stop();
  }

  onFatal(handler: (reason: string, err: unknown) => void): void {
    this.tree.onFatal((err) => handler(`CT log ${this.tree.name}: the sequencer stopped on a fatal error`, err));
  }
}

/** Opens (or with `createMissing`, creates) the tree and builds the CT log; nothing runs until start(). */
export async function openCtLog(spec: CtLogSpec, opts: OpenCtOptions): Promise<CtLogPart> {
  if (spec.roots.length === 0) throw new SetupError('BAD_CONFIG', `CT log ${spec.tree}: no accepted roots`);
  const roots = new RootStore(spec.roots);
  const clock = opts.clock ?? Date.now;
  const q = opts.quotas ?? {};
  const metrics = opts.metrics ?? (opts.registry ? LogMetrics.of(opts.registry) : undefined);
  const tree = await openTree(
    {
      name: spec.tree,
      personality: CT_PERSONALITY,
      signer: spec.signer,
      mmdMs: spec.mmdMs ?? DEFAULT_MMD_MS,
      timing: opts.timing,
      batchSize: opts.sequencerBatchSize,
      what: `CT log ${JSON.stringify(spec.tree)}`,
    },
    { ...opts, metrics, maxLeavesPerRead: spec.maxGetEntries ?? 1000 },
  );
  const ctMetrics = opts.registry ? new CtMetrics(opts.registry) : undefined;
  const ct = new CtLog({
    log: tree.log,
    signer: spec.signer,
    roots,
    admission: {
      maxChainLength: spec.maxChainLength ?? 10,
      certificates: new CertificateCache(),
      notAfter: spec.notAfter,
      rejectExpired: spec.rejectExpired,
    },
    clock,
    quotas: new RequestQuotas({ global: q.global, perClient: q.perClient, perSubmitter: q.perIssuer }, clock),
    maxGetEntries: spec.maxGetEntries ?? 1000,
    watchdog: tree.watchdog,
    metrics: ctMetrics,
    logger: opts.logger?.child({ ct: spec.tree }),
  });
  return new CtLogPart(ct, tree, routePrefix(spec.prefix), ctMetrics, opts.bodyLimit, clock);
}
