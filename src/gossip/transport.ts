/**
 * How the gossip loop hands a head to whoever records or compares it: a hub
 * in the same process (transports/in-process.ts), later a remote hub, a peer
 * or a witness (issue 11). One method, so the loop knows nothing of the other
 * side.
 */
import type { ObservedHead } from '../audit/index.ts';

export interface GossipTransport {
  /** Delivers one head. Resolves once the other side took it (durably, if it promises that); rejects otherwise. */
  send(head: ObservedHead): Promise<void>;
}
