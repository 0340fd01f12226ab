/**
 * The transport socket (draft-linus-trans-gossip-00 §4, §6): an external
 * transport connects, authenticates with the shared secret, and registers
 * under its id; from then on it brings incoming messages (forwarded to every
 * peer) and is sent the outgoing messages addressed to it.
 *
 * - The first message MUST be `gossip-authenticate-request-0` ("A connecting
 *   transport authenticates with a shared secret (AUTHENTICATE-REQUEST)
 *   before anything else"); anything else is refused (`not-authenticated`)
 *   and the connection closed. So is silence past `authTimeoutMs`.
 * - The secret is compared in constant time (SHA-256 of both sides, then
 *   crypto.timingSafeEqual, so neither content nor length leaks). A wrong
 *   one: `gossip-authenticate-response-0` `bad-auth`, then close.
 * - `transport-id` is required; an id already registered (a built-in
 *   transport or another connection) is refused (`duplicate-transport-id`)
 *   and the connection closed. On success: `response ok`, with the tag.
 * - When the connection ends, the transport is unregistered.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { GossipService, Outgoing, Transport } from '../service/index.ts';
import { Command, type GossipMessage, refusal } from '../wire/index.ts';
import { type Connection, type ConnectionHandler, type ConnectionLimits, DEFAULT_CONNECTION_LIMITS } from './connection.ts';
import { GossipSocketServer } from './server.ts';

export interface TransportSocketOptions {
  /** The shared secret transports must present (raw bytes; base64 on the wire). */
  readonly secret: Uint8Array;
  /** Time a connection has to authenticate, ms (default 10 s). */
  readonly authTimeoutMs?: number;
  readonly limits?: Partial<ConnectionLimits>;
  /** Open transport connections at most (default 64). */
  readonly maxConnections?: number;
}

const digest = (b: Uint8Array) => createHash('sha256').update(b).digest();

/** Constant-time equality of two secrets of any lengths. */
export function secretsEqual(a: Uint8Array, b: Uint8Array): boolean {
  return timingSafeEqual(digest(a), digest(b));
}

/** A transport on the other end of an authenticated connection. */
class SocketTransport implements Transport {
  readonly name: string;
  readonly #conn: Connection;

  constructor(name: string, conn: Connection) {
    this.name = name;
    this.#conn = conn;
  }

  async send(msg: Outgoing): Promise<void> {
    const ok = this.#conn.send({
      command: Command.gossipMsg,
      timestamp: msg.timestamp,
      logId: msg.logId,
      gossipData: msg.gossipData,
      ...(msg.tag !== undefined ? { tag: msg.tag } : {}),
    });
    if (!ok) throw new Error(`transport ${this.name} is not reading (or gone)`);
  }

  stop(): void {
    this.#conn.close();
  }
}

export class TransportSocket extends GossipSocketServer {
  readonly #service: GossipService;
  readonly #secret: Uint8Array;
  readonly #authTimeoutMs: number;

  constructor(service: GossipService, opts: TransportSocketOptions) {
    super('transport', service.metrics, { ...DEFAULT_CONNECTION_LIMITS, ...opts.limits }, opts.maxConnections ?? 64);
    this.#service = service;
    this.#secret = Buffer.from(opts.secret);
    this.#authTimeoutMs = opts.authTimeoutMs ?? 10_000;
  }

  protected handler(): ConnectionHandler {
    const service = this.#service;
    let name: string | null = null;
    let timer: NodeJS.Timeout | null = null;
    const refuse = (conn: Connection, code: Parameters<typeof refusal>[0], message: string, tag?: string): GossipMessage[] => {
      service.metrics.refusals.inc({ code });
      conn.close(refusal(code, message, tag));
      return [];
    };
    return {
      onOpen: (conn) => {
        timer = setTimeout(
          () => refuse(conn, 'not-authenticated', `no authenticate request within ${this.#authTimeoutMs} ms`),
          this.#authTimeoutMs,
        );
        timer.unref();
      },
      onMessage: (conn, msg) => {
        if (name === null) {
          if (msg.command !== Command.authenticateRequest) {
            return refuse(conn, 'not-authenticated', `got ${msg.command} before gossip-authenticate-request-0`, msg.tag);
          }
          if (timer) clearTimeout(timer);
          const tag = msg.tag === undefined ? {} : { tag: msg.tag };
          if (!secretsEqual(msg.sharedSecret, this.#secret)) {
            service.metrics.refusals.inc({ code: 'bad-auth' });
            conn.close({ command: Command.authenticateResponse, response: 'bad-auth', ...tag });
            return [];
          }
          if (msg.transportId === undefined) return refuse(conn, 'missing-transport-id', 'register with a transport-id', msg.tag);
          if (!service.registerTransport(new SocketTransport(msg.transportId, conn))) {
            return refuse(conn, 'duplicate-transport-id', `transport ${msg.transportId} is already registered`, msg.tag);
          }
          name = msg.transportId;
          return [{ command: Command.authenticateResponse, response: 'ok', ...tag }];
        }
        switch (msg.command) {
          case Command.gossipMsg: {
            const ok = service.fromTransport(name, {
              logId: msg.logId,
              gossipData: msg.gossipData,
              ...(msg.tag !== undefined ? { tag: msg.tag } : {}),
            });
            if (ok) return [];
            service.metrics.refusals.inc({ code: 'rate-limited' });
            return [refusal('rate-limited', `over ${service.limits.transportRate.rate} messages/s`, msg.tag)];
          }
          case Command.error:
            return [];
          default:
            service.metrics.refusals.inc({ code: 'not-allowed' });
            return [refusal('not-allowed', `${msg.command} is not for the transport socket`, msg.tag)];
        }
      },
      onRefused: () => {},
      onClose: () => {
        if (timer) clearTimeout(timer);
        if (name !== null) void service.unregisterTransport(name);
      },
    };
  }
}
