/**
 * `grapevine gossipd --config gossip.yaml`: the gossip service alone
 * (docs/gossip.md; config: src/config/gossip.ts, docs/configuration.md), as
 * the one part of a server (src/server): HTTP on `listen` serves /metrics,
 * /healthz, /readyz and the built-in transports' routes; the peer and
 * transport sockets open with the server. SIGTERM/SIGINT close everything
 * gracefully.
 */
import type { Command } from 'commander';
import type { Logger } from 'pino';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { loadGossipConfigText, type ResolvedGossipConfig } from '../config/gossip.ts';
import type { GossipDaemon } from '../gossip/daemon.ts';
import { buildGossipDaemon, startServer } from '../server/index.ts';
import { openHeadStore } from '../storage/index.ts';
import { listenArg } from './args.ts';
import { loadConfigFile } from './server-runtime.ts';

export interface RunningGossipd {
  readonly url: string;
  readonly daemon: GossipDaemon;
  readonly peerPath?: string;
  readonly peerPort?: number;
  readonly transportPath?: string;
  readonly transportPort?: number;
  close(): Promise<void>;
}

export async function startGossipd(
  config: ResolvedGossipConfig,
  opts: { logger?: Logger; registry?: Registry; port?: number; handleSignals?: boolean } = {},
): Promise<RunningGossipd> {
  const logger = opts.logger ?? pino({ level: config.logLevel });
  const registry = opts.registry ?? new Registry();
  // The latest head per log is kept in `database`, so a restart still catches a fork against what was seen before it.
  const store = await openHeadStore(config.database, { poolSize: config.poolSize, writerThread: true });
  let daemon: GossipDaemon;
  try {
    daemon = buildGossipDaemon(config, { logger, registry, store, closeStore: () => store.close() });
  } catch (err) {
    await store.close();
    throw err;
  }
  const running = await startServer({
    host: config.host,
    port: opts.port ?? config.port,
    parts: [daemon],
    registry,
    logger,
    bodyLimit: config.bodyLimit,
    trustProxy: config.trustProxy,
    dashboard: config.dashboard,
    handleSignals: opts.handleSignals === true,
  });
  const a = daemon.addresses;
  return {
    url: running.url,
    daemon,
    ...(a?.peer.path !== undefined ? { peerPath: a.peer.path } : {}),
    ...(a?.peer.tcpPort !== undefined ? { peerPort: a.peer.tcpPort } : {}),
    ...(a?.transport?.path !== undefined ? { transportPath: a.transport.path } : {}),
    ...(a?.transport?.tcpPort !== undefined ? { transportPort: a.transport.tcpPort } : {}),
    close: running.close,
  };
}

export function registerGossipd(cmd: Command): void {
  cmd
    .requiredOption('--config <file>', 'gossip service config (docs/configuration.md)')
    .option('--listen <host:port>', "listen on this address instead of the config's", listenArg)
    .action(async (o: { config: string; listen?: string }) => {
      const config = loadConfigFile(o.config, loadGossipConfigText, o.listen !== undefined ? { listen: o.listen } : {});
      const g = await startGossipd(config, { handleSignals: true });
      process.stderr.write(
        `grapevine: gossip service at ${g.url}${g.peerPath ? ` — peers ${g.peerPath}` : ''}${g.peerPort ? ` — peers 127.0.0.1:${g.peerPort}` : ''}${g.transportPath ? ` — transports ${g.transportPath}` : ''}\n`,
      );
    });
}
