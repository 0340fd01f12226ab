/**
 * The shared part of the peer and transport sockets: a net.Server on a Unix
 * path and/or a loopback TCP port, a cap on open connections, and closing
 * that ends every connection.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { GossipMetrics } from '../service/index.ts';
import { Connection, type ConnectionHandler, type ConnectionLimits } from './connection.ts';
import { closeServer, listenLoopback, listenUnix } from './listen.ts';

export interface SocketAddress {
  /** Unix socket path (created with mode 0600). */
  readonly path?: string;
  /** Loopback TCP address. Port 0 picks a free one. */
  readonly tcp?: { readonly host: string; readonly port: number };
}

export interface BoundAddress {
  readonly path?: string;
  readonly tcpPort?: number;
}

export abstract class GossipSocketServer {
  readonly #servers: Server[] = [];
  readonly #conns = new Set<Connection>();
  readonly #limits: ConnectionLimits;
  readonly #maxConnections: number;
  readonly #label: 'peer' | 'transport';
  protected readonly metrics: GossipMetrics;
  #next = 0;

  constructor(label: 'peer' | 'transport', metrics: GossipMetrics, limits: ConnectionLimits, maxConnections: number) {
    this.#label = label;
    this.metrics = metrics;
    this.#limits = limits;
    this.#maxConnections = maxConnections;
  }

  /** The handler for a new connection (its lifetime is the connection's). */
  protected abstract handler(): ConnectionHandler;

  async listen(addr: SocketAddress): Promise<BoundAddress> {
    const out: { path?: string; tcpPort?: number } = {};
    if (addr.path !== undefined) {
      const s = this.#server();
      await listenUnix(s, addr.path);
      out.path = addr.path;
    }
    if (addr.tcp !== undefined) {
      const s = this.#server();
      out.tcpPort = await listenLoopback(s, addr.tcp.host, addr.tcp.port);
    }
    return out;
  }

  #server(): Server {
    const s = createServer((socket) => this.#accept(socket));
    this.#servers.push(s);
    return s;
  }

  #accept(socket: Socket): void {
    if (this.#conns.size >= this.#maxConnections) {
      this.metrics.refusals.inc({ code: 'overloaded' });
      socket.destroy();
      return;
    }
    const h = this.handler();
    const conn = new Connection(
      `${this.#label[0]}${++this.#next}`,
      socket,
      {
        onMessage: (c, m) => h.onMessage(c, m),
        onRefused: (c, code) => {
          this.metrics.refusals.inc({ code });
          h.onRefused(c, code);
        },
        onClose: (c) => {
          this.#conns.delete(c);
          this.metrics.connections.dec({ socket: this.#label });
          h.onClose(c);
        },
      },
      this.#limits,
    );
    this.#conns.add(conn);
    this.metrics.connections.inc({ socket: this.#label });
    h.onOpen?.(conn);
  }

  get connectionCount(): number {
    return this.#conns.size;
  }

  /** Stops listening and ends every connection. */
  async close(): Promise<void> {
    for (const c of [...this.#conns]) {
      c.close();
      c.socket.destroy();
    }
    await Promise.all(this.#servers.map((s) => closeServer(s)));
  }
}
