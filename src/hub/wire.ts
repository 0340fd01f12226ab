/**
 * The hub's JSON API bodies (specs/gossip-hub.md §1, Go `gossip/api/types.go`):
 * request parsing for the server, response parsing for clients, and the
 * formatting both share. All `[]byte` fields are standard padded base64
 * (Go `encoding/json`), decoded strictly (src/codec/encoding.ts).
 *
 * Server-side parse failures are HubError BAD_REQUEST (400 with the reason);
 * client-side ones are the CodecError from src/codec.
 */
import {
  arrayField,
  bytesArrayField,
  bytesField,
  CodecError,
  encodeBase64,
  type JsonObject,
  parseJsonObject,
  stringField,
  uintField,
} from '../codec/index.ts';
import { HASH_SIZE } from '../merkle/index.ts';
import type { AddSignedBlobRequest } from './admission.ts';
import { HubError } from './errors.ts';
import type { SourceKind, TrackedSource } from './source.ts';

/** §1 `PathPrefix`. */
export const HUB_PATH_PREFIX = '/gossip/v0/';

/** §1 endpoint names (also the `ep` metrics label), `hub.Entrypoints`. */
export const HubEndpoint = {
  addSignedBlob: 'add-signed-blob',
  getSth: 'get-sth',
  getSthConsistency: 'get-sth-consistency',
  getProofByHash: 'get-proof-by-hash',
  getEntries: 'get-entries',
  getSourceKeys: 'get-source-keys',
  getLatestForSource: 'get-latest-for-src',
} as const;

const U16_MAX = 0xffff;

function badRequest(what: string, err: unknown): HubError {
  return new HubError('BAD_REQUEST', `failed to parse ${what}: ${(err as Error).message}`, { cause: err });
}

/** §1.1 request body. Fields `source_id`, `blob_data` (1..65535 bytes), `src_signature` (0..65535 bytes). */
export function parseAddSignedBlobBody(body: Uint8Array | string): AddSignedBlobRequest {
  const what = 'add-signed-blob body';
  let req: AddSignedBlobRequest;
  try {
    const o = parseJsonObject(body, what);
    req = {
      sourceId: stringField(o, 'source_id', what),
      blobData: bytesField(o, 'blob_data', what),
      srcSignature: bytesField(o, 'src_signature', what),
    };
  } catch (err) {
    throw badRequest(what, err);
  }
  // §2.1: head_data<1..65535>, source_signature<0..65535> — the TLS bounds the entry must fit.
  if (req.blobData.length < 1 || req.blobData.length > U16_MAX) {
    throw new HubError('BAD_REQUEST', `blob_data: got ${req.blobData.length} bytes, want 1..${U16_MAX}`);
  }
  if (req.srcSignature.length > U16_MAX)
    throw new HubError('BAD_REQUEST', `src_signature: got ${req.srcSignature.length} bytes, want at most ${U16_MAX}`);
  return req;
}

export function formatAddSignedBlobBody(req: AddSignedBlobRequest): string {
  return JSON.stringify({ source_id: req.sourceId, blob_data: encodeBase64(req.blobData), src_signature: encodeBase64(req.srcSignature) });
}

type Query = Readonly<Record<string, unknown>>;

/** A query parameter that must be a non-negative decimal integer ≤ 2^53-1 (Go `strconv.ParseInt` accepts leading zeroes too). */
export function uintParam(query: Query, name: string): number {
  const v = query[name];
  if (typeof v !== 'string' || v === '') throw new HubError('BAD_REQUEST', `parameter ${name}: missing, want a decimal integer`);
  if (!/^[0-9]+$/.test(v))
    throw new HubError('BAD_REQUEST', `parameter ${name}: got ${JSON.stringify(v.slice(0, 40))}, want a non-negative decimal integer`);
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw new HubError('BAD_REQUEST', `parameter ${name}: got ${v}, want at most 2^53-1`);
  return n;
}

/**
 * An inclusive upper bound such as get-entries' `end` (§1.5): any decimal
 * integer; one beyond what a tree can hold means "as far as there is", so it
 * is clipped to 2^53-2 (end + 1 stays exact) instead of refused.
 */
export function upperBoundParam(query: Query, name: string): number {
  const v = query[name];
  if (typeof v !== 'string' || v === '') throw new HubError('BAD_REQUEST', `parameter ${name}: missing, want a decimal integer`);
  if (!/^[0-9]{1,64}$/.test(v))
    throw new HubError('BAD_REQUEST', `parameter ${name}: got ${JSON.stringify(v.slice(0, 40))}, want a non-negative decimal integer`);
  return Math.min(Number(v), Number.MAX_SAFE_INTEGER - 1);
}

export function stringParam(query: Query, name: string): string {
  const v = query[name];
  if (typeof v !== 'string' || v === '') throw new HubError('BAD_REQUEST', `parameter ${name}: missing`);
  return v;
}

/**
 * §1.4 `hash`: the base64 Merkle leaf hash. A form decoder turns an unescaped
 * '+' into a space; space is never base64, so we turn it back.
 */
export function hashParam(query: Query, name: string): Buffer {
  const s = stringParam(query, name).replaceAll(' ', '+');
  let h: Buffer;
  try {
    h = bytesField({ [name]: s }, name, 'query');
  } catch (err) {
    throw badRequest(`parameter ${name}`, err);
  }
  if (h.length !== HASH_SIZE) throw new HubError('BAD_REQUEST', `parameter ${name}: got ${h.length} bytes, want ${HASH_SIZE}`);
  return h;
}

// Responses (§1.1–§1.7). Formatting is shared by the server; parsing by clients.

export interface SignedBytes {
  /** `timestamped_entry` or `head_data`. */
  readonly data: Buffer;
  readonly hubSignature: Buffer;
}

export function formatAddSignedBlobResponse(sgt: SignedBytes): string {
  // Base64 needs no JSON escaping: the same text JSON.stringify gives, without the object.
  return `{"timestamped_entry":"${encodeBase64(sgt.data)}","hub_signature":"${encodeBase64(sgt.hubSignature)}"}`;
}

export function parseAddSignedBlobResponse(body: string | Uint8Array): SignedBytes {
  const what = 'add-signed-blob response';
  const o = parseJsonObject(body, what);
  return { data: bytesField(o, 'timestamped_entry', what), hubSignature: bytesField(o, 'hub_signature', what) };
}

export function formatGetSthResponse(sth: SignedBytes): string {
  return JSON.stringify({ head_data: encodeBase64(sth.data), hub_signature: encodeBase64(sth.hubSignature) });
}

export function parseGetSthResponse(body: string | Uint8Array): SignedBytes {
  const what = 'get-sth response';
  const o = parseJsonObject(body, what);
  return { data: bytesField(o, 'head_data', what), hubSignature: bytesField(o, 'hub_signature', what) };
}

/** §1.3: `consistency` is always an array, `[]` when empty (never null). */
export function formatConsistencyResponse(nodes: readonly Uint8Array[]): string {
  return JSON.stringify({ consistency: nodes.map(encodeBase64) });
}

export function parseConsistencyResponse(body: string | Uint8Array): Buffer[] {
  const what = 'get-sth-consistency response';
  return bytesArrayField(parseJsonObject(body, what), 'consistency', what, HASH_SIZE);
}

export interface ProofByHash {
  readonly leafIndex: number;
  readonly auditPath: readonly Buffer[];
}

export function formatProofByHashResponse(p: ProofByHash): string {
  return JSON.stringify({ leaf_index: p.leafIndex, audit_path: p.auditPath.map(encodeBase64) });
}

export function parseProofByHashResponse(body: string | Uint8Array): ProofByHash {
  const what = 'get-proof-by-hash response';
  const o = parseJsonObject(body, what);
  return { leafIndex: uintField(o, 'leaf_index', what), auditPath: bytesArrayField(o, 'audit_path', what, HASH_SIZE) };
}

/** §1.5: `entries` is an array of base64 TLS TimestampedEntry strings (not CT-style objects). */
export function formatEntriesResponse(values: readonly Uint8Array[]): string {
  return JSON.stringify({ entries: values.map(encodeBase64) });
}

export function parseEntriesResponse(body: string | Uint8Array): Buffer[] {
  const what = 'get-entries response';
  return bytesArrayField(parseJsonObject(body, what), 'entries', what);
}

/** §1.6 `SourceKey`, plus `vkey` for sources configured with a signed-note key (ignored by Go clients). */
export interface SourceKeyInfo {
  readonly id: string;
  /** DER SubjectPublicKeyInfo. */
  readonly pubKey: Buffer;
  /** As sent; clients treat unknown kinds as UNKNOWN (§1.6). */
  readonly kind: string;
  readonly vkey?: string;
}

export function sourceKeyInfo(s: TrackedSource): SourceKeyInfo {
  return { id: s.id, pubKey: s.publicKey.spki, kind: s.kind satisfies SourceKind, ...(s.vkey !== undefined ? { vkey: s.vkey } : {}) };
}

export function formatSourceKeysResponse(keys: readonly SourceKeyInfo[]): string {
  return JSON.stringify({
    entries: keys.map((k) => ({
      id: k.id,
      pub_key: encodeBase64(k.pubKey),
      kind: k.kind,
      ...(k.vkey !== undefined ? { vkey: k.vkey } : {}),
    })),
  });
}

export function parseSourceKeysResponse(body: string | Uint8Array): SourceKeyInfo[] {
  const what = 'get-source-keys response';
  return arrayField(parseJsonObject(body, what), 'entries', what).map((item, i) => {
    const w = `${what}: entries[${i}]`;
    if (typeof item !== 'object' || item === null || Array.isArray(item)) throw new CodecError('BAD_FIELD', `${w}: want an object`);
    const o = item as JsonObject;
    const vkey = o.vkey;
    if (vkey !== undefined && typeof vkey !== 'string') throw new CodecError('BAD_FIELD', `${w}: field "vkey": want a string`);
    return {
      id: stringField(o, 'id', w),
      pubKey: bytesField(o, 'pub_key', w),
      kind: stringField(o, 'kind', w),
      ...(vkey !== undefined ? { vkey } : {}),
    };
  });
}

export function formatLatestResponse(entry: Uint8Array): string {
  return JSON.stringify({ entry: encodeBase64(entry) });
}

export function parseLatestResponse(body: string | Uint8Array): Buffer {
  const what = 'get-latest-for-src response';
  return bytesField(parseJsonObject(body, what), 'entry', what);
}
