/**
 * The add-checkpoint request and the 409 answer on the wire
 * (c2sp.org/tlog-witness §add-checkpoint). Pure: no I/O, no clock.
 *
 *   old <size>\n              decimal, no leading zeroes ("0" allowed)
 *   <base64 hash>\n           0..63 lines: the RFC 6962 §2.1.2 consistency proof old → checkpoint
 *   \n
 *   <signed checkpoint note>  c2sp.org/tlog-checkpoint, any number of signatures
 *
 * A 409 body is `<size>\n` with Content-Type text/x.tlog.size.
 */

import { parseDecimal } from '../checkpoint/index.ts';
import { decodeBase64, encodeBase64 } from '../codec/index.ts';
import { WitnessError } from './errors.ts';

/** §add-checkpoint: 0..63 proof lines (a consistency proof in a tree of < 2^63 leaves has at most 63 hashes). */
export const MAX_PROOF_LINES = 63;
/** Content-Type of a 409 body. */
export const TLOG_SIZE_CONTENT_TYPE = 'text/x.tlog.size';

export interface AddCheckpointRequest {
  /** The size of the latest checkpoint the submitter believes the witness cosigned (0: none). */
  readonly oldSize: number;
  /** Consistency proof from `oldSize` to the checkpoint's size (hashes of another length than 32 bytes fail it). */
  readonly proof: readonly Buffer[];
  /** The signed checkpoint note, as received (not yet parsed or verified). */
  readonly checkpoint: Buffer;
}

function malformed(why: string, cause?: unknown): WitnessError {
  return new WitnessError('MALFORMED', `add-checkpoint body: ${why}`, cause === undefined ? undefined : { cause });
}

const NL = 0x0a;

/**
 * Splits an add-checkpoint body. Throws WitnessError MALFORMED; the note after
 * the blank line is returned as bytes, untouched (its syntax and signatures
 * are the service's business).
 */
export function parseAddCheckpointRequest(body: Uint8Array): AddCheckpointRequest {
  const b = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  let pos = 0;
  const line = (what: string): string => {
    const nl = b.indexOf(NL, pos);
    // A header line is at most "old " + 16 digits, a proof line 44 base64 characters.
    if (nl < 0 || nl - pos > 64) throw malformed(`missing ${what} or its newline`);
    const s = b.toString('latin1', pos, nl);
    pos = nl + 1;
    return s;
  };
  const first = line('"old <size>" line');
  if (!first.startsWith('old ')) throw malformed(`got first line ${JSON.stringify(first)}, want "old <size>"`);
  const oldSize = parseDecimal(first.slice(4), (why, cause) => malformed(`old size: ${why}`, cause));
  const proof: Buffer[] = [];
  for (let l = line('blank line'); l !== ''; l = line('blank line')) {
    if (proof.length === MAX_PROOF_LINES) throw malformed(`got more than ${MAX_PROOF_LINES} proof lines, want at most ${MAX_PROOF_LINES}`);
    let h: Buffer;
    try {
      h = decodeBase64(l);
    } catch (err) {
      throw malformed(`proof line ${proof.length + 1} is not canonical base64`, err);
    }
    // A hash of another length is kept: it makes the proof fail (422), as transparency-dev/witness answers
    // ErrInvalidProof for it (witness-scenarios.json: "a 1-byte proof element", "garbage proof").
    proof.push(h);
  }
  const checkpoint = Buffer.from(b.subarray(pos));
  if (checkpoint.length === 0) throw malformed('no checkpoint after the blank line');
  return Object.freeze({ oldSize, proof: Object.freeze(proof), checkpoint });
}

/** The body of an add-checkpoint request (the inverse of `parseAddCheckpointRequest`). */
export function formatAddCheckpointRequest(req: {
  oldSize: number;
  proof: readonly Uint8Array[];
  checkpoint: string | Uint8Array;
}): Buffer {
  if (!Number.isSafeInteger(req.oldSize) || req.oldSize < 0) throw malformed(`got old size ${req.oldSize}, want an integer in 0..2^53-1`);
  if (req.proof.length > MAX_PROOF_LINES) throw malformed(`got ${req.proof.length} proof hashes, want at most ${MAX_PROOF_LINES}`);
  const head = `old ${req.oldSize}\n${req.proof.map((h) => `${encodeBase64(h)}\n`).join('')}\n`;
  const cp = typeof req.checkpoint === 'string' ? Buffer.from(req.checkpoint, 'utf8') : Buffer.from(req.checkpoint);
  return Buffer.concat([Buffer.from(head, 'latin1'), cp]);
}

/** The 409 body: the size in decimal and a newline. */
export function formatTlogSize(size: number): string {
  return `${size}\n`;
}

/** Parses a text/x.tlog.size body. Throws WitnessError MALFORMED. */
export function parseTlogSize(body: string): number {
  if (!body.endsWith('\n'))
    throw new WitnessError('MALFORMED', `tlog size body: got ${JSON.stringify(body.slice(0, 30))}, want "<size>\\n"`);
  return parseDecimal(body.slice(0, -1), (why, cause) => new WitnessError('MALFORMED', `tlog size body: ${why}`, { cause }));
}
