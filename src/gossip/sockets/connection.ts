/**
 * One stream connection speaking the gossip service protocol: frames and
 * decodes what it reads (wire/), answers refusals in the connection's
 * encoding, and writes messages without ever letting one connection hold up
 * the process:
 *
 * - Reading: decoded messages wait in a queue handled `batch` at a time per
 *   event-loop turn, so a connection flooding small messages shares the loop
 *   with the others; while more than `maxPending` wait, the socket is paused
 *   (TCP backpressure on the sender). Memory: one bounded message in the
 *   framer plus `maxPending` decoded messages.
 * - Writing: `send` drops (returns false) once `maxBufferedBytes` are waiting
 *   in the socket, so a peer that does not read cannot grow our memory.
 * - Errors: a socket error closes this connection only.
 *
 * Concurrency: all state is touched from event-loop callbacks; `#drain` is
 * the only consumer of the queue.
 */
import type { Socket } from 'node:net';
import { decodeMessage, type Encoding, encodeMessage, type GossipMessage, MessageFramer, refusalFor, WireError } from '../wire/index.ts';

export interface ConnectionLimits {
  readonly maxMessageBytes: number;
  /** Decoded messages waiting to be handled before the socket is paused. */
  readonly maxPending: number;
  /** Messages handled per event-loop turn. */
  readonly batch: number;
  /** Bytes waiting in the socket's write buffer beyond which `send` drops. */
  readonly maxBufferedBytes: number;
}

export const DEFAULT_CONNECTION_LIMITS: ConnectionLimits = Object.freeze({
  maxMessageBytes: 64 * 1024,
  maxPending: 256,
  batch: 32,
  maxBufferedBytes: 1024 * 1024,
});

export interface ConnectionHandler {
  /** The connection is open (called once, before any message). */
  onOpen?(conn: Connection): void;
  /** A decoded message; returns the replies to write (in the connection's encoding). */
  onMessage(conn: Connection, msg: GossipMessage): readonly GossipMessage[];
  /** Bytes that are not a message: the refusal was already written. */
  onRefused(conn: Connection, code: string): void;
  onClose(conn: Connection): void;
}

export class Connection {
  readonly id: string;
  readonly socket: Socket;
  readonly #limits: ConnectionLimits;
  readonly #framer: MessageFramer;
  readonly #handler: ConnectionHandler;
  readonly #queue: GossipMessage[] = [];
  #scheduled = false;
  #paused = false;
  #closed = false;
  /** onClose was called (once). */
  #notified = false;
  /** Encoding to write in before the peer has said anything (the draft's S-expressions). */
  readonly #defaultEncoding: Encoding;

  constructor(id: string, socket: Socket, handler: ConnectionHandler, limits: ConnectionLimits, defaultEncoding: Encoding = 'sexp') {
    this.id = id;
    this.socket = socket;
    this.#limits = limits;
    this.#handler = handler;
    this.#defaultEncoding = defaultEncoding;
    this.#framer = new MessageFramer({ maxMessageBytes: limits.maxMessageBytes });
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('error', () => this.close());
    socket.on('close', () => this.#closedNow());
    socket.on('end', () => this.close());
  }

  get encoding(): Encoding {
    return this.#framer.encoding ?? this.#defaultEncoding;
  }

  get closed(): boolean {
    return this.#closed;
  }

  #onData(chunk: Buffer): void {
    if (this.#closed) return;
    for (const frame of this.#framer.push(chunk)) {
      if ('error' in frame) {
        this.#refuse(frame.error);
        continue;
      }
      let msg: GossipMessage;
      try {
        msg = decodeMessage(frame.text, frame.encoding);
      } catch (err) {
        if (err instanceof WireError) {
          this.#refuse(err);
          continue;
        }
        throw err;
      }
      this.#queue.push(msg);
    }
    if (this.#queue.length > this.#limits.maxPending && !this.#paused) {
      this.#paused = true;
      this.socket.pause();
    }
    this.#schedule();
  }

  #refuse(err: WireError): void {
    const r = refusalFor(err);
    this.send(r);
    this.#handler.onRefused(this, r.code);
  }

  #schedule(): void {
    if (this.#scheduled || this.#queue.length === 0) return;
    this.#scheduled = true;
    setImmediate(() => this.#drain());
  }

  #drain(): void {
    this.#scheduled = false;
    for (let i = 0; i < this.#limits.batch && this.#queue.length > 0 && !this.#closed; i++) {
      const msg = this.#queue.shift() as GossipMessage;
      let replies: readonly GossipMessage[];
      try {
        replies = this.#handler.onMessage(this, msg);
      } catch {
        // A handler bug must not take the process down with one connection's message.
        replies = [];
        this.close();
      }
      for (const r of replies) this.send(r);
    }
    if (this.#closed) {
      this.#queue.length = 0;
      return;
    }
    if (this.#paused && this.#queue.length <= this.#limits.maxPending / 2) {
      this.#paused = false;
      this.socket.resume();
    }
    this.#schedule();
  }

  /** Writes a message in the connection's encoding; false when dropped (closed, or the peer is not reading). */
  send(msg: GossipMessage): boolean {
    if (this.#closed || this.socket.destroyed) return false;
    if (this.socket.writableLength > this.#limits.maxBufferedBytes) return false;
    this.socket.write(`${encodeMessage(msg, this.encoding)}\n`);
    return true;
  }

  /** Writes `last` (if given), then ends the connection. */
  close(last?: GossipMessage): void {
    if (this.#closed) return;
    if (last) this.send(last);
    this.#closed = true;
    this.socket.end();
    // A peer that never reads cannot keep the socket open.
    setTimeout(() => this.socket.destroy(), 2000).unref();
    this.#closedNow();
  }

  #closedNow(): void {
    if (!this.#closed) {
      this.#closed = true;
      this.socket.destroy();
    }
    if (!this.#notified) {
      this.#notified = true;
      this.#handler.onClose(this);
    }
  }
}
