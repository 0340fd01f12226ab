/**
 * The gossip service built from a resolved `gossipd` config section: the
 * daemon (a server part), its built-in transports, the incident reporter and
 * the proof source. `grapevine gossipd` runs it alone; a site (`grapevine
 * serve`) runs it beside its CT log and hubs, the loop feeding it the local
 * CT log's heads.
 */
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { HeadStore } from '../audit/index.ts';
import type { ResolvedGossipSection } from '../config/gossip.ts';
import { type BuiltinFactory, GossipDaemon } from '../gossip/daemon.ts';
import { LogProofSource } from '../gossip/proofs.ts';
import { EchoTransport } from '../gossip/transports/echo/index.ts';
import { HttpsTransport } from '../gossip/transports/https/index.ts';
import { HubTransport } from '../gossip/transports/hub/index.ts';
import { PeerTransport, rawEd25519 } from '../gossip/transports/peer/index.ts';
import { PollinationTransport } from '../gossip/transports/pollination/index.ts';
import { HubClient } from '../hub/index.ts';
import { buildIncidentReporter } from '../incidents/index.ts';

export interface GossipDeps {
  readonly logger: Logger;
  readonly registry: Registry;
  /** The latest head per log (storage/index.ts). */
  readonly store: HeadStore;
  /** Closes `store` when the daemon stops, where the daemon owns it. */
  readonly closeStore?: () => Promise<void>;
  readonly clock?: () => number;
}

/** The built-in transports the section enables, in a fixed order. */
function builtins(c: ResolvedGossipSection, logger: Logger): BuiltinFactory[] {
  const out: BuiltinFactory[] = [];
  const t = c.transports;
  if (t.echo) out.push(() => new EchoTransport());
  if (t.https) {
    const h = t.https;
    out.push(
      (service) =>
        new HttpsTransport({
          service,
          pools: h.pools,
          pool: h.pool,
          maxPerRequest: h.maxPerRequest,
          maxHeaderBytes: h.maxHeaderBytes,
          recheckMs: h.recheck,
          timeoutMs: h.timeout,
          logger,
        }),
    );
  }
  if (t.pollination) {
    const p = t.pollination;
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
  const hub = c.hub;
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
  const peer = c.peer;
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
          maxFrame: c.limits.messageBytes,
          logger,
        }),
    );
  }
  return out;
}

/** The daemon of a gossip section; it closes its incident sinks when it stops. */
export function buildGossipDaemon(c: ResolvedGossipSection, deps: GossipDeps): GossipDaemon {
  const incidents = buildIncidentReporter(c.incidents ?? { sinks: [{ type: 'log' }] }, {
    observer: c.name,
    log: deps.logger,
    registry: deps.registry,
    ...(deps.clock ? { now: deps.clock } : {}),
  });
  return new GossipDaemon({
    name: c.name,
    logs: c.logs,
    store: deps.store,
    registry: deps.registry,
    logger: deps.logger,
    incidents,
    proofs: new LogProofSource(),
    ...(deps.clock ? { clock: deps.clock } : {}),
    limits: {
      messageBytes: c.limits.messageBytes,
      peerRate: c.limits.peerRate,
      transportRate: c.limits.transportRate,
      poolBytes: c.limits.poolBytes,
      maxAgeMs: c.limits.maxAgeMs,
      maxFutureMs: c.limits.maxFutureMs,
    },
    peerSocket: c.peerSocket,
    ...(c.transportSocket.secret !== undefined ? { transportSocket: { ...c.transportSocket, secret: c.transportSocket.secret } } : {}),
    transports: builtins(c, deps.logger),
    onStop: async () => {
      await incidents.close();
      await deps.closeStore?.();
    },
  });
}
