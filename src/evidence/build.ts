/**
 * Building evidence documents from what an observer holds: the signed bytes
 * it received, the keys it verified them with, the proofs it fetched. Used by
 * the collector and auditor (src/monitor), the gossip service and the
 * witness.
 *
 * Every document is checked before it is returned: against the schema, and
 * by verifyEvidence itself with the inline key. A proof-class document that
 * would not verify is refused (EvidenceError BAD_INPUT), so no caller can
 * raise a *proof* incident that a third party would reject; callers that
 * want a suspicion instead build one explicitly.
 *
 * Pure: times come in as ms parameters.
 */
import type { ObservedHead } from '../audit/index.ts';
import {
  bytesField,
  encodeBase64,
  encodeDigitallySigned,
  parseGetSth,
  parseJsonObject,
  type SignedCertificateTimestamp,
  type SignedEntry,
  type SignedTreeHead,
  sthToJson,
} from '../codec/index.ts';
import { EvidenceError } from './errors.ts';
import { foldLeafHashes, prefixRootFromInclusion, rootsFromConsistencyProof } from './recompute.ts';
import {
  type Attempt,
  type Derivation,
  EVIDENCE_FORMAT,
  EVIDENCE_KINDS,
  EVIDENCE_VERSION,
  type EvidenceDocument,
  type EvidenceLog,
  evidenceSchema,
  type Observation,
  type SignedHead,
  type SignedPromise,
} from './schema.ts';
import { verifyEvidence } from './verify.ts';

/** Who observed something, where, when (ms since the epoch). */
export interface Observed {
  readonly by: string;
  readonly from?: string;
  readonly atMs: number;
}

const iso = (ms: number) => new Date(ms).toISOString();
const b64 = encodeBase64;
const utf8 = new TextDecoder('utf-8', { fatal: true });

export function observation(o: Observed): Observation {
  return { by: o.by, ...(o.from !== undefined ? { from: o.from } : {}), at: iso(o.atMs) };
}

// ---- logs ----

interface LogLabels {
  readonly name?: string;
  readonly url?: string;
  readonly mmdMs?: number;
}

const labels = (l: LogLabels) => ({
  ...(l.name !== undefined ? { name: l.name } : {}),
  ...(l.url !== undefined ? { url: l.url } : {}),
  ...(l.mmdMs !== undefined ? { mmdMs: l.mmdMs } : {}),
});

/** A CT log, key inline. `spki` must be the canonical DER (PublicKey.spki); `logId` its SHA-256. `origin` for static-ct-api checkpoints. */
export function rfc6962Log(o: LogLabels & { readonly spki: Uint8Array; readonly logId: string; readonly origin?: string }): EvidenceLog {
  return {
    id: o.logId,
    type: 'rfc6962',
    ...labels(o),
    ...(o.origin !== undefined ? { origin: o.origin } : {}),
    key: { spki: b64(o.spki) },
  };
}

/** A Gossip Hub, key inline. */
export function hubLog(o: LogLabels & { readonly spki: Uint8Array; readonly logId: string }): EvidenceLog {
  return { id: o.logId, type: 'hub', ...labels(o), key: { spki: b64(o.spki) } };
}

/** A checkpoint log, vkey inline; `logId` is logIdOfOrigin(origin). */
export function checkpointLog(o: LogLabels & { readonly origin: string; readonly vkey: string; readonly logId: string }): EvidenceLog {
  return { id: o.logId, type: 'checkpoint', ...labels(o), origin: o.origin, key: { vkey: o.vkey } };
}

// ---- heads and promises ----

export function sthHead(sth: SignedTreeHead, seen: Observed): SignedHead {
  const j = sthToJson(sth) as Extract<SignedHead, { format: 'rfc6962-sth' }>['sth'];
  return { format: 'rfc6962-sth', sth: j, observed: observation(seen) };
}

export function checkpointHead(note: string | Uint8Array, seen: Observed): SignedHead {
  return { format: 'checkpoint', note: typeof note === 'string' ? note : utf8.decode(note), observed: observation(seen) };
}

export function hubSthHead(headData: Uint8Array, hubSignature: Uint8Array, seen: Observed): SignedHead {
  return { format: 'hub-sth', sth: { head_data: b64(headData), hub_signature: b64(hubSignature) }, observed: observation(seen) };
}

/** A source head read from a hub entry (the TLS TimestampedEntry bytes). */
export function hubEntryHead(value: Uint8Array, seen: Observed, hub?: { url?: string; id?: string; index?: number }): SignedHead {
  return { format: 'hub-entry', entry: b64(value), ...(hub !== undefined ? { hub } : {}), observed: observation(seen) };
}

/**
 * The head an audit/ObservedHead carries (its `signed` bytes are the get-sth
 * JSON, the note text, or the hub get-sth JSON), observed as it says.
 * Throws CodecError when the bytes are not what the format says.
 */
export function headFromObserved(o: ObservedHead): SignedHead {
  const seen = { by: o.observer, atMs: o.observedAtMs };
  const text = utf8.decode(o.signed);
  switch (o.format) {
    case 'checkpoint':
      return checkpointHead(text, seen);
    case 'rfc6962-sth':
      return sthHead(parseGetSth(text), seen);
    case 'hub-sth': {
      const s = parseJsonObject(text, 'hub get-sth');
      return hubSthHead(bytesField(s, 'head_data', 'hub get-sth'), bytesField(s, 'hub_signature', 'hub get-sth'), seen);
    }
  }
}

export function sctPromise(
  sct: SignedCertificateTimestamp,
  entry: SignedEntry,
  seen: Observed,
  chain?: readonly Uint8Array[],
): SignedPromise {
  return {
    format: 'sct',
    sct: {
      sct_version: 0,
      id: b64(sct.logId),
      timestamp: sct.timestamp,
      extensions: b64(sct.extensions),
      signature: b64(encodeDigitallySigned(sct.signature)),
    },
    entry:
      entry.entryType === 'x509_entry'
        ? { type: 'x509_entry', certificate: b64(entry.certificate) }
        : { type: 'precert_entry', issuer_key_hash: b64(entry.issuerKeyHash), tbs_certificate: b64(entry.tbsCertificate) },
    ...(chain !== undefined ? { chain: chain.map(b64) } : {}),
    observed: observation(seen),
  };
}

export function sgtPromise(timestampedEntry: Uint8Array, hubSignature: Uint8Array, seen: Observed): SignedPromise {
  return {
    format: 'sgt',
    sgt: { timestamped_entry: b64(timestampedEntry), hub_signature: b64(hubSignature) },
    observed: observation(seen),
  };
}

export function attempt(request: string, atMs: number, outcome: string, by?: string): Attempt {
  return {
    request: request.slice(0, 2048),
    at: iso(atMs),
    outcome: outcome.slice(0, 1024) || 'failed',
    ...(by !== undefined ? { by } : {}),
  };
}

// ---- recomputed roots ----

/**
 * From a consistency proof the log served between sizes m < n that does not
 * verify against the signed m-root: the root it does compute at m, when it
 * computes the signed n-root. Null when the proof shows nothing (wrong shape,
 * another n-root, or m a power of two: then use derivationFromInclusion).
 */
export function derivationFromConsistencyProof(m: number, n: number, proof: readonly Uint8Array[], rootN: Uint8Array): Derivation | null {
  const r = rootsFromConsistencyProof(m, n, proof);
  if (r === null || !r.root2.equals(rootN)) return null;
  return { method: 'consistency-proof', recomputedRoot: b64(r.root1), proof: proof.map(b64) };
}

/** From the inclusion proof of leaf m - 1 in the tree of size n (verified by the caller against the signed n-root). */
export function derivationFromInclusion(m: number, n: number, leafHash: Uint8Array, path: readonly Uint8Array[]): Derivation | null {
  const h = prefixRootFromInclusion(m - 1, n, leafHash, path);
  if (h === null) return null;
  return { method: 'inclusion-proof', recomputedRoot: b64(h), leafIndex: m - 1, leafHash: b64(leafHash), path: path.map(b64) };
}

/** From every leaf hash of the tree of size n. */
export function derivationFromLeaves(m: number, leafHashes: readonly Uint8Array[]): Derivation {
  return { method: 'leaf-hashes', recomputedRoot: b64(foldLeafHashes(leafHashes.slice(0, m)).root()), leafHashes: leafHashes.map(b64) };
}

// ---- documents ----

interface DocBase {
  readonly log: EvidenceLog;
  /** Who writes the document (createdBy). */
  readonly by: string;
  /** When, ms since the epoch (createdAt). */
  readonly atMs: number;
}

type Body = Omit<EvidenceDocument, 'format' | 'version' | 'summary' | 'createdAt' | 'createdBy' | 'log' | 'class'>;

/** Fills in the common fields, checks the schema and verifies the document; the summary is the verifier's own line. */
function finish(base: DocBase, body: Body): EvidenceDocument {
  const draft = {
    format: EVIDENCE_FORMAT,
    version: EVIDENCE_VERSION,
    class: EVIDENCE_KINDS[body.kind],
    summary: '-',
    createdAt: iso(base.atMs),
    createdBy: base.by,
    log: base.log,
    ...body,
  };
  const parsed = evidenceSchema.safeParse(draft);
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    throw new EvidenceError('BAD_INPUT', `${body.kind} evidence: ${i.path.join('.')}: ${i.message}`, { cause: parsed.error });
  }
  const verdict = verifyEvidence(parsed.data);
  if (verdict.class === 'proof' && !verdict.proves)
    throw new EvidenceError('BAD_INPUT', `${body.kind} evidence does not verify: ${verdict.line}`);
  if (verdict.line.startsWith('NOT PROVEN')) throw new EvidenceError('BAD_INPUT', `${body.kind} evidence does not check: ${verdict.line}`);
  // The summary is what the verifier says, without the key note it adds for the reader of a file.
  return {
    ...parsed.data,
    summary: verdict.line.replace(/ \((key given with --key|key [0-9a-f]+… from the document itself, not pinned with --key)\)$/, ''),
  };
}

/** Two heads of one size with different roots. */
export function forkEvidence(b: DocBase & { readonly heads: readonly [SignedHead, SignedHead] }): EvidenceDocument {
  return finish(b, { kind: 'fork', heads: [b.heads[0], b.heads[1]] } as Body);
}

/** `older` (size m) is not a prefix of `newer` (size n > m), as `consistency` shows. */
export function inconsistentEvidence(
  b: DocBase & { readonly older: SignedHead; readonly newer: SignedHead; readonly consistency: Derivation },
): EvidenceDocument {
  return finish(b, { kind: 'inconsistent', heads: [b.older, b.newer], consistency: b.consistency } as Body);
}

/** A signed head of size 0 whose root is not the empty-tree hash. */
export function emptyRootEvidence(b: DocBase & { readonly head: SignedHead }): EvidenceDocument {
  return finish(b, { kind: 'empty-root', heads: [b.head] } as Body);
}

/** `later` is signed after `earlier` and is smaller. */
export function rollbackEvidence(b: DocBase & { readonly earlier: SignedHead; readonly later: SignedHead }): EvidenceDocument {
  return finish(b, { kind: 'rollback', heads: [b.earlier, b.later] } as Body);
}

/**
 * `last`, signed after the promise's deadline, lacks the promised leaf:
 * `leafHashes` are its leaves after `before` (a head signed before the
 * promise, with the compact range of its tree), or all its leaves.
 */
export function brokenPromiseEvidence(
  b: DocBase & {
    readonly promise: SignedPromise;
    readonly last: SignedHead;
    readonly leafHashes: readonly Uint8Array[];
    readonly before?: { readonly head: SignedHead; readonly rangeHashes: readonly Uint8Array[] };
  },
): EvidenceDocument {
  const heads = b.before !== undefined ? [b.before.head, b.last] : [b.last];
  const absence = {
    ...(b.before !== undefined ? { before: { rangeHashes: b.before.rangeHashes.map(b64) } } : {}),
    leafHashes: b.leafHashes.map(b64),
  };
  return finish(b, { kind: 'broken-promise', promise: b.promise, heads, absence } as Body);
}

export function proofRefusedEvidence(
  b: DocBase & { readonly older: SignedHead; readonly newer: SignedHead; readonly attempts: readonly Attempt[] },
): EvidenceDocument {
  return finish(b, { kind: 'proof-refused', heads: [b.older, b.newer], attempts: [...b.attempts] } as Body);
}

export function unresponsiveEvidence(b: DocBase & { readonly last?: SignedHead; readonly attempts: readonly Attempt[] }): EvidenceDocument {
  return finish(b, { kind: 'unresponsive', heads: b.last !== undefined ? [b.last] : [], attempts: [...b.attempts] } as Body);
}

export function promiseUnconfirmedEvidence(
  b: DocBase & { readonly promise: SignedPromise; readonly last?: SignedHead; readonly attempts: readonly Attempt[] },
): EvidenceDocument {
  return finish(b, {
    kind: 'promise-unconfirmed',
    promise: b.promise,
    heads: b.last !== undefined ? [b.last] : [],
    attempts: [...b.attempts],
  } as Body);
}

export function regressionEvidence(b: DocBase & { readonly earlier: SignedHead; readonly later: SignedHead }): EvidenceDocument {
  return finish(b, { kind: 'regression', heads: [b.earlier, b.later] } as Body);
}
