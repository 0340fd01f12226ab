/**
 * The `peer` transport: daemon-to-daemon gossip over TCP with mutual
 * authentication (handshake.ts: Ed25519 keys pinned in config, ephemeral
 * X25519, sealed frames). Each daemon listens for its peers and dials those
 * with an address, reconnecting with backoff; an outgoing message goes to
 * every authenticated session, and what a session brings is an incoming
 * message of this transport (validated by the service; dedup there ends
 * loops between daemons).
 *
 * A connection whose key is no configured peer's never gets past the
 * handshake; inbound connections waiting for their handshake are capped.
 */
import type { KeyObject } from 'node:crypto';
import { connect, createServer, type Server, type Socket } from 'node:net';
import type { Logger } from 'pino';
import type { Outgoing, Transport, TransportContext } from '../../service/index.ts';
import { Command } from '../../wire/index.ts';
import { rawEd25519 } from './handshake.ts';
import { PeerSession } from './session.ts';

export interface PeerSpec {
  readonly name: string;
  /** The peer's raw 32-byte Ed25519 public key (pinned). */
  readonly key: Buffer;
  /** Where to dial it; without, it must dial us. */
  readonly address?: { readonly host: string; readonly port: number };
}

export interface PeerTransportOptions {
  /** Transport name (default "peer"). */
  readonly name?: string;
  /** Our Ed25519 private key. */
  readonly key: KeyObject;
  readonly listen?: { readonly host: string; readonly port: number };
  readonly peers: readonly PeerSpec[];
  readonly maxFrame?: number;
  readonly maxBufferedBytes?: number;
  readonly handshakeTimeoutMs?: number;
  readonly reconnectMs?: number;
  readonly maxReconnectMs?: number;
  /** Connections at most (handshaking and authenticated). */
  readonly maxConnections?: number;
  readonly logger?: Logger;
}

export class PeerTransport implements Transport {
  readonly name: string;
  readonly #o: PeerTransportOptions;
  readonly #trusted: Map<string, string>;
  readonly #sessions = new Set<PeerSession>();
  readonly #timers = new Set<NodeJS.Timeout>();
  #server: Server | null = null;
  #ctx: TransportContext | null = null;
  #port = 0;

  constructor(o: PeerTransportOptions) {
    this.name = o.name ?? 'peer';
    this.#o = o;
    const own = rawEd25519(o.key).toString('hex');
    this.#trusted = new Map(o.peers.filter((p) => p.key.toString('hex') !== own).map((p) => [p.key.toString('hex'), p.name]));
  }

  /** The port we listen on (after start; useful with port 0). */
  get port(): number {
    return this.#port;
  }

  /** Peer names with an authenticated session. */
  connected(): string[] {
    return [...this.#sessions].filter((s) => s.ready && s.peer !== null).map((s) => s.peer as string);
  }

  async start(ctx: TransportContext): Promise<void> {
    this.#ctx = ctx;
    if (this.#o.listen) {
      const server = createServer((socket) => this.#session(socket, 'listener'));
      this.#server = server;
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(this.#o.listen?.port, this.#o.listen?.host, () => {
          server.off('error', reject);
          resolve();
        });
      });
      const a = server.address();
      this.#port = typeof a === 'object' && a ? a.port : 0;
    }
    for (const p of this.#o.peers) if (p.address) this.#dial(p, this.#o.reconnectMs ?? 1000);
  }

  #session(socket: Socket, role: 'dialer' | 'listener', onClose?: () => void): void {
    if (this.#sessions.size >= (this.#o.maxConnections ?? 64)) {
      socket.destroy();
      return;
    }
    const s = new PeerSession(socket, {
      role,
      key: this.#o.key,
      trusted: this.#trusted,
      maxFrame: this.#o.maxFrame ?? 64 * 1024,
      maxBufferedBytes: this.#o.maxBufferedBytes ?? 1024 * 1024,
      handshakeTimeoutMs: this.#o.handshakeTimeoutMs ?? 10_000,
      onReady: (x) => this.#o.logger?.info({ peer: x.peer, role }, 'gossip: peer session authenticated'),
      onMessage: (_x, msg) => {
        if (msg.command !== Command.gossipMsg) return;
        this.#ctx?.deliver({ logId: msg.logId, gossipData: msg.gossipData });
      },
      onClose: (x, why) => {
        this.#sessions.delete(x);
        this.#o.logger?.debug({ peer: x.peer, role, why }, 'gossip: peer session ended');
        onClose?.();
      },
    });
    this.#sessions.add(s);
  }

  #dial(p: PeerSpec, backoff: number): void {
    if (!this.#ctx || !p.address) return;
    const socket = connect(p.address.port, p.address.host);
    let ready = false;
    this.#session(socket, 'dialer', () => {
      if (!this.#ctx) return;
      // Redial: at once after a session that worked, with doubling backoff after failures.
      const wait = ready ? (this.#o.reconnectMs ?? 1000) : backoff;
      const t = setTimeout(() => {
        this.#timers.delete(t);
        this.#dial(p, ready ? (this.#o.reconnectMs ?? 1000) : Math.min(backoff * 2, this.#o.maxReconnectMs ?? 60_000));
      }, wait);
      t.unref();
      this.#timers.add(t);
    });
    socket.once('connect', () => {
      ready = true;
    });
  }

  async send(msg: Outgoing): Promise<void> {
    const live = [...this.#sessions].filter((s) => s.ready);
    if (live.length === 0) throw new Error('no peer daemon connected');
    let sent = 0;
    for (const s of live) {
      if (s.send({ command: Command.gossipMsg, timestamp: msg.timestamp, logId: msg.logId, gossipData: msg.gossipData })) sent++;
    }
    if (sent === 0) throw new Error('no peer daemon is reading');
  }

  async stop(): Promise<void> {
    this.#ctx = null;
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    for (const s of [...this.#sessions]) s.close('stopping');
    const server = this.#server;
    this.#server = null;
    if (server?.listening) await new Promise<void>((r) => server.close(() => r()));
  }
}
