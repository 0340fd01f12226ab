/**
 * The service's Prometheus metrics. Labels are closed sets (refusal codes,
 * discard reasons, incident categories) or names the operator configured or
 * authenticated (transports), so their cardinality is bounded.
 */
import { Counter, Gauge, type Registry } from 'prom-client';

export class GossipMetrics {
  /** Messages read, by where they came from (peer, transport) and command. */
  readonly received: Counter<'via' | 'command'>;
  /** Refusals sent back (gossip-error-0 codes, and bad-auth). */
  readonly refusals: Counter<'code'>;
  /** Messages silently discarded by validation (§5.1), by reason. */
  readonly discarded: Counter<'reason'>;
  /** Messages validated and accepted, by kind. */
  readonly accepted: Counter<'kind'>;
  /** Messages handed on: to a transport (its name) or to peers ("peers"). */
  readonly forwarded: Counter<'to'>;
  /** Messages not passed on: duplicate, slow-peer, pool-full, transport-busy, transport-backoff. */
  readonly dropped: Counter<'reason'>;
  /** Transport sends that failed, by transport. */
  readonly transportFailures: Counter<'transport'>;
  readonly incidents: Counter<'category'>;
  /** Split-view decisions and failures (same, extended, unverified, proof-unavailable, store-error, …). */
  readonly detector: Counter<'event'>;
  readonly poolBytes: Gauge;
  readonly poolEntries: Gauge;
  /** Open connections, by socket (peer, transport). */
  readonly connections: Gauge<'socket'>;

  constructor(registry: Registry) {
    const registers = [registry];
    this.received = new Counter({
      name: 'grapevine_gossip_received_total',
      help: 'Gossip messages read, by origin and command',
      labelNames: ['via', 'command'],
      registers,
    });
    this.refusals = new Counter({
      name: 'grapevine_gossip_refusals_total',
      help: 'Refusals sent on a connection, by code',
      labelNames: ['code'],
      registers,
    });
    this.discarded = new Counter({
      name: 'grapevine_gossip_discarded_total',
      help: 'Messages silently discarded by validation (draft §5.1), by reason',
      labelNames: ['reason'],
      registers,
    });
    this.accepted = new Counter({
      name: 'grapevine_gossip_accepted_total',
      help: 'Messages that validated, by gossip-data kind',
      labelNames: ['kind'],
      registers,
    });
    this.forwarded = new Counter({
      name: 'grapevine_gossip_forwarded_total',
      help: 'Messages handed to a transport or to the peers',
      labelNames: ['to'],
      registers,
    });
    this.dropped = new Counter({
      name: 'grapevine_gossip_dropped_total',
      help: 'Messages not passed on, by reason',
      labelNames: ['reason'],
      registers,
    });
    this.transportFailures = new Counter({
      name: 'grapevine_gossip_transport_failures_total',
      help: 'Failed transport sends',
      labelNames: ['transport'],
      registers,
    });
    this.incidents = new Counter({
      name: 'grapevine_gossip_incidents_total',
      help: 'Split-view incidents raised, by category',
      labelNames: ['category'],
      registers,
    });
    this.detector = new Counter({
      name: 'grapevine_gossip_detector_total',
      help: 'Split-view detector decisions and failures',
      labelNames: ['event'],
      registers,
    });
    this.poolBytes = new Gauge({
      name: 'grapevine_gossip_pool_bytes',
      help: 'Bytes of heads held in the pool (suspicious ones not counted)',
      registers,
    });
    this.poolEntries = new Gauge({ name: 'grapevine_gossip_pool_entries', help: 'Heads held in the pool', registers });
    this.connections = new Gauge({
      name: 'grapevine_gossip_connections',
      help: 'Open connections, by socket',
      labelNames: ['socket'],
      registers,
    });
  }
}
