/**
 * `grapevine gossipd --config gossip.yaml`: the gossip service alone
 * (docs/gossip.md; config: src/config/gossip.ts, docs/configuration.md).
 * HTTP on `listen` serves /metrics, /healthz, /readyz and the routes of the
 * built-in transports; the peer and transport sockets open once HTTP
 * listens. SIGTERM/SIGINT close everything gracefully.
 */
import type { Command } from 'commander';
import type { Logger } from 'pino';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { loadGossipConfigText, type ResolvedGossipConfig } from '../config/gossip.ts';
import { type BuiltinFactory, GossipDaemon } from '../gossip/daemon.ts';
import { CtProofSource } from '../gossip/proofs.ts';
import { EchoTransport } from '../gossip/transports/echo/index.ts';
import { HubTransport } from '../gossip/transports/hub/index.ts';
import { PeerTransport, rawEd25519 } from '../gossip/transports/peer/index.ts';
import { PollinationTransport } from '../gossip/transports/pollination/index.ts';
import type { Part } from '../http/index.ts';
import { HubClient } from '../hub/index.ts';
import { buildIncidentReporter } from '../incidents/index.ts';
import { startServer } from '../server/index.ts';
import { MemoryHeadStore } from '../storage/index.ts';
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

/** The built-in transports the config enables. */
function builtins(config: ResolvedGossipConfig, logger: Logger): BuiltinFactory[] {
  const out: BuiltinFactory[] = [];
  if (config.transports.echo) out.push(() => new EchoTransport());
  const p = config.transports.pollination;
  if (p) {
    out.push(
      (service) =>
        new PollinationTransport({
          service,
          logger,
          serve: p.serve,
          pools: p.pools,
          intervalMs: p.interval,
          perRequest: p.perRequest,
          perResponse: p.perResponse,
          maxSths: p.maxSths,
          maxTrials: p.maxTrials,
          clientRate: p.clientRate,
          timeoutMs: p.timeout,
        }),
    );
  }
  const hub = config.hub;
  if (hub) {
    out.push(
      (service) =>
        new HubTransport({
          service,
          hubs: hub.hubs.map((h) => ({ name: h.name, client: new HubClient({ url: h.url, hubKey: h.key }), sources: h.sources })),
          pollMs: hub.pollMs,
          logger,
        }),
    );
  }
  const peer = config.peer;
  if (peer) {
    out.push(
      () =>
        new PeerTransport({
          key: peer.key.key,
          ...(peer.listen !== undefined ? { listen: peer.listen } : {}),
          peers: peer.peers.map((d) => ({
            name: d.name,
            key: rawEd25519(d.key.key),
            ...(d.address !== undefined ? { address: d.address } : {}),
          })),
          reconnectMs: peer.reconnectMs,
          maxFrame: config.limits.messageBytes,
          logger,
        }),
    );
  }
  return out;
}

export async function startGossipd(
  config: ResolvedGossipConfig,
  opts: { logger?: Logger; registry?: Registry; port?: number; handleSignals?: boolean } = {},
): Promise<RunningGossipd> {
  const logger = opts.logger ?? pino({ level: config.logLevel });
  const registry = opts.registry ?? new Registry();
  const incidents = buildIncidentReporter(config.incidents ?? { sinks: [{ type: 'log' }] }, {
    observer: config.name,
    log: logger,
    registry,
  });
  const daemon = new GossipDaemon({
    name: config.name,
    logs: config.logs,
    // The latest head per log lives in memory until storage/ offers a durable HeadStore for `database`.
    store: new MemoryHeadStore(),
    registry,
    logger,
    incidents,
    proofs: new CtProofSource(),
    limits: {
      messageBytes: config.limits.messageBytes,
      peerRate: config.limits.peerRate,
      transportRate: config.limits.transportRate,
      poolBytes: config.limits.poolBytes,
      maxAgeMs: config.limits.maxAgeMs,
      maxFutureMs: config.limits.maxFutureMs,
    },
    peerSocket: config.peerSocket,
    ...(config.transportSocket.secret !== undefined
      ? { transportSocket: { ...config.transportSocket, secret: config.transportSocket.secret } }
      : {}),
    transports: builtins(config, logger),
  });
  // The daemon as a server part: its routes on the app, its sockets opened at start, closed (then the incident sinks) at stop.
  const started: { addrs?: Awaited<ReturnType<GossipDaemon['start']>> } = {};
  const part: Part = {
    name: 'gossipd',
    readiness: () => [],
    mount: (app) => daemon.mount(app),
    start: async () => {
      started.addrs = await daemon.start();
    },
    stop: async () => {
      await daemon.stop();
      await incidents.close();
    },
  };
  const running = await startServer({
    host: config.host,
    port: opts.port ?? config.port,
    parts: [part],
    registry,
    logger,
    bodyLimit: config.bodyLimit,
    trustProxy: config.trustProxy,
    handleSignals: opts.handleSignals === true,
  });
  const addrs = started.addrs;
  if (!addrs) throw new Error('gossipd: the daemon started without addresses');
  return {
    url: running.url,
    daemon,
    ...(addrs.peer.path !== undefined ? { peerPath: addrs.peer.path } : {}),
    ...(addrs.peer.tcpPort !== undefined ? { peerPort: addrs.peer.tcpPort } : {}),
    ...(addrs.transport?.path !== undefined ? { transportPath: addrs.transport.path } : {}),
    ...(addrs.transport?.tcpPort !== undefined ? { transportPort: addrs.transport.tcpPort } : {}),
    close: running.close,
  };
}

export function registerGossipd(cmd: Command): void {
  cmd
    .requiredOption('--config <file>', 'gossip service config (docs/configuration.md)')
    .option('--listen <host:port>', "listen on this address instead of the config's")
    .action(async (o: { config: string; listen?: string }) => {
      const config = loadConfigFile(o.config, loadGossipConfigText, o.listen !== undefined ? { listen: o.listen } : {});
      const g = await startGossipd(config, { handleSignals: true });
      process.stderr.write(
        `grapevine: gossip service at ${g.url}${g.peerPath ? ` — peers ${g.peerPath}` : ''}${g.peerPort ? ` — peers 127.0.0.1:${g.peerPort}` : ''}${g.transportPath ? ` — transports ${g.transportPath}` : ''}\n`,
      );
    });
}
