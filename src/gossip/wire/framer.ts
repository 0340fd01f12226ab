/**
 * Splits a byte stream into messages (draft §6: "over a reliable stream")
 * without ever holding more than one bounded message.
 *
 * - S-expressions end where their outer parenthesis closes (parentheses
 *   inside quoted strings do not count); whitespace between them is skipped.
 * - JSON messages are lines: from `{` to the next LF.
 * - The first message fixes the connection's encoding (the one it is answered
 *   in); a message in the other encoding is skipped whole and reported as
 *   WRONG_ENCODING.
 * - A message longer than `maxMessageBytes` is reported once as TOO_LARGE and
 *   skipped to its end (its closing parenthesis, or the LF) while counting,
 *   not storing, its bytes.
 * - Bytes between messages that are neither whitespace nor the start of a
 *   message are reported once as MALFORMED and skipped through the next LF.
 *
 * Memory: at most `maxMessageBytes` buffered, whatever the peer sends.
 * Pure: no I/O; the socket layer feeds it chunks.
 */
import { WireError } from './errors.ts';
import type { Encoding } from './model.ts';

export type Frame = { readonly encoding: Encoding; readonly text: string } | { readonly error: WireError };

const LF = 0x0a;
const isWs = (c: number) => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
const utf8 = new TextDecoder('utf-8', { fatal: true });

type State =
  | { kind: 'idle' }
  | { kind: 'sexp'; depth: number; inString: boolean; escape: boolean; skip: boolean; wrong: boolean }
  | { kind: 'json'; skip: boolean; wrong: boolean }
  | { kind: 'garbage' };

export class MessageFramer {
  readonly #max: number;
  #encoding: Encoding | undefined;
  #state: State = { kind: 'idle' };
  /** Bytes of the message being read (only while it is within the limit). Owned by push(). */
  #parts: Buffer[] = [];
  #length = 0;

  /** `encoding`: fixed from the start (else the first message decides). */
  constructor(opts: { maxMessageBytes: number; encoding?: Encoding }) {
    this.#max = opts.maxMessageBytes;
    this.#encoding = opts.encoding;
  }

  /** The connection's encoding, once known. */
  get encoding(): Encoding | undefined {
    return this.#encoding;
  }

  /** Bytes currently held for an incomplete message. */
  get buffered(): number {
    return this.#length;
  }

  /** Feeds a chunk; returns the messages and refusals it completes, in order. */
  push(chunk: Uint8Array): Frame[] {
    const out: Frame[] = [];
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let start = 0; // where the current message's bytes begin in this chunk
    for (let i = 0; i < buf.length; i++) {
      const c = buf[i];
      const st = this.#state;
      switch (st.kind) {
        case 'idle': {
          if (isWs(c)) continue;
          start = i;
          const enc: Encoding | undefined = c === 0x28 ? 'sexp' : c === 0x7b ? 'json' : undefined;
          if (enc === undefined) {
            this.#state = { kind: 'garbage' };
            out.push({
              error: new WireError('MALFORMED', `got byte 0x${c.toString(16).padStart(2, '0')} between messages, want "(" or "{"`),
            });
            if (c === LF) this.#state = { kind: 'idle' };
            continue;
          }
          this.#encoding ??= enc;
          const wrong = enc !== this.#encoding;
          this.#state =
            enc === 'sexp'
              ? { kind: 'sexp', depth: 1, inString: false, escape: false, skip: wrong, wrong }
              : { kind: 'json', skip: wrong, wrong };
          this.#grow(out);
          continue;
        }
        case 'garbage':
          if (c === LF) this.#state = { kind: 'idle' };
          continue;
        case 'json': {
          // A line ends at the next LF: find it at once instead of byte by byte.
          const lf = buf.indexOf(LF, i);
          const end = lf < 0 ? buf.length : lf;
          if (!st.skip) {
            this.#length += end - i;
            if (this.#length > this.#max) {
              st.skip = true;
              this.#parts = [];
              this.#length = 0;
              out.push({ error: new WireError('TOO_LARGE', `message longer than ${this.#max} bytes`) });
            }
          }
          if (lf < 0) {
            i = buf.length - 1;
            continue;
          }
          i = lf;
          this.#finish(out, buf, start, i, 'json');
          continue;
        }
        case 'sexp':
          if (st.inString) {
            if (st.escape) st.escape = false;
            else if (c === 0x5c) st.escape = true;
            else if (c === 0x22) st.inString = false;
          } else if (c === 0x22) {
            st.inString = true;
          } else if (c === 0x28) {
            st.depth++;
          } else if (c === 0x29) {
            st.depth--;
            if (st.depth === 0) {
              this.#finish(out, buf, start, i + 1, 'sexp');
              continue;
            }
          }
          this.#grow(out);
          continue;
      }
    }
    // Keep the unfinished message's bytes of this chunk.
    const st = this.#state;
    if ((st.kind === 'json' || st.kind === 'sexp') && !st.skip) {
      const piece = buf.subarray(start, buf.length);
      if (piece.length > 0) this.#parts.push(piece);
    }
    return out;
  }

  /** Counts one more byte of the current message; past the limit, reports TOO_LARGE once and switches to skipping. */
  #grow(out: Frame[]): void {
    const st = this.#state;
    if ((st.kind !== 'json' && st.kind !== 'sexp') || st.skip) return;
    this.#length++;
    if (this.#length > this.#max) {
      st.skip = true;
      this.#parts = [];
      this.#length = 0;
      out.push({ error: new WireError('TOO_LARGE', `message longer than ${this.#max} bytes`) });
    }
  }

  /** Ends the current message at `end` (exclusive) in `buf`. */
  #finish(out: Frame[], buf: Buffer, start: number, end: number, enc: Encoding): void {
    const st = this.#state as Extract<State, { kind: 'sexp' | 'json' }>;
    if (!st.skip) {
      const bytes = Buffer.concat([...this.#parts, buf.subarray(start, end)]);
      if (bytes.length > this.#max) {
        out.push({ error: new WireError('TOO_LARGE', `message longer than ${this.#max} bytes`) });
      } else {
        out.push(this.#decodeText(bytes, enc));
      }
    } else if (st.wrong) {
      out.push({
        error: new WireError(
          'WRONG_ENCODING',
          `got a ${enc === 'sexp' ? 'S-expression' : 'JSON'} message on a ${this.#encoding === 'sexp' ? 'S-expression' : 'JSON'} connection`,
        ),
      });
    }
    this.#state = { kind: 'idle' };
    this.#parts = [];
    this.#length = 0;
  }

  #decodeText(bytes: Buffer, enc: Encoding): Frame {
    if (enc === 'sexp') return { encoding: enc, text: bytes.toString('latin1') };
    try {
      return { encoding: enc, text: utf8.decode(bytes) };
    } catch (err) {
      return { error: new WireError('MALFORMED', 'JSON line is not valid UTF-8', { cause: err }) };
    }
  }
}
