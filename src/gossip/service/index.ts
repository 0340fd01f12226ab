/**
 * The gossip service core: routing (§6.5), validation before anything is
 * stored or forwarded (§5.1), dedup, the pool, rate limits, transport lanes,
 * split-view detection with incidents, metrics. Sockets and transports plug
 * in through transport.ts.
 */
export { RecentSet } from './dedup.ts';
export { TransportLane } from './lane.ts';
export { GossipMetrics } from './metrics.ts';
export { type AddResult, ENTRY_OVERHEAD, GossipPool, type PoolEntry } from './pool.ts';
export { DEFAULT_LIMITS, GossipService, type GossipServiceOptions, type ServiceLimits } from './service.ts';
export { evidenceLogOf, type IncidentRaiser, messageKey, type ProofSource, SplitViewDetector } from './split-view.ts';
export type { Incoming, Outgoing, PeerLink, Transport, TransportContext } from './transport.ts';
