/**
 * Gossip: moving signed heads between those who see them. Today the loop that
 * feeds the local CT log's STHs into the local hubs (submitting a head when it
 * changed, an unchanged one at most hourly); the gossip service (issue 11)
 * grows from here, with a transport per way of delivering (transports/).
 */
export { GossipError, type GossipErrorCode } from './errors.ts';
export { DEFAULT_IDLE_INTERVAL_MS, GossipLoop, type GossipLoopOptions, type GossipTarget } from './loop.ts';
export { GossipPart } from './part.ts';
export { ctLogHead } from './sources.ts';
export type { GossipTransport } from './transport.ts';
export { inProcessHubTransport } from './transports/in-process.ts';
export { LOCAL_PEER, localServiceTransport } from './transports/local.ts';
