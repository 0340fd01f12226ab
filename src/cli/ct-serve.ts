/**
 * `grapevine ct serve --config FILE [--create-tree]`, and `startCtServer`,
 * the composition the lead's `grapevine serve` can reuse: storage from the
 * database URL, the CT tree + sequencer + CtLog, one fastify app with
 * /healthz, /readyz, /metrics and the RFC 6962 API at <prefix>/ct/v1/.
 *
 * To run the CT log inside another app instead (e.g. beside the hubs), use
 * `loadCtConfig` and `openConfiguredCtLog` here, then `startCtLog` /
 * `mountCtLog` / `stopCtLog` from src/ct with the shared storage, registry
 * and app.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import type { FastifyInstance } from 'fastify';
import { type Logger, pino } from 'pino';
import { Registry } from 'prom-client';
import { CtConfigError, parseCtConfig, type ResolvedCtConfig, resolveCtConfig } from '../config/ct.ts';
import { CtError, mountCtLog, type OpenedCtLog, openCtLog, startCtLog, stopCtLog } from '../ct/index.ts';
import {
  createApp,
  installGracefulShutdown,
  registerHealth,
  registerMetrics,
  type ShutdownHandle,
  sequencerCheck,
  storageCheck,
} from '../http/index.ts';
import type { LogMetrics, LogStorage } from '../log/index.ts';
import { openStorage, redact } from '../storage/index.ts';
import { CliError } from './errors.ts';

export interface StartCtServerOptions {
  /** Create the tree if missing (also `createTree: true` in the config). Never done otherwise. */
  readonly createTree?: boolean;
  readonly logger?: Logger;
  readonly registry?: Registry;
  readonly clock?: () => number;
  /** Use this storage instead of opening `config.database` (then the caller closes it). */
  readonly storage?: LogStorage;
  /** Install SIGTERM/SIGINT handlers that shut down gracefully and exit (default false; the CLI sets it). */
  readonly handleSignals?: boolean;
  /** Listen on this port instead of the configured one (0 = any; tests). */
  readonly port?: number;
  readonly host?: string;
}

export interface CtServer {
  readonly app: FastifyInstance;
  readonly opened: OpenedCtLog;
  readonly storage: LogStorage;
  /** The log URL (what RFC 6962 clients are given), e.g. http://127.0.0.1:6962 */
  readonly url: string;
  readonly port: number;
  /** Graceful: stop accepting, finish in-flight, stop watchdog and sequencer, close storage (if we opened it). */
  close(): Promise<void>;
}

/**
 * Opens the configured CT log on a storage the caller owns, for running it
 * inside another app (e.g. `grapevine serve` beside the hubs): then
 * `startCtLog(opened)`, `mountCtLog(app, opened)`, and `stopCtLog(opened)`
 * on shutdown. The app's error mapper learns CtError when the routes mount.
 */
export function openConfiguredCtLog(
  config: ResolvedCtConfig,
  deps: { storage: LogStorage; registry?: Registry; logMetrics?: LogMetrics; logger?: Logger; clock?: () => number; createTree?: boolean },
): Promise<OpenedCtLog> {
  return openCtLog(config.log, {
    storage: deps.storage,
    init: deps.createTree === true || config.createTree,
    quotas: config.quotas,
    sequencerBatchSize: config.sequencerBatchSize,
    ...(config.sequencerIntervalMs !== undefined ? { sequencerIntervalMs: config.sequencerIntervalMs } : {}),
    ...(deps.registry ? { registry: deps.registry } : {}),
    ...(deps.logMetrics ? { logMetrics: deps.logMetrics } : {}),
    ...(deps.logger ? { logger: deps.logger } : {}),
    ...(deps.clock ? { clock: deps.clock } : {}),
  });
}

/** Builds and starts a CT log server from a resolved config. */
export async function startCtServer(config: ResolvedCtConfig, opts: StartCtServerOptions = {}): Promise<CtServer> {
  const logger = opts.logger ?? pino({ level: config.logLevel });
  const registry = opts.registry ?? new Registry();
  const ownStorage = !opts.storage;
  const storage = opts.storage ?? (await openStorage(config.database));
  let opened: OpenedCtLog;
  try {
    opened = await openConfiguredCtLog(config, {
      storage,
      registry,
      logger,
      ...(opts.createTree !== undefined ? { createTree: opts.createTree } : {}),
      ...(opts.clock ? { clock: opts.clock } : {}),
    });
    await startCtLog(opened);
  } catch (err) {
    if (ownStorage) await storage.close().catch(() => {});
    throw err;
  }

  const app = createApp({ logger, bodyLimit: config.bodyLimit, trustProxy: config.trustProxy });
  registerHealth(app, {
    checks: [
      storageCheck(storage),
      ...(opened.sequencer ? [sequencerCheck(opened.sequencer, `sequencer:${config.log.tree}`)] : []),
      { name: `ct:${config.log.tree}`, check: () => (opened.ct.accepting ? 'accepting' : 'refusing submissions (merge backlog)') },
    ],
  });
  registerMetrics(app, { registry });
  await mountCtLog(app, opened);

  let closed: Promise<void> | null = null;
  const closers = [
    { name: 'ct', close: () => stopCtLog(opened) },
    ...(ownStorage ? [{ name: 'storage', close: () => storage.close() }] : []),
  ];
  let signals: ShutdownHandle | null = null;
  const close = (): Promise<void> => {
    closed ??= (async () => {
      signals?.dispose();
      await app.close();
      for (const c of closers) await c.close();
    })();
    return closed;
  };
  try {
    await app.listen({ host: opts.host ?? config.host, port: opts.port ?? config.port });
  } catch (err) {
    await close().catch(() => {});
    throw err;
  }
  if (opts.handleSignals) signals = installGracefulShutdown({ app, closers, logger });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : (opts.port ?? config.port);
  const host = opts.host ?? config.host;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}${opened.prefix}`;
  logger.info(
    { url, database: redact(config.database), tree: config.log.tree, logId: opened.ct.logId.toString('base64') },
    'CT log listening',
  );
  return { app, opened, storage, url, port, close };
}

/** Reads and resolves a config file; relative paths are taken from the file's directory. */
export function loadCtConfig(path: string): ResolvedCtConfig {
  const file = resolve(path);
  if (!existsSync(file)) throw new CliError('FAILED', `no config file at ${file}`);
  try {
    const cfg = parseCtConfig(readFileSync(file, 'utf8'));
    return resolveCtConfig(cfg, { readFile: (p) => readFileSync(p), baseDir: dirname(file) });
  } catch (err) {
    if (err instanceof CtConfigError)
      throw new CliError('INVALID', `${file}: ${err.problems.length} problem(s): ${err.problems.join('; ')}`, { cause: err });
    throw err;
  }
}

export function registerCtServe(ct: Command): void {
  ct.command('serve')
    .description('Run an RFC 6962 CT log from a YAML config file')
    .requiredOption('--config <file>', 'CT log config (YAML; see src/config/ct.ts for every field)')
    .option('--create-tree', 'create the tree if it does not exist yet (never done without this flag or createTree: true)', false)
    .action(async (o: { config: string; createTree: boolean }) => {
      const config = loadCtConfig(o.config);
      try {
        const server = await startCtServer(config, { createTree: o.createTree, handleSignals: true });
        process.stderr.write(`CT log at ${server.url}/ct/v1/ (log id ${server.opened.ct.logId.toString('base64')})\n`);
      } catch (err) {
        if (err instanceof CtError && err.code === 'BAD_CONFIG') throw new CliError('FAILED', err.message, { cause: err });
        throw err;
      }
      // The server keeps the process alive; SIGTERM/SIGINT shut it down.
    });
}
