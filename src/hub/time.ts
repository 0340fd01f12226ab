/**
 * The hub's wire timestamps are nanoseconds since the epoch (specs/gossip-hub.md
 * §2.1 hub_timestamp, §2.3 HubTreeHead timestamp); everything else in Grapevine
 * counts milliseconds. These two are the only conversions: at the wire edge.
 */

const NS_PER_MS = 1_000_000n;

/** Milliseconds → the hub's nanoseconds (a fraction of a millisecond is dropped). */
export function msToNs(ms: number): bigint {
  return BigInt(Math.trunc(ms)) * NS_PER_MS;
}

/** The hub's nanoseconds → milliseconds, rounded down (precondition: ns ≥ 0 and below 2^53 ms). */
export function nsToMs(ns: bigint): number {
  return Number(ns / NS_PER_MS);
}
