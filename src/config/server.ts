/**
 * The keys every server config file has at its top level (`grapevine serve`,
 * `ct serve`, `hub serve`): where to listen, the database and its pool, how
 * clients are identified for quotas, logging, and the HTTP edge's timeouts.
 * Each file type gives its own listen and database defaults.
 *
 * `--listen` and GRAPEVINE_DATABASE_URL replace `listen` and `database`
 * (ServerOverrides), checked by the same rules and named as their source in
 * problems. A relative SQLite path is taken from the config file's folder,
 * wherever the URL came from.
 */
import { z } from 'zod';
import {
  doc,
  type LogLevel,
  listenProblem,
  logLevel,
  positiveDuration,
  type ResolveOptions,
  resolvePath,
  splitListen,
  trustProxy,
} from './fields.ts';

/** A duration above zero with a default written as text, so the reference shows it as written. */
const positive = (def: string) => positiveDuration.prefault(def);

/**
 * How long and how many, against slow and greedy clients (issue 8 §4): Node's
 * own defaults are not enough, and fastify turns the request timeout off. The
 * defaults are src/http's (DEFAULT_HTTP_LIMITS); the resolved settings have
 * that shape.
 */
export const httpSection = z
  .strictObject({
    requestTimeout: doc(positive('30s'), {
      description:
        'The whole request, headers and body, must arrive within this from its first byte; else 408 and the connection closes (Node `server.requestTimeout`).',
      unit: 'duration',
    }),
    headersTimeout: doc(positive('10s'), {
      description: 'The request line and headers must arrive within this (Node `server.headersTimeout`). At most requestTimeout.',
      unit: 'duration',
    }),
    idleTimeout: doc(positive('60s'), {
      description: 'A connection with no bytes either way for this long is closed.',
      unit: 'duration',
    }),
    keepAliveTimeout: doc(positive('5s'), {
      description:
        "A keep-alive connection waiting for its next request is closed after this (Node `server.keepAliveTimeout`). Behind a load balancer that reuses connections, make it longer than the balancer's idle timeout.",
      unit: 'duration',
    }),
    maxConnections: doc(z.number().int().min(1).max(1_000_000).default(4096), {
      description:
        "Most connections open at once; further ones are closed on arrival (Node `server.maxConnections`). Keep it below the process's open-file limit (`ulimit -n`).",
      unit: 'connections',
      trust: 'bounds what many slow or idle clients can hold; with N frontends the fleet takes N times as many.',
    }),
  })
  .prefault({});

/**
 * The operator's web dashboard (src/dashboard, docs/dashboard.md): on by
 * default, open on a loopback listen address, off elsewhere unless a bearer
 * token is set.
 */
export const dashboardSection = z
  .strictObject({
    enabled: doc(z.boolean().default(true), {
      description:
        'Serve the read-only web dashboard at / and its JSON API at /api/v1/ (docs/dashboard.md). On a loopback listen address it needs no login; elsewhere it is served only with a token.',
    }),
    token: doc(
      z
        .string()
        .default('')
        .refine((t) => t === '' || t.length >= 16, 'want at least 16 characters (or none)'),
      {
        description:
          'Bearer token the dashboard API asks for (the page prompts for it once per tab). Needed to serve the dashboard when listen is not a loopback address. Keep it out of the file: `token: $' +
          '{GRAPEVINE_DASHBOARD_TOKEN}`. Empty: none.',
        trust:
          "whoever holds it reads the dashboard: heads, metrics and incidents with their evidence, what /metrics and the logs' own APIs show, in one place. It is sent on every API request: put TLS in front beyond loopback.",
      },
    ),
    history: doc(positive('1h'), {
      description: 'How far back the plots reach: samples are kept in memory for this long (lost on restart).',
      unit: 'duration',
    }),
    sampleInterval: doc(positive('2s'), {
      description:
        'How often the metrics are sampled for the plots and the terminal event lines. history / sampleInterval is at most 20000.',
      unit: 'duration',
    }),
  })
  .prefault({});

/** Most samples the dashboard's ring buffer keeps per series. */
export const MAX_DASHBOARD_SAMPLES = 20_000;

/** The server keys with this file type's listen and database defaults. */
export function serverShape(defaults: { readonly listen: string; readonly database: string }) {
  return {
    listen: doc(z.string().default(defaults.listen), {
      description:
        'host:port to listen on, for every API, /metrics and the health endpoints. All interfaces: 0.0.0.0:PORT or [::]:PORT. `--listen` replaces it.',
      trust: 'whoever reaches it can submit (within quotas) and read, and can read /metrics.',
    }),
    database: doc(z.string().min(1).default(defaults.database), {
      description:
        "`sqlite:PATH` (a relative PATH is taken from this file's folder) or `postgres://user@host:5432/db` (several frontends share one). GRAPEVINE_DATABASE_URL replaces it.",
      trust:
        'whoever can write the database can queue leaves that bypass admission, or damage tiles (the sequencer refuses to sign over a head that does not check out). A password in the URL is a secret: take it from the environment (a variable reference, or GRAPEVINE_DATABASE_URL), not the file.',
    }),
    postgres: doc(
      z
        .strictObject({
          poolSize: doc(z.number().int().min(2).max(1000).default(10), {
            description:
              "PostgreSQL connections this process opens at most (requests, the sequencer and lease renewals share them). N frontends open up to N × poolSize: keep that below the server's max_connections. Ignored for SQLite.",
            unit: 'connections',
          }),
        })
        .prefault({}),
      { description: 'PostgreSQL settings, used when database is a postgres:// URL.' },
    ),
    trustProxy,
    ipv6QuotaPrefix: doc(z.number().int().min(16).max(64).default(64), {
      description:
        'IPv6 clients share one per-client quota bucket per prefix of this length. 64 (one subnet, what one host usually has); smaller is coarser: 48 puts a whole site in one bucket.',
      unit: 'bits',
      trust:
        'a holder of a /48 has 65,536 /64 buckets, so 65,536 times the per-client quota at /64; clients behind NAT64 or one carrier-grade NAT share one IPv4 bucket.',
    }),
    logLevel,
    http: doc(httpSection, { description: 'Timeouts and connection cap of the HTTP server, against slow and idle clients.' }),
    dashboard: doc(dashboardSection, { description: 'The web dashboard at / (docs/dashboard.md).' }),
  };
}

type ServerShape = ReturnType<typeof serverShape>;
/** The server keys of a parsed config. */
export type ServerConfig = { readonly [K in keyof ServerShape]: z.output<ServerShape[K]> };

/** The problem with a database URL, without quoting it (it may hold a password), or undefined. */
export function databaseProblem(url: string, where = 'database'): string | undefined {
  if (url.startsWith('sqlite:')) {
    return url.slice(7).trim() === '' ? `${where}: got sqlite: with no path, want sqlite:PATH` : undefined;
  }
  if (/^postgres(ql)?:\/\/./.test(url)) return undefined;
  const scheme = /^[A-Za-z][A-Za-z0-9+.-]{0,15}:/.exec(url)?.[0];
  return `${where}: got ${scheme ? `a ${JSON.stringify(scheme)} URL` : 'a value with no URL scheme'}, want sqlite:PATH or postgres://…`;
}

/** Cross-field problems of the server keys, and of the overrides (named by their source). */
export function serverProblems(
  cfg: Pick<ServerConfig, 'listen' | 'database' | 'http'> & Partial<Pick<ServerConfig, 'dashboard'>>,
  overrides: ResolveOptions['overrides'],
): string[] {
  const problems: string[] = [];
  const push = (p: string | undefined) => {
    if (p) problems.push(p);
  };
  push(overrides?.listen !== undefined ? listenProblem(overrides.listen, '--listen') : listenProblem(cfg.listen));
  push(overrides?.database !== undefined ? databaseProblem(overrides.database, 'GRAPEVINE_DATABASE_URL') : databaseProblem(cfg.database));
  if (cfg.http.headersTimeout > cfg.http.requestTimeout) {
    problems.push(
      `http.headersTimeout: ${cfg.http.headersTimeout} ms is longer than http.requestTimeout ${cfg.http.requestTimeout} ms; want at most it`,
    );
  }
  const d = cfg.dashboard;
  if (d && d.history / d.sampleInterval > MAX_DASHBOARD_SAMPLES) {
    problems.push(
      `dashboard.history: got ${Math.ceil(d.history / d.sampleInterval)} samples (history / sampleInterval), want at most ${MAX_DASHBOARD_SAMPLES}`,
    );
  }
  return problems;
}

/**
 * The listen and database problems of a file whose schema failed (so
 * `serverProblems` cannot run), from the raw values where they are strings,
 * so that they are reported in the same pass.
 */
export function rawServerProblems(raw: unknown, overrides: ResolveOptions['overrides']): string[] {
  const r = raw && typeof raw === 'object' ? (raw as Record<string, unknown>) : {};
  const out: Array<string | undefined> = [
    overrides?.listen !== undefined
      ? listenProblem(overrides.listen, '--listen')
      : typeof r.listen === 'string'
        ? listenProblem(r.listen)
        : undefined,
    overrides?.database !== undefined
      ? databaseProblem(overrides.database, 'GRAPEVINE_DATABASE_URL')
      : typeof r.database === 'string'
        ? databaseProblem(r.database)
        : undefined,
  ];
  return out.filter((p): p is string => p !== undefined);
}

/** HTTP server bounds, ms and connections (see httpSection): the shape of src/http's HttpLimits. */
export interface ResolvedHttpSettings {
  readonly requestTimeoutMs: number;
  readonly headersTimeoutMs: number;
  readonly idleTimeoutMs: number;
  readonly keepAliveTimeoutMs: number;
  readonly maxConnections: number;
}

/** The dashboard settings (src/dashboard `DashboardSettings`). */
export interface ResolvedDashboardSettings {
  readonly enabled: boolean;
  /** The API's bearer token; "" for none. */
  readonly token: string;
  readonly historyMs: number;
  readonly sampleIntervalMs: number;
}

/** What a server config resolves to besides its personality's part. */
export interface ResolvedServerSettings {
  readonly host: string;
  readonly port: number;
  /** The database URL, a relative SQLite path made absolute (from the config file's folder). */
  readonly database: string;
  /** PostgreSQL pool size per process (`postgres.poolSize`). */
  readonly poolSize: number;
  readonly trustProxy: boolean | string | readonly string[];
  /** IPv6 clients share a quota bucket per prefix of this many bits. */
  readonly ipv6QuotaPrefix: number;
  readonly logLevel: LogLevel;
  /** Largest request body, bytes (the personality's `limits.bodyBytes`). */
  readonly bodyLimit: number;
  readonly http: ResolvedHttpSettings;
  readonly dashboard: ResolvedDashboardSettings;
}

/** A database URL with a relative SQLite path made absolute from `baseDir` (`:memory:` stays). */
export function resolveDatabase(url: string, baseDir: string): string {
  if (!url.startsWith('sqlite:')) return url;
  const path = url.slice(7);
  return path === ':memory:' ? url : `sqlite:${resolvePath(baseDir, path)}`;
}

/** The server settings of a config whose `serverProblems` were empty. */
export function resolveServer(
  cfg: ServerConfig,
  opts: Pick<ResolveOptions, 'baseDir' | 'overrides'>,
  bodyLimit: number,
): ResolvedServerSettings {
  const listen = opts.overrides?.listen ?? cfg.listen;
  return Object.freeze({
    ...splitListen(listen),
    database: resolveDatabase(opts.overrides?.database ?? cfg.database, opts.baseDir),
    poolSize: cfg.postgres.poolSize,
    trustProxy: cfg.trustProxy,
    ipv6QuotaPrefix: cfg.ipv6QuotaPrefix,
    logLevel: cfg.logLevel,
    bodyLimit,
    http: Object.freeze({
      requestTimeoutMs: cfg.http.requestTimeout,
      headersTimeoutMs: cfg.http.headersTimeout,
      idleTimeoutMs: cfg.http.idleTimeout,
      keepAliveTimeoutMs: cfg.http.keepAliveTimeout,
      maxConnections: cfg.http.maxConnections,
    }),
    dashboard: Object.freeze({
      enabled: cfg.dashboard.enabled,
      token: cfg.dashboard.token,
      historyMs: cfg.dashboard.history,
      sampleIntervalMs: cfg.dashboard.sampleInterval,
    }),
  });
}
