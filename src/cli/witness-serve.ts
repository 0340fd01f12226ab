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
import { type Server, startServer, witnessPart } from '../server/index.ts';

import { openHeadStore } from '../storage/index.ts';
import type { WitnessPart, WitnessService } from '../witness/index.ts';
import { listenArg } from './args.ts';
import { loadConfigFile } from './server-runtime.ts';

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

export interface WitnessServer extends Server {
  readonly service: WitnessService;
  /** The server's URL plus the prefix: the witness's submission and monitoring URL. */
  readonly witnessUrl: string;
}

export async function startWitnessServer(config: ResolvedWitnessConfig, opts: WitnessServerOptions = {}): Promise<WitnessServer> {
  const logger = opts.logger ?? pino({ level: config.logLevel });
  const registry = opts.registry ?? new Registry();
  const owned = opts.store === undefined ? await openHeadStore(config.database, { poolSize: config.poolSize, writerThread: true }) : null;
  const store = opts.store ?? (owned as HeadStore);
  let part: WitnessPart;
  try {
    part = witnessPart(config, {
      store,
      logger,
      registry,
      ...(opts.clock ? { clock: opts.clock } : {}),
      ...(owned ? { closeStore: () => owned.close() } : {}),
    });
  } catch (err) {
    await owned?.close();
    throw err;
  }
  const server = await startServer({
    host: opts.host ?? config.host,
    port: opts.port ?? config.port,
    parts: [part],
    registry,
    logger,
    trustProxy: config.trustProxy,
    http: config.http,
    dashboard: config.dashboard,
    handleSignals: opts.handleSignals === true,
  });
  return Object.assign(server, { service: part.service, witnessUrl: `${server.url}${config.prefix}` });
}

export function loadWitnessConfig(path: string, listenOverride?: string): ResolvedWitnessConfig {
  return loadConfigFile(path, loadWitnessConfigText, listenOverride !== undefined ? { listen: listenOverride } : {});
}

export function registerWitnessServe(witness: Command): void {
  witness
    .command('serve')
    .description('Run a C2SP witness (POST add-checkpoint, GET <origin hash>/checkpoint) from a YAML config')
    .requiredOption('--config <file>', 'witness config (YAML; docs/configuration.md § Witness)')
    .option('--listen <host:port>', "listen here instead of the config's listen", listenArg)
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
