/**
 * `grapevine witness serve --config FILE [--listen HOST:PORT]`, and
 * `startWitnessServer`, which tests and embedders call: the state from the
 * config's database (a HeadStore; SQLite swaps on the writer thread), the
 * witness keys and logs, the incident reporter, one fastify app with
 * /healthz, /readyz, /metrics and the tlog-witness routes under the prefix.
 */
import type { Command } from 'commander';
import { type Logger, pino } from 'pino';
import { Registry } from 'prom-client';
import type { HeadStore } from '../audit/index.ts';
import { loadWitnessConfigText, type ResolvedWitnessConfig } from '../config/witness.ts';
import { createApp, registerHealth, registerMetrics } from '../http/index.ts';
import { buildIncidentReporter } from '../incidents/index.ts';
import { openHeadStore, redact } from '../storage/index.ts';
import { WitnessMetrics, WitnessService, witnessRoutes } from '../witness/index.ts';
import { type Closer, listen, loadConfigFile } from './server-runtime.ts';

export interface WitnessServerOptions {
  readonly logger?: Logger;
  readonly registry?: Registry;
  /** ms since the epoch (cosignature times). */
  readonly clock?: () => number;
  /** Use this state instead of opening the config's database (the caller closes it). */
  readonly store?: HeadStore;
  readonly handleSignals?: boolean;
  readonly port?: number;
  readonly host?: string;
}

export interface WitnessServer {
  readonly service: WitnessService;
  /** http://host:port plus the prefix: the witness's submission and monitoring URL. */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

export async function startWitnessServer(config: ResolvedWitnessConfig, opts: WitnessServerOptions = {}): Promise<WitnessServer> {
  const logger = opts.logger ?? pino({ level: config.logLevel });
  const registry = opts.registry ?? new Registry();
  const owned = opts.store === undefined ? await openHeadStore(config.database, { poolSize: config.poolSize, writerThread: true }) : null;
  const store = opts.store ?? (owned as HeadStore);
  const name = config.cosigners[0].name;
  const incidents = buildIncidentReporter(config.incidents, {
    observer: name,
    log: logger,
    registry,
    ...(opts.clock ? { now: opts.clock } : {}),
  });
  const service = new WitnessService({
    logs: config.logs,
    cosigners: config.cosigners,
    store,
    incidents,
    metrics: new WitnessMetrics(registry),
    logger,
    ...(opts.clock ? { clock: opts.clock } : {}),
  });
  const app = createApp({ logger, bodyLimit: config.bodyLimit, trustProxy: config.trustProxy });
  registerHealth(app, {
    checks: [
      {
        name: 'state',
        check: async () => {
          await store.get('witness/readiness-probe');
          return 'reachable';
        },
      },
    ],
  });
  registerMetrics(app, { registry });
  await app.register(witnessRoutes, { prefix: config.prefix, witness: service });
  const closers: Closer[] = [
    { name: 'incidents', close: () => incidents.close() },
    ...(owned ? [{ name: 'state', close: () => owned.close() }] : []),
  ];
  const l = await listen(app, {
    host: opts.host ?? config.host,
    port: opts.port ?? config.port,
    closers,
    logger,
    handleSignals: opts.handleSignals === true,
  });
  const url = `${l.url}${config.prefix}`;
  logger.debug({ url, database: redact(config.database), witness: service.vkeys, logs: config.logs.size }, 'witness listening');
  return { service, url, port: l.port, close: l.close };
}

export function loadWitnessConfig(path: string, listenOverride?: string): ResolvedWitnessConfig {
  return loadConfigFile(path, loadWitnessConfigText, listenOverride !== undefined ? { listen: listenOverride } : {});
}

export function registerWitnessServe(witness: Command): void {
  witness
    .command('serve')
    .description('Run a C2SP witness (POST add-checkpoint, GET <origin hash>/checkpoint) from a YAML config')
    .requiredOption('--config <file>', 'witness config (YAML; docs/configuration.md § Witness)')
    .option('--listen <host:port>', "listen here instead of the config's listen")
    .action(async (o: { config: string; listen?: string }) => {
      const config = loadWitnessConfig(o.config, o.listen);
      const s = await startWitnessServer(config, { handleSignals: true });
      // The shape of the other servers' banner (banner.ts): the address, then what clients are given.
      const lines = [
        `grapevine: serving at ${s.url.slice(0, s.url.length - config.prefix.length)}`,
        ...s.service.vkeys.map((v) => `  witness  --url ${s.url}  vkey ${v}`),
      ];
      process.stderr.write(`${lines.join('\n')}\n`);
      // The server keeps the process alive; SIGTERM/SIGINT shut it down.
    });
}
