/**
 * One connection between two gossip daemons: the handshake
 * (handshake.ts), then sealed frames (frames.ts) each carrying one
 * gossip-msg-0 in its JSON-lines encoding. Anything out of order — an
 * unknown key, a bad signature, an oversized line or frame, a frame that
 * does not open, a message that does not decode — ends this session only.
 *
 * Memory: one handshake line (≤ MAX_HANDSHAKE_LINE) or one frame
 * (≤ maxFrame) buffered; `send` drops past `maxBufferedBytes` waiting in the
 * socket.
 */
import { generateKeyPairSync, type KeyObject, randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import { decodeJsonMessage, encodeMessage, type GossipMessage, WireError } from '../../wire/index.ts';
import { FrameError, FrameReader, FrameSealer } from './frames.ts';
import {
  checkAuth,
  formatAuth,
  formatHello,
  type Hello,
  MAX_HANDSHAKE_LINE,
  PeerHandshakeError,
  parseHello,
  type Role,
  rawEd25519,
  rawX25519,
  sessionKeys,
  transcript,
} from './handshake.ts';

export interface PeerSessionOptions {
  readonly role: Role;
  /** Our Ed25519 private key. */
  readonly key: KeyObject;
  /** Pinned peers: hex of the raw Ed25519 public key → peer name. */
  readonly trusted: ReadonlyMap<string, string>;
  readonly maxFrame: number;
  readonly maxBufferedBytes: number;
  readonly handshakeTimeoutMs: number;
  readonly onReady: (s: PeerSession) => void;
  readonly onMessage: (s: PeerSession, msg: GossipMessage) => void;
  readonly onClose: (s: PeerSession, why: string) => void;
}

export class PeerSession {
  readonly socket: Socket;
  readonly #o: PeerSessionOptions;
  readonly #eph: KeyObject;
  readonly #ownHello: string;
  #line = '';
  #theirHello: { text: string; hello: Hello } | null = null;
  #transcript: Buffer | null = null;
  #sealer: FrameSealer | null = null;
  #reader: FrameReader | null = null;
  #timer: NodeJS.Timeout | null;
  #closed = false;
  /** The pinned name of the other daemon, once its HELLO named a trusted key. */
  peer: string | null = null;

  constructor(socket: Socket, o: PeerSessionOptions) {
    this.socket = socket;
    this.#o = o;
    const { privateKey, publicKey } = generateKeyPairSync('x25519');
    this.#eph = privateKey;
    this.#ownHello = formatHello({ key: rawEd25519(o.key), eph: rawX25519(publicKey), nonce: randomBytes(32) });
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('error', (err) => this.close(`socket error: ${err.message}`));
    socket.on('close', () => this.close('closed by the other side'));
    this.#timer = setTimeout(() => this.close(`no handshake within ${o.handshakeTimeoutMs} ms`), o.handshakeTimeoutMs);
    this.#timer.unref();
    socket.write(`${this.#ownHello}\n`);
  }

  get ready(): boolean {
    return this.#sealer !== null && !this.#closed;
  }

  #onData(chunk: Buffer): void {
    if (this.#closed) return;
    try {
      if (this.#reader) {
        this.#frames(chunk);
        return;
      }
      let rest = chunk;
      while (rest.length > 0 && !this.#reader && !this.#closed) {
        const nl = rest.indexOf(0x0a);
        const part = rest.subarray(0, nl < 0 ? rest.length : nl).toString('utf8');
        this.#line += part;
        if (this.#line.length > MAX_HANDSHAKE_LINE)
          throw new PeerHandshakeError('BAD_HELLO', `handshake line over ${MAX_HANDSHAKE_LINE} bytes`);
        if (nl < 0) return;
        rest = rest.subarray(nl + 1);
        const line = this.#line;
        this.#line = '';
        this.#handshakeLine(line);
      }
      if (this.#reader && rest.length > 0) this.#frames(rest);
    } catch (err) {
      this.close(err instanceof PeerHandshakeError || err instanceof FrameError || err instanceof WireError ? err.message : String(err));
    }
  }

  #handshakeLine(line: string): void {
    if (this.#theirHello === null) {
      const hello = parseHello(line);
      const name = this.#o.trusted.get(hello.key.toString('hex'));
      if (name === undefined)
        throw new PeerHandshakeError('UNKNOWN_PEER', `key ${hello.key.toString('hex').slice(0, 16)}… is no configured peer's`);
      this.peer = name;
      this.#theirHello = { text: line, hello };
      const t = this.#o.role === 'dialer' ? transcript(this.#ownHello, line) : transcript(line, this.#ownHello);
      this.#transcript = t;
      this.socket.write(`${formatAuth(this.#o.key, this.#o.role, t)}\n`);
      return;
    }
    const theirRole: Role = this.#o.role === 'dialer' ? 'listener' : 'dialer';
    checkAuth(line, this.#theirHello.hello.key, theirRole, this.#transcript as Buffer);
    const keys = sessionKeys(this.#eph, this.#theirHello.hello.eph, this.#transcript as Buffer, this.#o.role);
    this.#sealer = new FrameSealer(keys.send);
    this.#reader = new FrameReader(keys.receive, this.#o.maxFrame);
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#o.onReady(this);
  }

  #frames(chunk: Buffer): void {
    for (const plain of (this.#reader as FrameReader).push(chunk)) {
      this.#o.onMessage(this, decodeJsonMessage(plain.toString('utf8')));
    }
  }

  /** Seals and writes a message; false when not ready or the other side is not reading. */
  send(msg: GossipMessage): boolean {
    if (!this.ready || this.socket.writableLength > this.#o.maxBufferedBytes) return false;
    this.socket.write((this.#sealer as FrameSealer).seal(Buffer.from(encodeMessage(msg, 'json'), 'utf8')));
    return true;
  }

  close(why = 'closed'): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.socket.destroy();
    this.#o.onClose(this, why);
  }
}
