/**
 * The gossip daemon assembled: the service, its two sockets and its
 * built-in transports, with HTTP routes for the transports that serve some
 * (pollination) mounted on the caller's fastify app. `grapevine gossipd`
 * runs one alone; `grapevine serve` runs one beside its CT log and hubs.
 *
 * Everything concrete (logger, metrics registry, head store, incident
 * reporter, clock) is passed in: the composition root decides (STYLE.md §9).
 *
 * Life: `mount(app)` before the app listens, `start()` once it does (sockets,
 * then transports), `stop()` in reverse (transports, sockets, then the
 * service drains its checks).
 */
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { HeadStore } from '../audit/index.ts';
import type { IncidentFeed, Part, PartStatus, ReadinessCheck } from '../http/index.ts';
import { IncidentReporter } from '../incidents/index.ts';
import type { IncidentRaiser } from './service/index.ts';
import { GossipService, type ProofSource, type ServiceLimits, type Transport } from './service/index.ts';
import { type BoundAddress, PeerSocket, type SocketAddress, TransportSocket } from './sockets/index.ts';
import { gossipServiceStatus } from './status.ts';
import type { LogRegistry } from './validate/index.ts';

/** A built-in transport, with the HTTP routes it serves (if any). */
export interface BuiltinTransport extends Transport {
  /** Routes on the daemon's HTTP server (pollination's endpoint). */
  mount?(app: FastifyInstance): void | Promise<void>;
  /** Hooks on the whole HTTP server (https: every route a TransGossip pool). */
  mountRoot?(app: FastifyInstance): void;
}

/** Builds a built-in transport for the daemon's service (transports/<name>/; the composition root picks them). */
export type BuiltinFactory = (service: GossipService) => BuiltinTransport;

export interface GossipDaemonOptions {
  readonly name: string;
  readonly logs: LogRegistry;
  readonly store: HeadStore;
  readonly registry: Registry;
  readonly logger: Logger;
  readonly incidents?: IncidentRaiser;
  readonly proofs?: ProofSource;
  readonly clock?: () => number;
  readonly limits?: Partial<ServiceLimits> & { readonly messageBytes?: number };
  readonly peerSocket: SocketAddress & { readonly maxConnections?: number };
  readonly transportSocket?: SocketAddress & {
    readonly secret: Uint8Array;
    readonly authTimeoutMs?: number;
    readonly maxConnections?: number;
  };
  /** Run last when the daemon stops (e.g. closing the incident sinks). */
  readonly onStop?: () => Promise<void>;
  /** Built-in transports, each made by the composition root's factory (transports/<name>/). */
  readonly transports?: readonly BuiltinFactory[];
}

export interface DaemonAddresses {
  readonly peer: BoundAddress;
  readonly transport: BoundAddress | null;
}

/**
 * The daemon is a server part (src/http/part.ts): routes mounted in its
 * scope, root hooks for the whole server, sockets and transports started
 * with the server and stopped after it drained.
 */
export class GossipDaemon implements Part {
  readonly name = 'gossip-service';
  readonly service: GossipService;
  /** The sockets' bound addresses, once started. */
  addresses: DaemonAddresses | null = null;
  readonly #o: GossipDaemonOptions;
  readonly #peers: PeerSocket;
  readonly #transports: TransportSocket | null;
  readonly #builtins: readonly BuiltinTransport[];
  #started = false;

  constructor(o: GossipDaemonOptions) {
    this.#o = o;
    const { messageBytes, ...limits } = o.limits ?? {};
    this.service = new GossipService({
      logs: o.logs,
      store: o.store,
      registry: o.registry,
      logger: o.logger,
      limits,
      observer: o.name,
      ...(o.incidents ? { incidents: o.incidents } : {}),
      ...(o.proofs ? { proofs: o.proofs } : {}),
      ...(o.clock ? { clock: o.clock } : {}),
    });
    const connLimits = messageBytes !== undefined ? { maxMessageBytes: messageBytes } : {};
    this.#peers = new PeerSocket(this.service, {
      limits: connLimits,
      ...(o.peerSocket.maxConnections !== undefined ? { maxConnections: o.peerSocket.maxConnections } : {}),
    });
    const t = o.transportSocket;
    this.#transports = t
      ? new TransportSocket(this.service, {
          secret: t.secret,
          limits: connLimits,
          ...(t.authTimeoutMs !== undefined ? { authTimeoutMs: t.authTimeoutMs } : {}),
          ...(t.maxConnections !== undefined ? { maxConnections: t.maxConnections } : {}),
        })
      : null;
    this.#builtins = (o.transports ?? []).map((make) => make(this.service));
  }

  readiness(): ReadinessCheck[] {
    return [];
  }

  /** The dashboard's view: peers, transports, pool, and the heads held per log and giver (status.ts). */
  async status(): Promise<PartStatus> {
    return gossipServiceStatus(this.#o.name, this.service, this.addresses?.peer);
  }

  /** The incident reporter, when the composition root gave one that can be followed (an IncidentReporter). */
  incidentFeeds(): readonly IncidentFeed[] {
    const r = this.#o.incidents;
    return r instanceof IncidentReporter ? [r] : [];
  }

  /** Adds the built-in transports' routes to `app` (before it listens). */
  async mount(app: FastifyInstance): Promise<void> {
    for (const b of this.#builtins) await b.mount?.(app);
  }

  mountRoot(app: FastifyInstance): void {
    for (const b of this.#builtins) b.mountRoot?.(app);
  }

  /** Opens the sockets and starts the built-in transports. */
  async start(): Promise<void> {
    if (this.#started) throw new Error('gossip daemon started twice');
    this.#started = true;
    const peer = await this.#peers.listen(this.#o.peerSocket);
    const t = this.#o.transportSocket;
    const transport = this.#transports && t ? await this.#transports.listen(t) : null;
    for (const b of this.#builtins) {
      if (!this.service.registerTransport(b)) throw new Error(`transport ${b.name} registered twice`);
    }
    this.addresses = { peer, transport };
    this.#o.logger.info(
      { peer, transport, transports: this.service.transportNames(), logs: this.#o.logs.size },
      'gossip service listening',
    );
  }

  /** Stops transports and sockets; waits for the split-view checks in flight; then the caller's `onStop`. */
  async stop(): Promise<void> {
    await this.service.close();
    await this.#transports?.close();
    await this.#peers.close();
    await this.#o.onStop?.();
  }
}
