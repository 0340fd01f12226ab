/**
 * Request parameters of the RFC 6962 §4 API, checked once at the edge.
 * Query parameters are decimal integers ("in decimal", §4.4–§4.8) or base64;
 * anything else, a missing parameter or a repeated one is CtError
 * BAD_REQUEST. Pure.
 */
import { bytesArrayField, CodecError, decodeBase64, parseJsonObject, SHA256_SIZE } from '../../codec/index.ts';
import { CtError } from './errors.ts';

export type Query = Readonly<Record<string, unknown>>;

const DECIMAL = /^[0-9]{1,16}$/;

function param(q: Query, name: string): string {
  const v = q[name];
  if (v === undefined) throw new CtError('BAD_REQUEST', `missing parameter "${name}"`);
  if (typeof v !== 'string') throw new CtError('BAD_REQUEST', `parameter "${name}" given more than once`);
  return v;
}

/** A non-negative decimal integer ≤ 2^53-1. */
export function intParam(q: Query, name: string): number {
  const s = param(q, name);
  const n = DECIMAL.test(s) ? Number(s) : Number.NaN;
  if (!Number.isSafeInteger(n))
    throw new CtError('BAD_REQUEST', `parameter "${name}": got ${JSON.stringify(s.slice(0, 40))}, want a non-negative decimal integer`);
  return n;
}

/**
 * An inclusive upper bound such as get-entries' `end`: any decimal integer,
 * where a value beyond what a tree can hold means "as far as there is", so
 * it is clipped to 2^53-2 (end + 1 stays an exact integer) instead of
 * refused. §4.6 lets a log answer fewer entries than asked.
 */
export function upperBoundParam(q: Query, name: string): number {
  const s = param(q, name);
  if (!/^[0-9]{1,64}$/.test(s))
    throw new CtError('BAD_REQUEST', `parameter "${name}": got ${JSON.stringify(s.slice(0, 40))}, want a non-negative decimal integer`);
  return Math.min(Number(s), Number.MAX_SAFE_INTEGER - 1);
}

/** §4.4 get-sth-consistency: `first` and `second`, first ≤ second. */
export function consistencyParams(q: Query): { first: number; second: number } {
  const first = intParam(q, 'first');
  const second = intParam(q, 'second');
  if (first > second) throw new CtError('BAD_REQUEST', `first ${first} > second ${second}, want first ≤ second`);
  return { first, second };
}

/** §4.5 get-proof-by-hash: `hash` (base64 of a 32-byte leaf hash) and `tree_size` ≥ 1. */
export function proofByHashParams(q: Query): { hash: Buffer; treeSize: number } {
  // A '+' sent unescaped in a query string arrives as a space; restore it rather than reject.
  const text = param(q, 'hash').replaceAll(' ', '+');
  let hash: Buffer;
  try {
    hash = decodeBase64(text);
  } catch (err) {
    throw new CtError('BAD_REQUEST', 'parameter "hash" is not base64', { cause: err });
  }
  if (hash.length !== SHA256_SIZE) throw new CtError('BAD_REQUEST', `parameter "hash": got ${hash.length} bytes, want ${SHA256_SIZE}`);
  const treeSize = intParam(q, 'tree_size');
  if (treeSize < 1) throw new CtError('BAD_REQUEST', 'tree_size 0 has no leaves to prove, want tree_size ≥ 1');
  return { hash, treeSize };
}

/** §4.6 get-entries: `start` and `end`, both inclusive, start ≤ end; a huge `end` is clipped (upperBoundParam). */
export function entriesParams(q: Query): { start: number; end: number } {
  const start = intParam(q, 'start');
  const end = upperBoundParam(q, 'end');
  if (end < start) throw new CtError('BAD_REQUEST', `end ${end} < start ${start}, want start ≤ end`);
  return { start, end };
}

/** §4.8 get-entry-and-proof: `leaf_index` < `tree_size`. */
export function entryAndProofParams(q: Query): { leafIndex: number; treeSize: number } {
  const leafIndex = intParam(q, 'leaf_index');
  const treeSize = intParam(q, 'tree_size');
  if (leafIndex >= treeSize)
    throw new CtError('BAD_REQUEST', `leaf_index ${leafIndex} ≥ tree_size ${treeSize}, want leaf_index < tree_size`);
  return { leafIndex, treeSize };
}

/**
 * §4.1/§4.2 add-chain and add-pre-chain body: `{ "chain": [base64 DER, …] }`.
 * Emptiness and length limits are admission's business (admission.ts).
 */
export function chainBody(body: string | Uint8Array): Buffer[] {
  try {
    return bytesArrayField(parseJsonObject(body, 'add-chain'), 'chain', 'add-chain');
  } catch (err) {
    if (err instanceof CodecError) throw new CtError('BAD_REQUEST', err.message, { cause: err });
    throw err;
  }
}
