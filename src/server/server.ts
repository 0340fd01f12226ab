/**
 * The one server builder: every `serve` command and every test fixture runs
 * its parts (src/http/part.ts: a CT log, the hub instances, the gossip loop,
 * …) through it, so body limits, trustProxy, health, readiness, metrics,
 * shutdown order and the fatal stop are the same everywhere.
 *
 *   start:    each part's start(), in order (sequencers, watchdogs, first audits)
 *             → one fastify app (src/http): /healthz, /readyz (storage ping + every
 *               part's checks), /metrics, each part mounted in a scope of its own
 *               with its body limit
 *             → listen (or only `ready()`, for tests that inject())
 *   shutdown: stop accepting and finish in-flight requests → each part's stop(),
 *             in reverse order → storage close (when the server owns it)
 *             — on close(), on SIGTERM/SIGINT (handleSignals), or when a part
 *             reports a fatal error: then the exit code is 1, as Sunlight's log
 *             exits when its sequencer cannot go on.
 *
 * A start that fails midway stops what it started, in reverse order, and
 * closes the storage it owns before rethrowing.
 */
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { DashboardPart, type DashboardSettings } from '../dashboard/index.ts';
import {
  type AppOptions,
  createApp,
  DEFAULT_BODY_LIMIT,
  installGracefulShutdown,
  type Part,
  type ReadinessCheck,
  registerHealth,
  registerMetrics,
  setIpv6QuotaPrefix,
  storageCheck,
} from '../http/index.ts';
import type { LogStorage } from '../log/index.ts';

export interface ServerOptions {
  readonly host: string;
  /** 0: any free port (tests). */
  readonly port: number;
  readonly parts: readonly Part[];
  readonly registry: Registry;
  /** Default: no logging. */
  readonly logger?: Logger;
  /** Pinged by /readyz; closed last on shutdown when `ownStorage`. */
  readonly storage?: Pick<LogStorage, 'ping' | 'close'>;
  readonly ownStorage?: boolean;
  /** Largest request body of routes whose part sets none, bytes. Default: the largest part's, else 256 KiB. */
  readonly bodyLimit?: number;
  /** Whether X-Forwarded-For gives the client address (src/http/app.ts). Default false. */
  readonly trustProxy?: AppOptions['trustProxy'];
  /** Request, header, idle and keep-alive timeouts and the connection cap (src/http/limits.ts); defaults there. */
  readonly http?: AppOptions['http'];
  /** IPv6 clients share a quota bucket per prefix of this many bits (src/http/client-ip.ts). Default 64. */
  readonly ipv6QuotaPrefix?: number;
  /** Install SIGTERM/SIGINT handlers; the process then exits once shut down (the CLI sets it). Default false. */
  readonly handleSignals?: boolean;
  /** Called with the exit code once shut down. Default: process.exit with handleSignals, nothing without. */
  readonly exit?: (code: number) => void;
  /** Default 30 s (src/http/shutdown.ts). */
  readonly shutdownTimeoutMs?: number;
  /** Listen on host:port (default true); false: only get the app ready, for tests that use inject(). */
  readonly listen?: boolean;
  /**
   * The web dashboard over the parts (src/dashboard; config `dashboard:`): added in front of them, it
   * samples metrics and logs the notable events, and serves `/` and /api/v1/ when its access allows.
   * Default: none.
   */
  readonly dashboard?: DashboardSettings;
}

export interface Server {
  readonly app: FastifyInstance;
  /** http://host:port of the bound socket (IPv6 hosts in brackets, no trailing slash); "" when not listening. */
  readonly url: string;
  /** The bound port (the real one when 0 was asked for); 0 when not listening. */
  readonly port: number;
  readonly parts: readonly Part[];
  /** Resolves with the exit code once the server shut down: 0, or 1 after a fatal part or a failed step. */
  readonly done: Promise<number>;
  /** Graceful and idempotent: drain, stop the parts in reverse order, close owned storage. */
  close(): Promise<void>;
}

/** Starts the parts, builds the app and listens. */
export async function startServer(options: ServerOptions): Promise<Server> {
  const o = withDashboard(options);
  const started: Part[] = [];
  let app: FastifyInstance | null = null;
  const abandon = async () => {
    await app?.close().catch(() => {});
    for (const p of started.reverse()) await p.stop().catch(() => {});
    if (o.ownStorage) await o.storage?.close().catch(() => {});
  };
  try {
    for (const p of o.parts) {
      await p.start();
      started.push(p);
    }
    app = await buildApp(o);
    if (o.listen !== false) await app.listen({ host: o.host, port: o.port });
    else await app.ready();
  } catch (err) {
    await abandon();
    throw err;
  }
  return running(app, o);
}

/** The options with the dashboard part in front of the others (mounted first, it answers `/` before a hub does). */
function withDashboard(o: ServerOptions): ServerOptions {
  if (!o.dashboard) return o;
  const dashboard = new DashboardPart({
    parts: o.parts,
    settings: o.dashboard,
    host: o.host,
    registry: o.registry,
    ...(o.logger ? { logger: o.logger } : {}),
  });
  if (dashboard.access.mode === 'off' && o.dashboard.enabled) o.logger?.warn(`dashboard off: ${dashboard.access.reason}`);
  return { ...o, parts: [dashboard, ...o.parts] };
}

async function buildApp(o: ServerOptions): Promise<FastifyInstance> {
  const limits = o.parts.map((p) => p.bodyLimit).filter((b): b is number => b !== undefined);
  const app = createApp({
    logger: o.logger ?? false,
    bodyLimit: o.bodyLimit ?? (limits.length > 0 ? Math.max(...limits) : DEFAULT_BODY_LIMIT),
    trustProxy: o.trustProxy ?? false,
    http: o.http,
  });
  if (o.ipv6QuotaPrefix !== undefined) setIpv6QuotaPrefix(app, o.ipv6QuotaPrefix);
  for (const part of o.parts) part.mountRoot?.(app);
  const checks: ReadinessCheck[] = [...(o.storage ? [storageCheck(o.storage)] : []), ...o.parts.flatMap((p) => p.readiness())];
  registerHealth(app, { checks });
  registerMetrics(app, { registry: o.registry });
  for (const part of o.parts) {
    await app.register(async (scope) => {
      // Each of the part's routes takes the part's body limit (fastify's per-route bodyLimit).
      if (part.bodyLimit !== undefined) {
        const limit = part.bodyLimit;
        scope.addHook('onRoute', (route) => {
          route.bodyLimit ??= limit;
        });
      }
      await part.mount(scope);
    });
  }
  return app;
}

function running(app: FastifyInstance, o: ServerOptions): Server {
  let resolveDone: (code: number) => void = () => {};
  const done = new Promise<number>((resolve) => {
    resolveDone = resolve;
  });
  const exit = o.exit ?? (o.handleSignals ? (code: number) => process.exit(code) : () => {});
  const closers = [
    ...[...o.parts].reverse().map((p) => ({ name: p.name, close: () => p.stop() })),
    ...(o.ownStorage && o.storage ? [{ name: 'storage', close: () => (o.storage as Pick<LogStorage, 'close'>).close() }] : []),
  ];
  const shutdown = installGracefulShutdown({
    app,
    closers,
    ...(o.logger ? { logger: o.logger } : {}),
    signals: o.handleSignals ? ['SIGTERM', 'SIGINT'] : [],
    ...(o.shutdownTimeoutMs !== undefined ? { timeoutMs: o.shutdownTimeoutMs } : {}),
    exit: (code) => {
      resolveDone(code);
      exit(code);
    },
  });
  for (const part of o.parts) {
    part.onFatal?.((reason, err) => {
      o.logger?.fatal({ err, part: part.name }, `${reason}; refusing new entries, draining, then exiting 1`);
      void shutdown.shutdown(reason, 1);
    });
  }
  let url = '';
  let port = 0;
  if (o.listen !== false) {
    const address = app.server.address();
    port = typeof address === 'object' && address ? address.port : o.port;
    url = `http://${o.host.includes(':') ? `[${o.host}]` : o.host}:${port}`;
  }
  return {
    app,
    url,
    port,
    parts: o.parts,
    done,
    close: async () => {
      await shutdown.shutdown('close');
    },
  };
}
