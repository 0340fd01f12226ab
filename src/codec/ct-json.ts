/**
 * RFC 6962 §4 JSON API bodies: get-sth (§4.3), get-sth-consistency (§4.4),
 * get-proof-by-hash (§4.5), get-entries (§4.6), get-entry-and-proof (§4.8)
 * and the add-chain / add-pre-chain SCT response (§4.1).
 *
 * Parsers are strict (see json.ts): every binary field is decoded and checked
 * here — TLS structures completely (no trailing bytes), hashes for their exact
 * 32 bytes (RFC 6962 §2.1 fixes SHA-256) — so callers receive typed values or
 * a CodecError, never a half-checked body. Base64 fields are all decoded
 * before any TLS structure is parsed, so a body that is bad in both ways
 * reports BAD_BASE64.
 */
import { CT_V1, type DigitallySigned, decodeDigitallySigned, encodeDigitallySigned, SHA256_SIZE, type TreeHead } from './ct.ts';
import { type CtTimestampedEntry, decodeMerkleTreeLeaf } from './ct-leaf.ts';
import { decodeSct, encodeSct, type SignedCertificateTimestamp } from './ct-sct.ts';
import { encodeBase64 } from './encoding.ts';
import { CodecError } from './errors.ts';
import { arrayField, asObject, bytesArrayField, bytesField, type JsonObject, parseJsonObject, uintField } from './json.ts';

/** A signed tree head as served by get-sth (§4.3). */
export interface SignedTreeHead extends TreeHead {
  /** TLS DigitallySigned over the TreeHeadSignature (§3.5); already decoded strictly. */
  readonly treeHeadSignature: DigitallySigned;
  /**
   * Only on gossiped STHs (certificate-transparency-go `SignedTreeHead` JSON,
   * draft-ietf-trans-gossip sth-pollination): `sth_version` (must be v1 = 0)
   * and `log_id` (32 bytes). Absent in a log's own get-sth answer.
   */
  readonly sthVersion?: number;
  readonly logId?: Buffer;
}

/** Reads an STH from an already-parsed JSON value (one element of an sth-pollination body, for instance). */
export function sthFromJson(value: unknown, what = 'get-sth'): SignedTreeHead {
  const o = asObject(value, what);
  const treeSize = uintField(o, 'tree_size', what);
  const timestamp = uintField(o, 'timestamp', what);
  // Both base64 fields are decoded before either is checked further, so that
  // (as with Go's encoding/json) a body bad in several ways reports BAD_BASE64.
  const sha256RootHash = bytesField(o, 'sha256_root_hash', what);
  const sigBytes = bytesField(o, 'tree_head_signature', what);
  checkSize(sha256RootHash, SHA256_SIZE, `${what}: field "sha256_root_hash"`);
  const sth: { -readonly [K in keyof SignedTreeHead]: SignedTreeHead[K] } = {
    treeSize,
    timestamp,
    sha256RootHash,
    treeHeadSignature: inField(`${what}: field "tree_head_signature"`, () => decodeDigitallySigned(sigBytes)),
  };
  if (Object.hasOwn(o, 'sth_version')) {
    sth.sthVersion = uintField(o, 'sth_version', what);
    if (sth.sthVersion !== CT_V1) {
      throw new CodecError('BAD_VALUE', `${what}: got sth_version ${sth.sthVersion}, want v1 (0)`);
    }
  }
  if (Object.hasOwn(o, 'log_id')) sth.logId = bytesField(o, 'log_id', what, SHA256_SIZE);
  return sth;
}

/** The JSON object of an STH, fields in the order RFC 6962 §4.3 lists them (plus sth_version/log_id when set). */
export function sthToJson(sth: SignedTreeHead): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  if (sth.sthVersion !== undefined) o.sth_version = sth.sthVersion;
  o.tree_size = sth.treeSize;
  o.timestamp = sth.timestamp;
  o.sha256_root_hash = encodeBase64(sth.sha256RootHash);
  o.tree_head_signature = encodeBase64(encodeDigitallySigned(sth.treeHeadSignature));
  if (sth.logId !== undefined) o.log_id = encodeBase64(sth.logId);
  return o;
}

/** RFC 6962 §4.3 get-sth response body. */
export function parseGetSth(body: string | Uint8Array): SignedTreeHead {
  return sthFromJson(parseJsonObject(body, 'get-sth'));
}

export function formatGetSth(sth: SignedTreeHead): string {
  return JSON.stringify(sthToJson(sth));
}

/** RFC 6962 §4.4 get-sth-consistency: `{ "consistency": [base64 node, …] }`, each node 32 bytes. */
export function parseGetSthConsistency(body: string | Uint8Array): Buffer[] {
  const what = 'get-sth-consistency';
  return bytesArrayField(parseJsonObject(body, what), 'consistency', what, SHA256_SIZE);
}

export function formatGetSthConsistency(consistency: readonly Uint8Array[]): string {
  return JSON.stringify({ consistency: consistency.map(encodeBase64) });
}

export interface ProofByHash {
  readonly leafIndex: number;
  readonly auditPath: Buffer[];
}

/** RFC 6962 §4.5 get-proof-by-hash: `{ "leaf_index": n, "audit_path": [base64 node, …] }`. */
export function parseGetProofByHash(body: string | Uint8Array): ProofByHash {
  const what = 'get-proof-by-hash';
  const o = parseJsonObject(body, what);
  const leafIndex = uintField(o, 'leaf_index', what);
  const auditPath = bytesArrayField(o, 'audit_path', what, SHA256_SIZE);
  return { leafIndex, auditPath };
}

export function formatGetProofByHash(p: ProofByHash): string {
  return JSON.stringify({ leaf_index: p.leafIndex, audit_path: p.auditPath.map(encodeBase64) });
}

/** One get-entries element. `leafInput` is kept verbatim: the leaf hash is SHA-256(0x00 || leafInput). */
export interface LogEntry {
  readonly leafInput: Buffer;
  /** The decoded MerkleTreeLeaf (§3.4). */
  readonly leaf: CtTimestampedEntry;
  /**
   * Raw `extra_data`; decode with decodeX509ExtraData or decodePrecertExtraData
   * according to `leaf.signedEntry.entryType`. Not decoded here because logs and
   * test fixtures put arbitrary bytes in it and the leaf hash does not cover it.
   */
  readonly extraData: Buffer;
}

function entryFromJson(o: JsonObject, what: string): { leafInput: Buffer; extraData: Buffer } {
  return { leafInput: bytesField(o, 'leaf_input', what), extraData: bytesField(o, 'extra_data', what) };
}

function decodeLeaf(leafInput: Buffer, what: string): CtTimestampedEntry {
  return inField(`${what}: field "leaf_input"`, () => decodeMerkleTreeLeaf(leafInput));
}

/** Runs a TLS decode of one field, prefixing any CodecError with where the field is (same code, original as cause). */
function inField<T>(label: string, decode: () => T): T {
  try {
    return decode();
  } catch (err) {
    if (!(err instanceof CodecError)) throw err;
    throw new CodecError(err.code, `${label}: ${err.message}`, { cause: err });
  }
}

/** RFC 6962 §4.6 get-entries: `{ "entries": [ { "leaf_input", "extra_data" }, … ] }`; every leaf must decode completely. */
export function parseGetEntries(body: string | Uint8Array): LogEntry[] {
  const o = parseJsonObject(body, 'get-entries');
  const items = bytesObjects(o, 'entries', 'get-entries').map((e, i) => entryFromJson(e, `get-entries: entries[${i}]`));
  return items.map((e, i) => ({ ...e, leaf: decodeLeaf(e.leafInput, `get-entries: entries[${i}]`) }));
}

export function formatGetEntries(entries: readonly { leafInput: Uint8Array; extraData: Uint8Array }[]): string {
  return JSON.stringify({
    entries: entries.map((e) => ({ leaf_input: encodeBase64(e.leafInput), extra_data: encodeBase64(e.extraData) })),
  });
}

export interface EntryAndProof extends LogEntry {
  readonly auditPath: Buffer[];
}

/** RFC 6962 §4.8 get-entry-and-proof: `{ "leaf_input", "extra_data", "audit_path" }`. */
export function parseGetEntryAndProof(body: string | Uint8Array): EntryAndProof {
  const what = 'get-entry-and-proof';
  const o = parseJsonObject(body, what);
  const { leafInput, extraData } = entryFromJson(o, what);
  const auditPath = bytesArrayField(o, 'audit_path', what, SHA256_SIZE);
  return { leafInput, extraData, auditPath, leaf: decodeLeaf(leafInput, what) };
}

export function formatGetEntryAndProof(e: { leafInput: Uint8Array; extraData: Uint8Array; auditPath: readonly Uint8Array[] }): string {
  return JSON.stringify({
    leaf_input: encodeBase64(e.leafInput),
    extra_data: encodeBase64(e.extraData),
    audit_path: e.auditPath.map(encodeBase64),
  });
}

/**
 * RFC 6962 §4.1 add-chain / add-pre-chain response:
 * `{ "sct_version", "id", "timestamp", "extensions", "signature" }` with `id`
 * base64 of the 32-byte LogID, `extensions` base64 CtExtensions and
 * `signature` base64 of the TLS DigitallySigned.
 */
export function parseAddChainResponse(body: string | Uint8Array): SignedCertificateTimestamp {
  const what = 'add-chain';
  const o = parseJsonObject(body, what);
  const version = uintField(o, 'sct_version', what);
  if (version !== CT_V1) throw new CodecError('BAD_VALUE', `${what}: got sct_version ${version}, want v1 (0)`);
  const logId = bytesField(o, 'id', what, SHA256_SIZE);
  const timestamp = uintField(o, 'timestamp', what);
  const extensions = bytesField(o, 'extensions', what);
  const sigBytes = bytesField(o, 'signature', what);
  const signature = inField(`${what}: field "signature"`, () => decodeDigitallySigned(sigBytes));
  // Round-trip through the binary form so the same bounds apply as to a TLS-encoded SCT.
  return decodeSct(encodeSct({ logId, timestamp, extensions, signature }));
}

export function formatAddChainResponse(sct: SignedCertificateTimestamp): string {
  return JSON.stringify({
    sct_version: CT_V1,
    id: encodeBase64(sct.logId),
    timestamp: sct.timestamp,
    extensions: encodeBase64(sct.extensions),
    signature: encodeBase64(encodeDigitallySigned(sct.signature)),
  });
}

function bytesObjects(o: JsonObject, name: string, what: string): JsonObject[] {
  return arrayField(o, name, what).map((item, i) => asObject(item, `${what}: ${name}[${i}]`));
}

function checkSize(b: Buffer, size: number, label: string): void {
  if (b.length !== size) throw new CodecError('LENGTH_OUT_OF_BOUNDS', `${label}: got ${b.length} bytes, want ${size}`);
}
