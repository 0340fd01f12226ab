/**
 * `grapevine hub serve --config FILE [--init]`, and `startHubServer`, the
 * composition the lead's `grapevine serve` can reuse: storage from the
 * database URL, one tree + sequencer + HubService per instance, one fastify
 * app with /healthz, /readyz, /metrics and every hub under its prefix.
 */
import type { Command } from 'commander';
import type { FastifyInstance } from 'fastify';
import { loadHubConfigText, type ResolvedHubConfig } from '../config/hub.ts';
import { createApp, registerHealth, registerMetrics, sequencerCheck, storageCheck } from '../http/index.ts';
import { HubError } from '../hub/index.ts';
import type { LogStorage } from '../log/index.ts';
import { FileServedHeads, HubQuotas, mountHubs, type OpenedHub, openHubs, startHubs, stopHubs } from '../personalities/hub/index.ts';
import { redact } from '../storage/index.ts';
import { banner } from './banner.ts';
import { CliError } from './errors.ts';
import { checkListen } from './listen-check.ts';
import { listen, loadConfigFile, type ServerOptions, serverParts } from './server-runtime.ts';

export interface StartHubServerOptions extends ServerOptions {
  /** Create missing trees (never done silently). */
  readonly init?: boolean;
  /** Hub refresh / MMD watchdog period, ms (default min(1 s, MMD/10)). */
  readonly refreshIntervalMs?: number;
}

export interface HubServer {
  readonly app: FastifyInstance;
  readonly hubs: readonly OpenedHub[];
  readonly storage: LogStorage;
  /** e.g. http://127.0.0.1:16962 */
  readonly url: string;
  readonly port: number;
  /** Graceful: stop accepting, finish in-flight, stop hubs and sequencers, close storage (if we opened it). */
  close(): Promise<void>;
}

/** Builds and starts a hub server from a resolved config. */
export async function startHubServer(config: ResolvedHubConfig, opts: StartHubServerOptions = {}): Promise<HubServer> {
  const { logger, registry, storage, ownStorage } = await serverParts(config, opts);
  let hubs: OpenedHub[] = [];
  try {
    hubs = await openHubs(
      config.instances.map((i) => ({
        prefix: i.prefix,
        ...(i.tree !== undefined ? { tree: i.tree } : {}),
        signer: i.signer,
        sources: i.sources,
        mmdMs: i.mmdMs,
        ...(i.auditLog !== undefined ? { servedHeads: new FileServedHeads(i.auditLog) } : {}),
      })),
      {
        storage,
        registry,
        logger,
        quotas: new HubQuotas(config.quota, opts.clock),
        init: opts.init ?? false,
        createHint: 'start once with --init to create it',
        sequencerIntervalMs: config.sequencerIntervalMs,
        sequencerBatchSize: config.sequencerBatchSize,
        maxGetEntries: config.maxGetEntries,
        ...(opts.clock ? { clock: opts.clock } : {}),
        ...(opts.refreshIntervalMs !== undefined ? { refreshIntervalMs: opts.refreshIntervalMs } : {}),
      },
    );
    await startHubs(hubs);
  } catch (err) {
    await stopHubs(hubs).catch(() => {});
    if (ownStorage) await storage.close().catch(() => {});
    throw err;
  }

  const app = createApp({ logger, bodyLimit: config.bodyLimit, trustProxy: config.trustProxy, http: config.http });
  registerHealth(app, {
    checks: [
      storageCheck(storage),
      ...hubs.flatMap((h) => [
        ...(h.sequencer ? [sequencerCheck(h.sequencer, `sequencer:${h.hub.prefix}`)] : []),
        {
          name: `hub:${h.hub.prefix}`,
          check: () => {
            const r = h.hub.readiness();
            if (!r.ready) throw new Error(r.detail);
            return r.detail;
          },
        },
      ]),
    ],
  });
  registerMetrics(app, { registry });
  // The original answered GET / with 200 as its health check (§1).
  app.get('/', async (_req, reply) => reply.type('text/plain').send('ok\n'));
  await mountHubs(app, hubs);

  const { url, port, close } = await listen(app, {
    host: opts.host ?? config.host,
    port: opts.port ?? config.port,
    closers: [{ name: 'hubs', close: () => stopHubs(hubs) }, ...(ownStorage ? [{ name: 'storage', close: () => storage.close() }] : [])],
    logger,
    handleSignals: opts.handleSignals === true,
  });
  logger.info({ url, database: redact(config.database), hubs: hubs.map((h) => h.hub.prefix) }, 'hub server listening');
  return { app, hubs, storage, url, port, close };
}

/** Reads and resolves a config file; relative key paths are taken from the file's directory. */
export function loadHubConfig(path: string): ResolvedHubConfig {
  return loadConfigFile(path, loadHubConfigText);
}

export function registerHubServe(hub: Command): void {
  hub
    .command('serve')
    .description('Run the Gossip Hub instances of a YAML config file')
    .requiredOption('--config <file>', 'hub config (YAML; see src/config/hub.ts for every field)')
    .option('--init', 'create the trees of instances that do not exist yet (never done without this flag)', false)
    .action(async (o: { config: string; init: boolean }) => {
      const config = loadHubConfig(o.config);
      await checkListen(config.host, config.port);
      try {
        const server = await startHubServer(config, { init: o.init, handleSignals: true });
        process.stderr.write(
          banner(
            server.url,
            server.hubs.map((h) => ({
              kind: 'hub' as const,
              url: `${server.url}/${h.hub.prefix}`,
              key: config.instances.find((i) => i.prefix === h.hub.prefix)?.signer.publicKey,
            })),
          ),
        );
      } catch (err) {
        if (err instanceof HubError && err.code === 'BAD_CONFIG') throw new CliError('FAILED', err.message, { cause: err });
        throw err;
      }
      // The server keeps the process alive; SIGTERM/SIGINT shut it down.
    });
}
