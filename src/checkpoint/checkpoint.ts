/**
 * Checkpoint note text (c2sp.org/tlog-checkpoint §Note text):
 *
 *   <origin>\n            non-empty
 *   <tree size>\n         ASCII decimal, no leading zeroes (unless 0)
 *   <root hash>\n         base64 (RFC 4648 §4, padded) of the RFC 6962 root
 *   [<extension line>\n]* opaque, OPTIONAL, "MUST be non-empty"
 *
 * Strict by default: the root must be exactly 32 bytes (SHA-256, RFC 6962
 * §2.1) and extension lines must be non-empty. transparency-dev/formats
 * accepts any root length ("bananas") and empty trailing lines (testdata
 * Finding 8); `ParseOptions` can reproduce that for compatibility tests.
 */
import { CodecError, decodeBase64, encodeBase64 } from '../codec/index.ts';
import { CheckpointError } from './errors.ts';

export const SHA256_SIZE = 32;

/** Canonical decimal: "0" or a non-zero digit followed by digits (no sign, no leading zeroes). */
const DECIMAL = /^(0|[1-9][0-9]*)$/;

export interface Checkpoint {
  readonly origin: string;
  /** Number of leaves. */
  readonly size: number;
  readonly rootHash: Buffer;
  /** Extension lines without their newlines, in order; usually empty. */
  readonly extensions: readonly string[];
}

export interface ParseOptions {
  /** Required root hash length; default 32. `null` accepts any length (transparency-dev/formats compatibility). */
  readonly hashSize?: number | null;
  /** Accept empty extension lines (transparency-dev/formats); default false per tlog-checkpoint. */
  readonly allowEmptyExtensions?: boolean;
  /** When set, the origin line must equal it (BAD_ORIGIN otherwise). */
  readonly origin?: string;
}

/**
 * Parses a canonical non-negative decimal such as a tree size or leaf index.
 * Throws `fail(why, cause)`; values above 2^53-1 carry CodecError UNSAFE_INTEGER as cause.
 */
export function parseDecimal(s: string, fail: (why: string, cause?: unknown) => Error): number {
  if (!DECIMAL.test(s)) throw fail(`got ${JSON.stringify(s.slice(0, 40))}, want a decimal without sign or leading zeroes`);
  const n = Number(s);
  if (!Number.isSafeInteger(n)) {
    throw fail(`got ${s}, want at most 2^53-1`, new CodecError('UNSAFE_INTEGER', `${s} exceeds Number.MAX_SAFE_INTEGER`));
  }
  return n;
}

/** Parses checkpoint note text (the part before the signatures). Throws CheckpointError. */
export function parseCheckpoint(text: string, opts: ParseOptions = {}): Checkpoint {
  const hashSize = opts.hashSize === undefined ? SHA256_SIZE : opts.hashSize;
  if (!text.endsWith('\n')) throw new CheckpointError('MALFORMED', 'checkpoint text must end in a newline');
  const lines = text.slice(0, -1).split('\n');
  if (lines.length < 3) throw new CheckpointError('MALFORMED', `got ${lines.length} lines, want at least 3`);
  const [origin, sizeLine, rootLine, ...extensions] = lines;
  if (origin === '') throw new CheckpointError('BAD_ORIGIN', 'origin line is empty');
  if (opts.origin !== undefined && origin !== opts.origin) {
    throw new CheckpointError('BAD_ORIGIN', `got origin ${JSON.stringify(origin)}, want ${JSON.stringify(opts.origin)}`);
  }
  const size = parseDecimal(sizeLine, (why, cause) => new CheckpointError('BAD_SIZE', `tree size: ${why}`, { cause }));
  let rootHash: Buffer;
  try {
    rootHash = decodeBase64(rootLine);
  } catch (err) {
    throw new CheckpointError('BAD_ROOT_HASH', 'root hash is not canonical base64', { cause: err });
  }
  if (hashSize !== null && rootHash.length !== hashSize) {
    throw new CheckpointError('BAD_ROOT_HASH', `got a ${rootHash.length}-byte root hash, want ${hashSize}`);
  }
  if (!opts.allowEmptyExtensions && extensions.includes('')) {
    throw new CheckpointError('BAD_EXTENSION', 'extension lines must be non-empty');
  }
  return Object.freeze({ origin, size, rootHash, extensions: Object.freeze(extensions) });
}

/** Serializes checkpoint note text; the inverse of `parseCheckpoint`. Validates like the parser. */
export function formatCheckpoint(cp: Checkpoint): string {
  if (cp.origin === '' || cp.origin.includes('\n')) {
    throw new CheckpointError('BAD_ORIGIN', `got origin ${JSON.stringify(cp.origin)}, want one non-empty line`);
  }
  if (!Number.isSafeInteger(cp.size) || cp.size < 0) {
    throw new CheckpointError('BAD_SIZE', `got tree size ${cp.size}, want an integer in 0..2^53-1`);
  }
  if (cp.rootHash.length !== SHA256_SIZE) {
    throw new CheckpointError('BAD_ROOT_HASH', `got a ${cp.rootHash.length}-byte root hash, want ${SHA256_SIZE}`);
  }
  for (const e of cp.extensions) {
    if (e === '' || e.includes('\n')) throw new CheckpointError('BAD_EXTENSION', `got extension line ${JSON.stringify(e)}`);
  }
  return [cp.origin, String(cp.size), encodeBase64(cp.rootHash), ...cp.extensions].map((l) => `${l}\n`).join('');
}
