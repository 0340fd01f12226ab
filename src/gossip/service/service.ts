/**
 * The gossip service (draft-linus-trans-gossip-00 §6): connects local peers
 * to transports. Every message is validated before anything is stored or
 * forwarded (§5.1), then routed (§6.5):
 *
 *   "The service MUST forward a message from a peer to every registered
 *    transport named in its destination."
 *   "The service MUST forward a message from a transport to every connected
 *    peer."
 *
 * Around that: the timestamp the service sets on receipt, a rate limit per
 * peer and per transport, dedup (a message is verified once, and a
 * transport's repeat is not forwarded again, which ends loops between
 * services), the pool of heads (pool.ts), split-view detection
 * (split-view.ts) with incidents broadcast to the peers as evidence, and a
 * lane per transport (lane.ts) so a slow or failing transport holds up
 * nothing.
 *
 * The service never sees bytes: sockets (sockets/) parse and frame, and hand
 * it typed messages; it returns the replies for the connection. A peer or a
 * transport can make it do at most: one validation per new message (rate
 * limited), a bounded pool, bounded queues. Nothing a peer sends throws out
 * of `fromPeer`.
 *
 * Concurrency: synchronous handlers on event-loop turns; the only async work
 * is the detector's (chained per log) and the transport lanes.
 */
import { randomInt as cryptoRandomInt } from 'node:crypto';
import type { Logger } from 'pino';
import { Registry } from 'prom-client';
import type { HeadStore } from '../../audit/index.ts';
import { formatEvidence, type Incident } from '../../evidence/index.ts';
import { IncidentReporter } from '../../incidents/index.ts';
import { type BucketSpec, QuotaError, QuotaManager } from '../../log/index.ts';
import { FRESHNESS_WINDOW_MS, type LogRegistry, type ValidatedGossip, type Validation, validateGossipData } from '../validate/index.ts';
import { ALL_TRANSPORTS, Command, type GossipMessage, type GossipMsg, refusal } from '../wire/index.ts';
import { RecentSet } from './dedup.ts';
import { TransportLane } from './lane.ts';
import { GossipMetrics } from './metrics.ts';
import { GossipPool, type PoolEntry } from './pool.ts';
import { type HeldHead, type IncidentRaiser, messageKey, type ProofSource, SplitViewDetector } from './split-view.ts';
import type { Incoming, Outgoing, PeerLink, Transport } from './transport.ts';

export interface ServiceLimits {
  /** Messages per second from one peer (token bucket). */
  readonly peerRate: BucketSpec;
  /** Incoming messages per second from one transport. */
  readonly transportRate: BucketSpec;
  /** Bytes of heads the pool holds (suspicious heads get as much again). */
  readonly poolBytes: number;
  /** Message identities remembered for dedup. */
  readonly dedupEntries: number;
  /** Heads older than this are stale (draft-ietf-trans-gossip: 14 days). */
  readonly maxAgeMs: number;
  /** Clock-skew allowance for timestamps ahead of ours. */
  readonly maxFutureMs: number;
  /** Sends in flight per transport, and messages queued behind them. */
  readonly transportInFlight: number;
  readonly transportQueue: number;
  /** First backoff after a transport failure, and the cap. */
  readonly backoffMs: number;
  readonly maxBackoffMs: number;
}

export const DEFAULT_LIMITS: ServiceLimits = Object.freeze({
  peerRate: { rate: 500, burst: 1000 },
  transportRate: { rate: 1000, burst: 2000 },
  poolBytes: 8 * 1024 * 1024,
  dedupEntries: 100_000,
  maxAgeMs: FRESHNESS_WINDOW_MS,
  maxFutureMs: 10 * 60_000,
  transportInFlight: 8,
  transportQueue: 1000,
  backoffMs: 1000,
  maxBackoffMs: 60_000,
});

export interface GossipServiceOptions {
  readonly logs: LogRegistry;
  readonly limits?: Partial<ServiceLimits>;
  /** Latest head per log (storage/index.ts: MemoryHeadStore, or a durable one). */
  readonly store: HeadStore;
  /** Where incidents are raised (default: a reporter without sinks; `incidents()` keeps the latest). */
  readonly incidents?: IncidentRaiser;
  readonly proofs?: ProofSource;
  readonly registry?: Registry;
  readonly logger?: Logger;
  readonly clock?: () => number;
  /** Uniform random integer in [0, n); default node:crypto randomInt (a CSPRNG, §11.3). */
  readonly randomInt?: (n: number) => number;
  /** Our name in evidence. */
  readonly observer?: string;
}

/** What validation remembered about a message identity. */
type Seen = { readonly ok: true; readonly value: ValidatedGossip } | { readonly ok: false };

export class GossipService {
  readonly logs: LogRegistry;
  readonly limits: ServiceLimits;
  readonly metrics: GossipMetrics;
  readonly registry: Registry;
  readonly pool: GossipPool;
  readonly #clock: () => number;
  readonly #logger: Logger | undefined;
  readonly #quota: QuotaManager;
  readonly #seen: RecentSet<Seen>;
  /** Identities already forwarded to the peers (a transport's repeat is dropped). */
  readonly #forwarded: RecentSet<true>;
  readonly #peers = new Map<string, PeerLink>();
  readonly #lanes = new Map<string, TransportLane>();
  readonly #detector: SplitViewDetector;
  readonly #incidents: Incident[] = [];
  #nextSweep = 0;
  #closed = false;

  constructor(opts: GossipServiceOptions) {
    this.logs = opts.logs;
    this.limits = Object.freeze({ ...DEFAULT_LIMITS, ...opts.limits });
    this.#clock = opts.clock ?? Date.now;
    this.#logger = opts.logger;
    this.registry = opts.registry ?? new Registry();
    this.metrics = new GossipMetrics(this.registry);
    this.#quota = new QuotaManager(
      { perUser: { write: this.limits.peerRate, read: this.limits.transportRate }, maxUsers: 10_000 },
      this.#clock,
    );
    this.#seen = new RecentSet(this.limits.dedupEntries);
    this.#forwarded = new RecentSet(this.limits.dedupEntries);
    this.pool = new GossipPool({
      maxBytes: this.limits.poolBytes,
      windowMs: this.limits.maxAgeMs,
      randomInt: opts.randomInt ?? ((n) => cryptoRandomInt(n)),
    });
    const observer = opts.observer ?? 'grapevine-gossip';
    this.#detector = new SplitViewDetector({
      store: opts.store,
      incidents: opts.incidents ?? new IncidentReporter({ observer, sinks: [], now: this.#clock }),
      ...(opts.proofs ? { proofs: opts.proofs } : {}),
      observer,
      clock: this.#clock,
      sameSize: (logId, size) => this.pool.sameSize(logId, size).map(heldOf),
      onIncident: (incident, heads) => this.#onIncident(incident, heads),
      onResolved: (log, head) => this.pool.markResolved(messageKey(log.id, head.data)),
      onEvent: (event, log, detail) => {
        this.metrics.detector.inc({ event });
        this.#logger?.debug({ log: log.name, event, detail }, 'gossip: split-view detector');
      },
    });
  }

  /** Registered transport names, in registration order (ENUMERATE-TRANSPORTS-RESPONSE). */
  transportNames(): string[] {
    return [...this.#lanes.keys()];
  }

  /** Sizes of everything the service holds, for status pages and the flood tests' bounds. */
  stats(): {
    peers: number;
    transports: number;
    poolBytes: number;
    suspiciousBytes: number;
    poolEntries: number;
    seen: number;
    forwarded: number;
    queued: number;
  } {
    let queued = 0;
    for (const lane of this.#lanes.values()) queued += lane.queued;
    return {
      peers: this.#peers.size,
      transports: this.#lanes.size,
      poolBytes: this.pool.bytes,
      suspiciousBytes: this.pool.suspiciousBytes,
      poolEntries: this.pool.size,
      seen: this.#seen.size,
      forwarded: this.#forwarded.size,
      queued,
    };
  }

  /** Incidents raised since start, oldest first (for status and tests; the sink has them durably). */
  incidents(): readonly Incident[] {
    return this.#incidents;
  }

  /** Resolves when every split-view check started so far has finished. */
  async settled(): Promise<void> {
    while (this.#detector.pending > 0) await new Promise((r) => setTimeout(r, 5));
  }

  // ---- peers ----

  attachPeer(link: PeerLink): void {
    this.#peers.set(link.id, link);
  }

  detachPeer(id: string): void {
    this.#peers.delete(id);
  }

  /**
   * A message from peer `peerId` (already framed and decoded). Returns the
   * replies for that connection: the enumerate response, or a refusal.
   * Forwarding to transports happens as a side effect.
   */
  fromPeer(peerId: string, msg: GossipMessage): GossipMessage[] {
    this.metrics.received.inc({ via: 'peer', command: msg.command });
    switch (msg.command) {
      case Command.enumerateTransportsRequest:
        return [{ command: Command.enumerateTransportsResponse, transports: this.transportNames(), ...tagOf(msg) }];
      case Command.gossipMsg:
        return this.#fromPeerGossip(peerId, msg);
      default:
        return [this.#refuse('not-allowed', `${msg.command} is not for the peer socket`, msg.tag)];
    }
  }

  #fromPeerGossip(peerId: string, msg: GossipMsg): GossipMessage[] {
    if (this.#closed) return [this.#refuse('overloaded', 'the service is shutting down', msg.tag)];
    try {
      this.#quota.charge('write', 0, [`peer:${peerId}`]);
    } catch (err) {
      if (err instanceof QuotaError) return [this.#refuse('rate-limited', `over ${this.limits.peerRate.rate} messages/s`, msg.tag)];
      throw err;
    }
    const destination = msg.destination ?? [];
    const all = destination.includes(ALL_TRANSPORTS);
    const unknown = destination.filter((d) => d !== ALL_TRANSPORTS && !this.#lanes.has(d));
    if (unknown.length > 0) {
      return [this.#refuse('unknown-transport', `no registered transport ${unknown.map((u) => JSON.stringify(u)).join(', ')}`, msg.tag)];
    }
    const now = this.#clock();
    const v = this.#validate(msg.logId, msg.gossipData, now);
    if (!v) return []; // §5.1: silently discarded (counted)
    this.#observe(v, `peer:${peerId}`, now);
    const out: Outgoing = {
      logId: msg.logId,
      gossipData: msg.gossipData,
      timestamp: now,
      fromPeer: peerId,
      kind: v.kind,
      head: v.head,
      ...tagOf(msg),
    };
    for (const [name, lane] of this.#lanes) {
      if (all || destination.includes(name)) {
        lane.push(out);
      }
    }
    return [];
  }

  // ---- transports ----

  /** Registers a transport and starts it. False when one of that name is registered (refused, nothing started). */
  registerTransport(t: Transport): boolean {
    if (this.#lanes.has(t.name) || this.#closed) return false;
    const lane = new TransportLane(t, {
      maxInFlight: this.limits.transportInFlight,
      maxQueued: this.limits.transportQueue,
      backoffMs: this.limits.backoffMs,
      maxBackoffMs: this.limits.maxBackoffMs,
      onDrop: (reason) => this.metrics.dropped.inc({ reason }),
      onFailure: (err, failures) => {
        this.metrics.transportFailures.inc({ transport: t.name });
        this.#logger?.warn({ transport: t.name, failures, err: (err as Error)?.message }, 'gossip: transport send failed; backing off');
      },
      onSent: () => this.metrics.forwarded.inc({ to: t.name }),
    });
    this.#lanes.set(t.name, lane);
    try {
      const started = t.start?.({ deliver: (m) => this.fromTransport(t.name, m) });
      if (started instanceof Promise) {
        started.catch((err) =>
          this.#logger?.error({ transport: t.name, err: (err as Error).message }, 'gossip: transport failed to start'),
        );
      }
    } catch (err) {
      this.#lanes.delete(t.name);
      throw err;
    }
    return true;
  }

  /** Unregisters and stops a transport (a disconnected external one, or at shutdown). */
  async unregisterTransport(name: string): Promise<void> {
    const lane = this.#lanes.get(name);
    if (!lane) return;
    this.#lanes.delete(name);
    await lane.close();
    await lane.transport.stop?.();
  }

  /**
   * An incoming message from transport `name`. False when refused at once
   * (rate limit, shutdown: the socket layer answers a refusal); true
   * otherwise, including when validation discards it silently.
   */
  fromTransport(name: string, msg: Incoming): boolean {
    this.metrics.received.inc({ via: 'transport', command: Command.gossipMsg });
    if (this.#closed) return false;
    try {
      this.#quota.charge('read', 0, [`transport:${name}`]);
    } catch (err) {
      if (err instanceof QuotaError) {
        this.metrics.dropped.inc({ reason: 'rate-limited' });
        return false;
      }
      throw err;
    }
    const now = this.#clock();
    const v = this.#validate(msg.logId, msg.gossipData, now);
    if (!v) return true;
    const key = messageKey(v.log.id, v.data);
    if (msg.toPeer === undefined && this.#forwarded.get(key)) {
      this.metrics.dropped.inc({ reason: 'duplicate' });
      return true;
    }
    this.#observe(v, `transport:${name}`, now);
    const fwd: GossipMsg = {
      command: Command.gossipMsg,
      source: name,
      timestamp: now,
      logId: msg.logId,
      gossipData: msg.gossipData,
      ...tagOf(msg),
    };
    if (msg.toPeer !== undefined) {
      const peer = this.#peers.get(msg.toPeer);
      if (peer) this.#sendPeer(peer, fwd);
      return true;
    }
    this.#forwarded.set(key, true);
    for (const peer of this.#peers.values()) this.#sendPeer(peer, fwd);
    return true;
  }

  // ---- inside ----

  /** Validation with the dedup cache; null when discarded (counted and logged). */
  #validate(logId: string, data: Buffer, now: number): ValidatedGossip | null {
    const id = messageKey(logId, data);
    const seen = this.#seen.get(id);
    let v: Validation;
    if (seen?.ok === false) {
      this.metrics.discarded.inc({ reason: 'repeat' });
      return null;
    }
    if (seen?.ok && !this.#aged(seen.value, now)) {
      v = seen;
    } else {
      v = validateGossipData(logId, data, {
        logs: this.logs,
        nowMs: now,
        maxAgeMs: this.limits.maxAgeMs,
        maxFutureMs: this.limits.maxFutureMs,
      });
      // A stale or future head may become valid or stay invalid with time: remember only verdicts that do not age.
      if (v.ok || (v.reason !== 'stale' && v.reason !== 'future')) this.#seen.set(id, v.ok ? v : { ok: false });
    }
    if (!v.ok) {
      this.metrics.discarded.inc({ reason: v.reason });
      this.#logger?.debug({ logId, reason: v.reason, detail: v.detail }, 'gossip: discarded (draft §5.1)');
      return null;
    }
    this.metrics.accepted.inc({ kind: v.value.kind });
    return v.value;
  }

  /** True when a cached valid head has gone stale. */
  #aged(v: ValidatedGossip, now: number): boolean {
    const ts = v.head?.timestampMs ?? null;
    return ts !== null && ts < now - this.limits.maxAgeMs;
  }

  /** Pools a validated head and starts its split-view check. */
  #observe(v: ValidatedGossip, from: string, now: number): void {
    if (!v.head || (v.kind !== 'rfc6962-sth' && v.kind !== 'checkpoint')) return;
    if (now >= this.#nextSweep) {
      this.pool.sweep(now);
      this.#nextSweep = now + 60_000;
    }
    const key = messageKey(v.log.id, v.data);
    if (this.pool.has(key)) return;
    const added = this.pool.add({ key, logId: v.log.id, kind: v.kind, data: v.data, head: v.head, receivedAtMs: now, from }, now);
    if (added === 'full') this.metrics.dropped.inc({ reason: 'pool-full' });
    this.metrics.poolBytes.set(this.pool.bytes);
    this.metrics.poolEntries.set(this.pool.size);
    void this.#detector.check(v, from, now);
  }

  #onIncident(incident: Incident, heads: readonly HeldHead[]): void {
    this.#incidents.push(incident);
    if (this.#incidents.length > 1000) this.#incidents.shift();
    this.metrics.incidents.inc({ category: incident.category });
    for (const h of heads) this.pool.markSuspicious(messageKey(incident.log.id, h.data));
    this.#logger?.warn(
      { incident: incident.id, log: incident.log.name ?? incident.log.id, summary: incident.summary },
      'gossip: split-view incident',
    );
    // To every peer, as evidence gossip-data; source "" (the service itself).
    const msg: GossipMsg = {
      command: Command.gossipMsg,
      source: '',
      timestamp: this.#clock(),
      logId: incident.log.id,
      gossipData: Buffer.from(formatEvidence(incident.evidence)),
    };
    for (const peer of this.#peers.values()) this.#sendPeer(peer, msg);
  }

  #sendPeer(peer: PeerLink, msg: GossipMessage): void {
    if (peer.send(msg)) this.metrics.forwarded.inc({ to: 'peers' });
    else this.metrics.dropped.inc({ reason: 'slow-peer' });
  }

  #refuse(code: Parameters<typeof refusal>[0], message: string, tag?: string): GossipMessage {
    this.metrics.refusals.inc({ code });
    return refusal(code, message, tag);
  }

  /** Stops accepting, stops every transport, waits for running checks. */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.allSettled([...this.#lanes.keys()].map((n) => this.unregisterTransport(n)));
    await this.settled();
  }
}

function tagOf(m: { readonly tag?: string }): { tag?: string } {
  return m.tag === undefined ? {} : { tag: m.tag };
}

function heldOf(e: PoolEntry): HeldHead {
  return {
    kind: e.kind as HeldHead['kind'],
    data: e.data,
    size: e.head.size,
    rootHash: e.head.rootHash,
    from: e.from,
    atMs: e.receivedAtMs,
  };
}
