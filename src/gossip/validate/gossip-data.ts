/**
 * Validation of `gossip-data` (draft-linus-trans-gossip-00 §5.1): "Peers MUST
 * validate every gossip message … by checking gossip-data against the rules
 * of the log named by log-id. A message with an unknown log id, or whose
 * signature does not verify, MUST be silently discarded." The draft leaves
 * the data opaque ("it MUST include a signature made by the log named by
 * log-id"); Grapevine knows four kinds, told apart by their first byte and
 * their fields:
 *
 * | kind          | gossip-data                                                            | signature checked                          |
 * |---------------|------------------------------------------------------------------------|--------------------------------------------|
 * | rfc6962-sth   | an RFC 6962 §4.3 get-sth JSON object (optionally `sth_version`, `log_id`) | §3.5 TreeHeadSignature with the log key    |
 * | checkpoint    | a c2sp.org/tlog-checkpoint signed note                                 | the log's note keys, any type incl. 0x05   |
 * | sct           | a draft-ietf-trans-gossip `sct_feedback` object: `x509_chain`, `sct_data_v1` | §3.2 SCT signature over the chain's entry (x509, precert, or §3.3 embedded) |
 * | evidence      | a src/evidence document (docs/evidence.md), `"format": "grapevine-evidence"` | every signature, under our key of the log |
 *
 * Freshness (draft-ietf-trans-gossip-05 §… "fresh iff < 14 days"): a head
 * whose own timestamp is older than `maxAgeMs`, or further than `maxFutureMs`
 * ahead, is discarded as stale or future. Checkpoints without an RFC 6962
 * signature carry no log timestamp and are not aged. Evidence is never stale.
 *
 * The verdict is a value, not an exception: a discard carries its reason (a
 * closed set, the metrics label) and a one-line detail for debug logs.
 *
 * Pure: no I/O; the time comes in `ctx.nowMs`.
 */
import { createHash } from 'node:crypto';
import { CheckpointError, openCheckpoint } from '../../checkpoint/index.ts';
import {
  CodecError,
  decodeBase64,
  decodeSct,
  decodeSctList,
  encodeSctSignatureInput,
  type SignedEntry,
  type SignedTreeHead,
  sthFromJson,
} from '../../codec/index.ts';
import { SignatureError, verifyDigitallySigned, verifySth } from '../../crypto/index.ts';
import { EVIDENCE_FORMAT } from '../../evidence/index.ts';
import { NoteError } from '../../note/index.ts';
import {
  certificatesFromPem,
  embeddedSctTbs,
  hasPoison,
  isPrecertSigningCert,
  OID_CT_SCT_LIST,
  parseCertificate,
  precertTbs,
  X509Error,
} from '../../x509/index.ts';
import { validateEvidence } from './evidence.ts';
import type { KnownLog, LogRegistry } from './known-logs.ts';
import type { DiscardReason, GossipDataKind, Validation } from './validation.ts';

export type { DiscardReason, GossipDataKind, ValidatedGossip, ValidatedHead, Validation } from './validation.ts';
export { DISCARD_REASONS } from './validation.ts';

export interface ValidationContext {
  readonly logs: LogRegistry;
  /** Now, ms since the epoch. */
  readonly nowMs: number;
  /** Heads older than this are stale. draft-ietf-trans-gossip: 14 days. */
  readonly maxAgeMs: number;
  /** Heads and SCTs timestamped further ahead than this are from the future (clock skew allowance). */
  readonly maxFutureMs: number;
}

/** draft-ietf-trans-gossip-05 §… : "fresh iff its timestamp is less than 14 days in the past". */
export const FRESHNESS_WINDOW_MS = 14 * 24 * 3600 * 1000;
/** Most certificates in an SCT's chain; a bound on the work one message costs. */
export const MAX_CHAIN = 10;
/** Most SCTs of the named log in one sct_feedback object; each costs a verification. */
export const MAX_SCTS = 8;

const discard = (reason: DiscardReason, detail: string): Validation => ({ ok: false, reason, detail });

/** Sniffs the kind: JSON objects by their fields, anything else as a signed note. */
function kindOf(
  data: Buffer,
): { kind: GossipDataKind; json: Record<string, unknown> | null } | { reason: 'malformed' | 'unknown-kind'; error: string } {
  if (data[0] !== 0x7b) return { kind: 'checkpoint', json: null };
  let json: unknown;
  try {
    json = JSON.parse(data.toString('utf8'));
  } catch (err) {
    return { reason: 'malformed', error: `gossip-data starts with "{" but is not JSON: ${(err as Error).message}` };
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    return { reason: 'malformed', error: 'gossip-data JSON is not an object' };
  const o = json as Record<string, unknown>;
  if ('tree_head_signature' in o) return { kind: 'rfc6962-sth', json: o };
  if ('x509_chain' in o) return { kind: 'sct', json: o };
  if (o.format === EVIDENCE_FORMAT) return { kind: 'evidence', json: o };
  return {
    reason: 'unknown-kind',
    error: `gossip-data JSON with fields ${Object.keys(o).slice(0, 6).join(', ')} is no kind this service knows`,
  };
}

function age(ts: number, ctx: ValidationContext, what: string): Validation | null {
  if (ts < ctx.nowMs - ctx.maxAgeMs) return discard('stale', `${what} timestamp ${ts} is more than ${ctx.maxAgeMs} ms before ${ctx.nowMs}`);
  if (ts > ctx.nowMs + ctx.maxFutureMs)
    return discard('future', `${what} timestamp ${ts} is more than ${ctx.maxFutureMs} ms after ${ctx.nowMs}`);
  return null;
}

function validateSth(log: KnownLog, json: Record<string, unknown>, data: Buffer, ctx: ValidationContext): Validation {
  if (!log.key) return discard('wrong-log', `log ${log.name} has no RFC 6962 key, got an STH`);
  let sth: SignedTreeHead;
  try {
    sth = sthFromJson(json, 'gossiped STH');
  } catch (err) {
    return discard('malformed', (err as Error).message);
  }
  try {
    verifySth(sth, log.key);
  } catch (err) {
    if (err instanceof SignatureError) {
      return discard(err.code === 'LOG_ID_MISMATCH' ? 'wrong-log' : 'bad-signature', err.message);
    }
    throw err;
  }
  const old = age(sth.timestamp, ctx, 'STH');
  if (old) return old;
  return {
    ok: true,
    value: {
      kind: 'rfc6962-sth',
      log,
      data,
      head: { size: sth.treeSize, rootHash: Buffer.from(sth.sha256RootHash), timestampMs: sth.timestamp },
      sth,
    },
  };
}

function validateCheckpoint(log: KnownLog, data: Buffer, ctx: ValidationContext): Validation {
  if (log.noteVerifiers.size === 0) return discard('wrong-log', `log ${log.name} has no checkpoint keys, got a signed note`);
  let opened: ReturnType<typeof openCheckpoint>;
  try {
    opened = openCheckpoint(data, { log: log.noteVerifiers });
  } catch (err) {
    if (err instanceof NoteError && (err.code === 'BAD_SIGNATURE' || err.code === 'NO_VERIFIED_SIGNATURE')) {
      return discard('bad-signature', err.message);
    }
    if (err instanceof NoteError || err instanceof CheckpointError) return discard('malformed', err.message);
    throw err;
  }
  const cp = opened.checkpoint;
  if (log.origin !== null && cp.origin !== log.origin) {
    return discard('wrong-log', `checkpoint origin ${JSON.stringify(cp.origin)}, want ${JSON.stringify(log.origin)}`);
  }
  const ts = opened.logSignatures.find((s) => s.timestampMs !== undefined)?.timestampMs ?? null;
  if (ts !== null) {
    const old = age(ts, ctx, 'checkpoint');
    if (old) return old;
  }
  return {
    ok: true,
    value: { kind: 'checkpoint', log, data, head: { size: cp.size, rootHash: Buffer.from(cp.rootHash), timestampMs: ts }, sth: null },
  };
}

/** The DER certificates of `x509_chain`: PEM (the draft's form) or base64 DER (add-chain's form). */
function chainOf(json: Record<string, unknown>): Buffer[] | string {
  const chain = json.x509_chain;
  if (!Array.isArray(chain) || chain.length === 0 || chain.length > MAX_CHAIN) return `x509_chain: want 1..${MAX_CHAIN} certificates`;
  const out: Buffer[] = [];
  for (const c of chain) {
    if (typeof c !== 'string') return 'x509_chain: want strings';
    const der = c.startsWith('-----BEGIN') ? certificatesFromPem(c) : [decodeBase64(c)];
    if (der.length !== 1) return 'x509_chain: one certificate per element';
    out.push(der[0]);
  }
  return out;
}

/**
 * The RFC 6962 §3.2 signed_entries an SCT over this chain may cover: a
 * precert_entry when the leaf carries the poison (issuer = the next
 * certificate, or the one after a Precertificate Signing Certificate);
 * otherwise the leaf's x509_entry (an SCT delivered by TLS or OCSP), and,
 * when the leaf embeds an SCT list and its issuer is given, the
 * precert_entry of §3.3 (the TBS without the SCT list extension).
 */
function signedEntriesOf(chain: readonly Buffer[]): SignedEntry[] {
  const leaf = parseCertificate(chain[0]);
  if (!hasPoison(leaf)) {
    const entries: SignedEntry[] = [{ entryType: 'x509_entry', certificate: chain[0] }];
    if (chain.length >= 2 && leaf.extensions.some((e) => e.oid === OID_CT_SCT_LIST)) {
      entries.push({
        entryType: 'precert_entry',
        issuerKeyHash: sha256(parseCertificate(chain[1]).spki),
        tbsCertificate: embeddedSctTbs(leaf),
      });
    }
    return entries;
  }
  if (chain.length < 2) throw new X509Error('MALFORMED', 'a precertificate needs its issuer in x509_chain');
  const issuer = parseCertificate(chain[1]);
  if (isPrecertSigningCert(issuer)) {
    if (chain.length < 3) throw new X509Error('MALFORMED', 'a precertificate signing certificate needs its issuer in x509_chain');
    const finalIssuer = parseCertificate(chain[2]);
    return [{ entryType: 'precert_entry', issuerKeyHash: sha256(finalIssuer.spki), tbsCertificate: precertTbs(leaf, issuer) }];
  }
  return [{ entryType: 'precert_entry', issuerKeyHash: sha256(issuer.spki), tbsCertificate: precertTbs(leaf) }];
}

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest();

function validateSct(log: KnownLog, json: Record<string, unknown>, data: Buffer, ctx: ValidationContext): Validation {
  if (!log.key) return discard('wrong-log', `log ${log.name} has no RFC 6962 key, got SCTs`);
  const logIdBytes = Buffer.from(log.id, 'hex');
  let mine: ReturnType<typeof decodeSct>[];
  let entries: SignedEntry[];
  try {
    const chain = chainOf(json);
    if (typeof chain === 'string') return discard('malformed', chain);
    if (typeof json.sct_data_v1 !== 'string') return discard('malformed', 'sct_data_v1: want base64 of a SignedCertificateTimestampList');
    mine = decodeSctList(decodeBase64(json.sct_data_v1))
      .map((s) => decodeSct(s))
      .filter((s) => s.logId.equals(logIdBytes));
    if (mine.length === 0) return discard('wrong-log', `no SCT in sct_data_v1 is by log ${log.id}`);
    if (mine.length > MAX_SCTS) return discard('malformed', `got ${mine.length} SCTs by one log, want at most ${MAX_SCTS}`);
    entries = signedEntriesOf(chain);
  } catch (err) {
    if (err instanceof CodecError || err instanceof X509Error) return discard('malformed', err.message);
    throw err;
  }
  const key = log.key;
  const verifies = (sct: (typeof mine)[number], signedEntry: SignedEntry) => {
    try {
      verifyDigitallySigned(
        key,
        encodeSctSignatureInput({ timestamp: sct.timestamp, signedEntry, extensions: sct.extensions }),
        sct.signature,
      );
      return true;
    } catch (err) {
      if (err instanceof SignatureError) return false;
      throw err;
    }
  };
  for (const sct of mine) {
    if (!entries.some((e) => verifies(sct, e))) {
      return discard(
        'bad-signature',
        `SCT of ${sct.timestamp} verifies over none of the chain's ${entries.map((e) => e.entryType).join(', ')}`,
      );
    }
    if (sct.timestamp > ctx.nowMs + ctx.maxFutureMs) return discard('future', `SCT timestamp ${sct.timestamp} is in the future`);
  }
  return { ok: true, value: { kind: 'sct', log, data, head: null, sth: null } };
}

/**
 * Validates one message's gossip-data against the log its `log-id` names.
 * `logId` must be 64 lowercase hex digits (the wire layer checked it).
 */
export function validateGossipData(logId: string, data: Buffer, ctx: ValidationContext): Validation {
  const log = ctx.logs.get(logId);
  if (!log) return discard('unknown-log', `no known log has id ${logId}`);
  const k = kindOf(data);
  if ('error' in k) return discard(k.reason, k.error);
  switch (k.kind) {
    case 'rfc6962-sth':
      return validateSth(log, k.json as Record<string, unknown>, data, ctx);
    case 'checkpoint':
      return validateCheckpoint(log, data, ctx);
    case 'sct':
      return validateSct(log, k.json as Record<string, unknown>, data, ctx);
    case 'evidence':
      return validateEvidence(log, data);
  }
}
