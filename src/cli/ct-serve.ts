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
import type { Command } from 'commander';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { loadCtConfigText, type ResolvedCtConfig } from '../config/ct.ts';
import { createApp, registerHealth, registerMetrics, sequencerCheck, storageCheck } from '../http/index.ts';
import type { LogMetrics, LogStorage } from '../log/index.ts';
import { CtError, mountCtLog, type OpenedCtLog, openCtLog, startCtLog, stopCtLog } from '../personalities/ct/index.ts';
import { redact } from '../storage/index.ts';
import { banner } from './banner.ts';
import { CliError } from './errors.ts';
import { checkListen } from './listen-check.ts';
import { listen, loadConfigFile, type ServerOptions, serverParts } from './server-runtime.ts';

export interface StartCtServerOptions extends ServerOptions {
  /** Create the tree if missing (also `createTree: true` in the config). Never done otherwise. */
  readonly createTree?: boolean;
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
  deps: {
    storage: LogStorage;
    registry?: Registry;
    logMetrics?: LogMetrics;
    logger?: Logger;
    clock?: () => number;
    createTree?: boolean;
    /** The advice when the tree is missing; default: `ct serve`'s. */
    createHint?: string;
  },
): Promise<OpenedCtLog> {
  return openCtLog(config.log, {
    storage: deps.storage,
    init: deps.createTree === true || config.createTree,
    createHint: deps.createHint ?? 'start once with --create-tree (or set createTree: true) to create it',
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
  const { logger, registry, storage, ownStorage } = await serverParts(config, opts);
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

  const app = createApp({ logger, bodyLimit: config.bodyLimit, trustProxy: config.trustProxy, http: config.http });
  registerHealth(app, {
    checks: [
      storageCheck(storage),
      ...(opened.sequencer ? [sequencerCheck(opened.sequencer, `sequencer:${config.log.tree}`)] : []),
      { name: `ct:${config.log.tree}`, check: () => (opened.ct.accepting ? 'accepting' : 'refusing submissions (merge backlog)') },
    ],
  });
  registerMetrics(app, { registry });
  await mountCtLog(app, opened);

  const listening = await listen(app, {
    host: opts.host ?? config.host,
    port: opts.port ?? config.port,
    closers: [{ name: 'ct', close: () => stopCtLog(opened) }, ...(ownStorage ? [{ name: 'storage', close: () => storage.close() }] : [])],
    logger,
    handleSignals: opts.handleSignals === true,
  });
  const url = `${listening.url}${opened.prefix}`;
  logger.info(
    { url, database: redact(config.database), tree: config.log.tree, logId: opened.ct.logId.toString('base64') },
    'CT log listening',
  );
  return { app, opened, storage, url, port: listening.port, close: listening.close };
}

/** Reads and resolves a config file; relative paths are taken from the file's directory. */
export function loadCtConfig(path: string): ResolvedCtConfig {
  return loadConfigFile(path, loadCtConfigText);
}

export function registerCtServe(ct: Command): void {
  ct.command('serve')
    .description('Run an RFC 6962 CT log from a YAML config file')
    .requiredOption('--config <file>', 'CT log config (YAML; see src/config/ct.ts for every field)')
    .option('--create-tree', 'create the tree if it does not exist yet (never done without this flag or createTree: true)', false)
    .action(async (o: { config: string; createTree: boolean }) => {
      const config = loadCtConfig(o.config);
      await checkListen(config.host, config.port);
      try {
        const server = await startCtServer(config, { createTree: o.createTree, handleSignals: true });
        const base = server.url.slice(0, server.url.length - server.opened.prefix.length);
        process.stderr.write(banner(base, [{ kind: 'CT log', url: server.url, key: config.log.signer.publicKey }]));
      } catch (err) {
        if (err instanceof CtError && err.code === 'BAD_CONFIG') throw new CliError('FAILED', err.message, { cause: err });
        throw err;
      }
      // The server keeps the process alive; SIGTERM/SIGINT shut it down.
    });
}
