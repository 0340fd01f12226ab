/**
 * The peer socket (draft-linus-trans-gossip-00 §6; working copy: "Clients …
 * connect to the daemon client socket and send and receive gossip
 * messages"): every connection is a peer. It may enumerate transports and
 * send gossip-msg-0; it receives every message a transport brings in (§6.5)
 * and the service's incidents. The socket's file mode (0600) is its only
 * access control: only the service's user can connect.
 */
import type { GossipService } from '../service/index.ts';
import { Command } from '../wire/index.ts';
import { type ConnectionHandler, type ConnectionLimits, DEFAULT_CONNECTION_LIMITS } from './connection.ts';
import { GossipSocketServer } from './server.ts';

export interface PeerSocketOptions {
  readonly limits?: Partial<ConnectionLimits>;
  /** Open peer connections at most (default 256). */
  readonly maxConnections?: number;
}

export class PeerSocket extends GossipSocketServer {
  readonly #service: GossipService;

  constructor(service: GossipService, opts: PeerSocketOptions = {}) {
    super('peer', service.metrics, { ...DEFAULT_CONNECTION_LIMITS, ...opts.limits }, opts.maxConnections ?? 256);
    this.#service = service;
  }

  protected handler(): ConnectionHandler {
    const service = this.#service;
    return {
      onOpen: (conn) => service.attachPeer({ id: conn.id, send: (m) => conn.send(m) }),
      onMessage: (conn, msg) => {
        // A peer's refusal or response is not answered: two programs never trade errors forever.
        if (msg.command === Command.error) return [];
        return service.fromPeer(conn.id, msg);
      },
      onRefused: () => {},
      onClose: (conn) => service.detachPeer(conn.id),
    };
  }
}
