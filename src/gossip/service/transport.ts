/**
 * Transports and peers as the service sees them (draft-linus-trans-gossip-00
 * §4–§6). The service routes between them and knows nothing of how either
 * moves bytes: sockets (sockets/), built-in transports (transports/<name>/)
 * and in-process peers all come in through these two small interfaces.
 */
import type { GossipMessage } from '../wire/index.ts';

/** An outgoing message as a transport receives it: validated, timestamped by the service. */
export interface Outgoing {
  readonly logId: string;
  readonly gossipData: Buffer;
  /** ms since the epoch when the service received it (§6 `timestamp`). */
  readonly timestamp: number;
  /** The sending peer's tag, kept so a reply can carry it. */
  readonly tag?: string;
  /** Which peer sent it; a transport may address its reply to that peer alone (echo does). */
  readonly fromPeer: string;
  /** What the validator found, so transports need not parse gossip-data again. */
  readonly kind: 'rfc6962-sth' | 'checkpoint' | 'sct' | 'evidence';
  /** For heads: size, root and the log's timestamp (null for a checkpoint without one). */
  readonly head: { readonly size: number; readonly rootHash: Buffer; readonly timestampMs: number | null } | null;
}

/** An incoming message a transport hands to the service. */
export interface Incoming {
  readonly logId: string;
  readonly gossipData: Buffer;
  readonly tag?: string;
  /** Deliver to this peer only (echo); otherwise to every connected peer (§6.5). */
  readonly toPeer?: string;
}

/**
 * A transport plugged into the service. Contract:
 * - `send` is called once per outgoing message addressed to the transport
 *   (by name or "all"), in the order the service accepted them. It must not
 *   block the event loop; it resolves when the message was sent or queued and
 *   rejects when it failed (the service counts the failure, backs off the
 *   transport and goes on with the others). It is never called concurrently
 *   with itself more than `maxInFlight` times (service limits).
 * - Incoming messages go through `TransportContext.deliver`, which validates
 *   them (§5.1) before any peer sees them.
 * - `stop` ends timers and connections; nothing is delivered afterwards.
 */
export interface Transport {
  /** The transport id: lowercase, as the draft's `gossip-transport-https` (wire TRANSPORT_NAME). */
  readonly name: string;
  send(msg: Outgoing): Promise<void>;
  start?(ctx: TransportContext): void | Promise<void>;
  stop?(): void | Promise<void>;
}

/** What the service gives a transport when it starts it. */
export interface TransportContext {
  /** Hands an incoming message to the service; false when it was refused at once (rate limit, shutdown). */
  deliver(msg: Incoming): boolean;
}

/**
 * A connected peer. `send` queues a message for it and returns false when the
 * peer's buffer is full (the message is dropped and counted: a slow peer never
 * holds up the service or the other peers). Never throws.
 */
export interface PeerLink {
  readonly id: string;
  send(msg: GossipMessage): boolean;
}
