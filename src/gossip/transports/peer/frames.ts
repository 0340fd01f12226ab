/**
 * Sealed frames after the peer handshake: 4-byte big-endian length, then
 * ChaCha20-Poly1305 (RFC 8439) of one gossip message (its JSON-lines
 * encoding), with the 16-byte tag. The nonce is the frame counter of that
 * direction (96 bits, never sent, never reused: a session ends long before
 * 2^64 frames), so a frame dropped, replayed or reordered fails to open and
 * ends the session.
 *
 * `FrameReader` holds at most one frame of at most `maxFrame` bytes.
 */
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { GrapevineError } from '../../../errors.ts';

const TAG = 16;

function nonce(counter: bigint): Buffer {
  const n = Buffer.alloc(12);
  n.writeBigUInt64BE(counter, 4);
  return n;
}

export class FrameSealer {
  readonly #key: Buffer;
  #counter = 0n;
  constructor(key: Buffer) {
    this.#key = key;
  }
  seal(plain: Buffer): Buffer {
    const c = createCipheriv('chacha20-poly1305', this.#key, nonce(this.#counter++), { authTagLength: TAG });
    const body = Buffer.concat([c.update(plain), c.final(), c.getAuthTag()]);
    const len = Buffer.alloc(4);
    len.writeUInt32BE(body.length);
    return Buffer.concat([len, body]);
  }
}

/** A frame too long, or one that does not open (forged, replayed, reordered). */
export class FrameError extends GrapevineError<'BAD_FRAME'> {}

export class FrameReader {
  readonly #key: Buffer;
  readonly #max: number;
  #counter = 0n;
  #buf: Buffer = Buffer.alloc(0);

  constructor(key: Buffer, maxFrame: number) {
    this.#key = key;
    this.#max = maxFrame;
  }

  /** The messages the chunk completes. Throws FrameError for a frame too long or that does not open. */
  push(chunk: Buffer): Buffer[] {
    this.#buf = this.#buf.length === 0 ? chunk : Buffer.concat([this.#buf, chunk]);
    const out: Buffer[] = [];
    for (;;) {
      if (this.#buf.length < 4) break;
      const len = this.#buf.readUInt32BE(0);
      if (len < TAG || len > this.#max + TAG) throw new FrameError('BAD_FRAME', `frame of ${len} bytes, want ${TAG}..${this.#max + TAG}`);
      if (this.#buf.length < 4 + len) break;
      const body = this.#buf.subarray(4, 4 + len);
      this.#buf = this.#buf.subarray(4 + len);
      const d = createDecipheriv('chacha20-poly1305', this.#key, nonce(this.#counter++), { authTagLength: TAG });
      d.setAuthTag(body.subarray(len - TAG));
      try {
        out.push(Buffer.concat([d.update(body.subarray(0, len - TAG)), d.final()]));
      } catch {
        throw new FrameError('BAD_FRAME', 'a frame does not open: forged, replayed or reordered');
      }
    }
    return out;
  }
}
