/**
 * A small client of the gossip service for peers (the collector, the
 * auditor, `grapevine gossip`) and for external transports: it connects to
 * the peer or transport socket, speaks either encoding, matches answers to
 * requests by `tag`, and hands over incoming gossip as an async iterator.
 *
 *     const c = await GossipClient.connect({ path: '/run/grapevine/gossip.sock' });
 *     await c.gossip({ logId, gossipData, destination: ['all'] });   // rejects if refused
 *     for await (const m of c.incoming()) …                          // what transports bring in
 *
 * Refusals: the protocol acknowledges nothing a peer sends (§5.1 discards
 * silently), but the service answers a connection's messages in order, so
 * `gossip()` follows its message with an enumerate request and resolves when
 * that answer arrives: a refusal of the message (matched by tag) comes first
 * and makes it reject. A silent discard still resolves, by design.
 *
 * Memory: incoming messages wait in a queue of at most `maxQueued`; beyond
 * it the oldest is dropped and counted in `dropped`.
 */
import { connect, type Socket } from 'node:net';
import { GrapevineError } from '../errors.ts';
import {
  type AuthenticateResult,
  Command,
  decodeMessage,
  type Encoding,
  encodeMessage,
  type GossipError,
  type GossipMessage,
  type GossipMsg,
  MessageFramer,
  WireError,
} from './wire/index.ts';

export type GossipClientErrorCode =
  | 'CONNECT' // the socket could not be opened
  | 'REFUSED' // the service answered gossip-error-0
  | 'BAD_AUTH' // the shared secret was refused
  | 'CLOSED' // the connection ended before the answer
  | 'PROTOCOL'; // the service sent something that is not a message

export class GossipClientError extends GrapevineError<GossipClientErrorCode> {
  /** For REFUSED: the service's refusal code. */
  readonly refusal: string | undefined;
  constructor(code: GossipClientErrorCode, message: string, options?: { cause?: unknown; refusal?: string }) {
    super(code, message, options);
    this.refusal = options?.refusal;
  }
}

export interface ClientAddress {
  readonly path?: string;
  readonly host?: string;
  readonly port?: number;
}

export interface ClientOptions {
  /** Encoding to speak (default json; the service answers in kind). */
  readonly encoding?: Encoding;
  readonly maxMessageBytes?: number;
  readonly maxQueued?: number;
}

type Waiter = { resolve: (m: GossipMessage) => void; reject: (e: Error) => void };

export class GossipClient {
  readonly #socket: Socket;
  readonly #encoding: Encoding;
  readonly #framer: MessageFramer;
  readonly #waiters = new Map<string, Waiter>();
  readonly #refusals = new Map<string, GossipError>();
  readonly #queue: GossipMsg[] = [];
  readonly #maxQueued: number;
  #wake: (() => void) | null = null;
  #closed = false;
  #next = 0;
  /** Incoming messages dropped because the queue was full. */
  dropped = 0;

  private constructor(socket: Socket, opts: ClientOptions) {
    this.#socket = socket;
    this.#encoding = opts.encoding ?? 'json';
    this.#framer = new MessageFramer({ maxMessageBytes: opts.maxMessageBytes ?? 1024 * 1024, encoding: this.#encoding });
    this.#maxQueued = opts.maxQueued ?? 10_000;
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('close', () => this.#onClose());
    socket.on('error', () => this.#onClose());
  }

  /**
   * Connects to a Unix socket path, or host:port. On the peer socket the
   * client then asks for the transports once: the service answers a
   * connection in the encoding it first used (and sends S-expressions to one
   * that said nothing), so speaking first fixes ours. On the transport socket
   * (`transport: true`) the first message must be the authenticate request.
   */
  static async connect(addr: ClientAddress, opts: ClientOptions & { transport?: boolean } = {}): Promise<GossipClient> {
    const c = await GossipClient.#open(addr, opts);
    if (!opts.transport) {
      try {
        await c.transports();
      } catch (err) {
        c.close();
        throw err;
      }
    }
    return c;
  }

  static #open(addr: ClientAddress, opts: ClientOptions): Promise<GossipClient> {
    return new Promise((resolve, reject) => {
      const socket = addr.path !== undefined ? connect(addr.path) : connect(addr.port ?? 0, addr.host ?? '127.0.0.1');
      socket.once('connect', () => {
        socket.removeAllListeners('error');
        resolve(new GossipClient(socket, opts));
      });
      socket.once('error', (err) =>
        reject(
          new GossipClientError('CONNECT', `cannot connect to ${addr.path ?? `${addr.host}:${addr.port}`}: ${err.message}`, { cause: err }),
        ),
      );
    });
  }

  #tag(): string {
    return `c${++this.#next}`;
  }

  #onData(chunk: Buffer): void {
    for (const f of this.#framer.push(chunk)) {
      if ('error' in f) continue;
      let msg: GossipMessage;
      try {
        msg = decodeMessage(f.text, f.encoding);
      } catch (err) {
        if (err instanceof WireError) continue;
        throw err;
      }
      this.#dispatch(msg);
    }
  }

  #dispatch(msg: GossipMessage): void {
    if (msg.command === Command.gossipMsg) {
      this.#queue.push(msg);
      if (this.#queue.length > this.#maxQueued) {
        this.#queue.shift();
        this.dropped++;
      }
      this.#wake?.();
      return;
    }
    if (msg.command === Command.error && msg.tag !== undefined && !this.#waiters.has(msg.tag)) {
      this.#refusals.set(msg.tag, msg);
      if (this.#refusals.size > 1000) this.#refusals.delete(this.#refusals.keys().next().value as string);
      return;
    }
    const w = msg.tag !== undefined ? this.#waiters.get(msg.tag) : undefined;
    if (w && msg.tag !== undefined) {
      this.#waiters.delete(msg.tag);
      w.resolve(msg);
    }
  }

  #onClose(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const w of this.#waiters.values()) w.reject(new GossipClientError('CLOSED', 'the connection ended before the answer'));
    this.#waiters.clear();
    this.#wake?.();
  }

  /** Writes a message as is. */
  send(msg: GossipMessage): void {
    if (this.#closed) throw new GossipClientError('CLOSED', 'the connection is closed');
    this.#socket.write(`${encodeMessage(msg, this.#encoding)}\n`);
  }

  /** Sends `msg` with a fresh tag and waits for the answer carrying it. */
  #request(msg: GossipMessage): Promise<GossipMessage> {
    const tag = this.#tag();
    return new Promise((resolve, reject) => {
      this.#waiters.set(tag, { resolve, reject });
      try {
        this.send({ ...msg, tag } as GossipMessage);
      } catch (err) {
        this.#waiters.delete(tag);
        reject(err);
      }
    });
  }

  /** ENUMERATE-TRANSPORTS: the names of the registered transports. */
  async transports(): Promise<string[]> {
    const r = await this.#request({ command: Command.enumerateTransportsRequest });
    if (r.command === Command.enumerateTransportsResponse) return [...r.transports];
    throw refused(r);
  }

  /**
   * Sends one gossip-msg-0 and resolves once the service has read it without
   * refusing it (see the file comment). `tag` defaults to a fresh one.
   */
  async gossip(m: { logId: string; gossipData: Uint8Array; destination?: readonly string[]; tag?: string }): Promise<void> {
    const tag = m.tag ?? this.#tag();
    this.send({
      command: Command.gossipMsg,
      logId: m.logId,
      gossipData: Buffer.from(m.gossipData),
      ...(m.destination !== undefined ? { destination: m.destination } : {}),
      tag,
    });
    await this.transports(); // the barrier: answers come in order
    const r = this.#refusals.get(tag);
    if (r) {
      this.#refusals.delete(tag);
      throw refused(r);
    }
  }

  /** As a transport: authenticates and registers under `transportId`. Throws BAD_AUTH or REFUSED. */
  async authenticate(sharedSecret: Uint8Array, transportId: string): Promise<void> {
    const r = await this.#request({ command: Command.authenticateRequest, sharedSecret: Buffer.from(sharedSecret), transportId });
    if (r.command === Command.authenticateResponse) {
      if ((r.response as AuthenticateResult) === 'ok') return;
      throw new GossipClientError('BAD_AUTH', 'the service refused the shared secret');
    }
    throw refused(r);
  }

  /** Incoming gossip-msg-0 messages, until the connection closes. */
  async *incoming(): AsyncIterableIterator<GossipMsg> {
    for (;;) {
      const m = this.#queue.shift();
      if (m) {
        yield m;
        continue;
      }
      if (this.#closed) return;
      await new Promise<void>((r) => {
        this.#wake = r;
      });
      this.#wake = null;
    }
  }

  /** The next incoming gossip message (rejects CLOSED if the connection ends first). */
  async next(): Promise<GossipMsg> {
    const it = this.incoming();
    const r = await it.next();
    if (r.done) throw new GossipClientError('CLOSED', 'the connection ended');
    return r.value;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Ends the connection. */
  close(): void {
    this.#socket.end();
    this.#socket.destroy();
    this.#onClose();
  }
}

function refused(r: GossipMessage): GossipClientError {
  if (r.command === Command.error) return new GossipClientError('REFUSED', `${r.code}: ${r.message}`, { refusal: r.code });
  return new GossipClientError('PROTOCOL', `got ${r.command}, want an answer to the request`);
}
