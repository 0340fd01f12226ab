/**
 * Opening the signed material of an evidence document: each head and promise
 * is decoded from its original encoding and its signature verified under the
 * log key, giving the few facts the verdict rests on (size, root, signed
 * time, promised leaf hash).
 *
 * A part that does not decode is EvidenceError MALFORMED; a signature that
 * does not verify is Unproven (the document is well formed but shows
 * nothing). Rules per encoding:
 * - rfc6962-sth: RFC 6962 §3.5 TreeHeadSignature under the log key
 *   (crypto/sth.ts; a `log_id` field must be the key's).
 * - checkpoint: c2sp.org/signed-note + c2sp.org/tlog-checkpoint, origin
 *   pinned to log.origin; for a CT log the static-ct-api RFC 6962 note
 *   signature (type 0x05), whose timestamp is signed.
 * - hub-sth: specs/gossip-hub.md §2.3/§2.5, the raw hub signature over
 *   head_data; head_data that also parses as a TimestampedEntry is refused,
 *   since it may be an SGT passed off as a head (ARCHITECTURE.md, "Hub
 *   domain separation").
 * - hub-entry: §2.1, the source's signature over the blob (§3.2): an RFC 6962
 *   TreeHeadSignature, a checkpoint note text, or another hub's HubTreeHead.
 * - sct: RFC 6962 §3.2 over the signed_entry given, the leaf hash of its
 *   §3.4 MerkleTreeLeaf; sgt: §2.4 over exactly the TimestampedEntry, which
 *   must not parse as a HubTreeHead.
 *
 * Pure.
 */
import { openCheckpoint, parseCheckpoint } from '../checkpoint/index.ts';
import {
  CodecError,
  decodeBase64,
  decodeHubTimestampedEntry,
  decodeHubTreeHead,
  decodeTreeHeadSignature,
  encodeMerkleTreeLeaf,
  encodeSctSignatureInput,
  parseAddChainResponse,
  type SignedEntry,
  sthFromJson,
  TREE_HEAD_SIGNATURE_SIZE,
} from '../codec/index.ts';
import { type PublicKey, verifyDigitallySigned, verifySignature, verifySth } from '../crypto/index.ts';
import { GrapevineError } from '../errors.ts';
import { parsesAsEntry, parsesAsTreeHead } from '../hub/index.ts';
import { msToNs } from '../hub/time.ts';
import { HASH_SIZE, hashLeaf } from '../merkle/index.ts';
import { EvidenceError } from './errors.ts';
import type { LogKey } from './keys.ts';
import type { EvidenceLog, SignedHead, SignedPromise } from './schema.ts';
import { Unproven } from './unproven.ts';

/**
 * What a verified head says. Times here are ns, the finest unit a signed head or promise carries (the hub's
 * wire), so a promise's deadline compares with a head without rounding; ms values come in through msToNs.
 */
export interface OpenedHead {
  readonly size: number;
  readonly root: Buffer;
  /** The signed timestamp in ns since the epoch; null when the encoding signs none (a plain checkpoint). */
  readonly timeNs: bigint | null;
}

/** What a verified promise says. */
export interface OpenedPromise {
  /** RFC 6962 §2.1 leaf hash of the promised entry. */
  readonly leafHash: Buffer;
  /** The promise's timestamp in ns since the epoch. */
  readonly timeNs: bigint;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function malformed(what: string, err: unknown): EvidenceError {
  return new EvidenceError('MALFORMED', `evidence: ${what}: ${(err as Error).message}`, { cause: err });
}

/** Runs a decoder; any GrapevineError from it means the part is malformed. */
function decode<T>(what: string, f: () => T): T {
  try {
    return f();
  } catch (err) {
    if (err instanceof GrapevineError) throw malformed(what, err);
    throw err;
  }
}

const b64 = (what: string, s: string) => decode(what, () => decodeBase64(s));

function needKey(key: LogKey, what: string): PublicKey {
  if (key.publicKey === null) throw new EvidenceError('MALFORMED', `evidence: ${what}: this encoding needs an SPKI log key`);
  return key.publicKey;
}

function wrongLog(what: string, format: string, log: EvidenceLog): EvidenceError {
  return new EvidenceError('MALFORMED', `evidence: ${what}: got a ${format} for a ${log.type} log`);
}

/** Verifies one head of `log` under `key`. `what` names it in messages, e.g. "heads[1]". */
export function openHead(head: SignedHead, log: EvidenceLog, key: LogKey, what: string): OpenedHead {
  switch (head.format) {
    case 'rfc6962-sth': {
      if (log.type !== 'rfc6962') throw wrongLog(what, head.format, log);
      const sth = decode(what, () => sthFromJson(head.sth, what));
      try {
        verifySth(sth, needKey(key, what));
      } catch (err) {
        if (err instanceof EvidenceError) throw err;
        throw new Unproven(`${what}: the STH of size ${sth.treeSize} does not verify under the log key: ${(err as Error).message}`);
      }
      return { size: sth.treeSize, root: sth.sha256RootHash, timeNs: msToNs(sth.timestamp) };
    }
    case 'checkpoint':
      return openCheckpointHead(head.note, log, key, what);
    case 'hub-sth': {
      if (log.type !== 'hub') throw wrongLog(what, head.format, log);
      const data = b64(`${what}.sth.head_data`, head.sth.head_data);
      const sig = b64(`${what}.sth.hub_signature`, head.sth.hub_signature);
      const th = decode(`${what}.sth.head_data`, () => decodeHubTreeHead(data));
      if (th.rootHash.length !== HASH_SIZE)
        throw malformed(what, new Error(`got a ${th.rootHash.length}-byte root hash, want ${HASH_SIZE}`));
      if (!verifySignature(needKey(key, what), data, sig)) throw new Unproven(`${what}: the hub signature does not verify over head_data`);
      if (parsesAsEntry(data)) throw new Unproven(`${what}: head_data also parses as a TimestampedEntry, so its signature may be an SGT`);
      return { size: th.treeSize, root: th.rootHash, timeNs: th.timestamp };
    }
    case 'hub-entry':
      return openHubEntryHead(b64(`${what}.entry`, head.entry), log, key, what);
  }
}

function openCheckpointHead(note: string, log: EvidenceLog, key: LogKey, what: string): OpenedHead {
  if (log.type === 'hub') throw wrongLog(what, 'checkpoint', log);
  if (log.origin === undefined) throw new EvidenceError('MALFORMED', `evidence: ${what}: a checkpoint head needs log.origin`);
  let cp: ReturnType<typeof openCheckpoint>;
  try {
    cp = openCheckpoint(note, { log: key.noteVerifiers, origin: log.origin });
  } catch (err) {
    const code = (err as GrapevineError).code;
    if (code === 'BAD_SIGNATURE' || code === 'NO_VERIFIED_SIGNATURE' || code === 'MISSING_LOG_SIGNATURE' || code === 'AMBIGUOUS_KEY') {
      throw new Unproven(`${what}: the checkpoint is not signed by the log key: ${(err as Error).message}`);
    }
    if (err instanceof GrapevineError) throw malformed(what, err);
    throw err;
  }
  // c2sp.org/tlog-checkpoint: "the root hash … MUST be 32 bytes" for SHA-256 logs (testdata Finding 8).
  const ms = cp.logSignatures.find((s) => s.timestampMs !== undefined)?.timestampMs;
  return { size: cp.checkpoint.size, root: cp.checkpoint.rootHash, timeNs: ms === undefined ? null : msToNs(ms) };
}

function openHubEntryHead(value: Buffer, log: EvidenceLog, key: LogKey, what: string): OpenedHead {
  const e = decode(`${what}.entry`, () => decodeHubTimestampedEntry(value));
  const blob = e.blobData;
  const sig = e.sourceSignature;
  switch (log.type) {
    case 'rfc6962': {
      // §3.3 RFC6962STH: the blob is the 50-byte TreeHeadSignature and the signature the raw one inside the STH's DigitallySigned.
      if (blob.length !== TREE_HEAD_SIGNATURE_SIZE)
        throw malformed(what, new Error(`got a ${blob.length}-byte blob, want a ${TREE_HEAD_SIGNATURE_SIZE}-byte TreeHeadSignature`));
      const th = decode(`${what}.entry blob`, () => decodeTreeHeadSignature(blob));
      if (!verifySignature(needKey(key, what), blob, sig))
        throw new Unproven(`${what}: the source signature does not verify under the log key`);
      return { size: th.treeSize, root: th.sha256RootHash, timeNs: msToNs(th.timestamp) };
    }
    case 'checkpoint': {
      // §3.3 CHECKPOINT/GONOTARY: the blob is the note text and the signature a note signature without its key ID.
      const text = decode(`${what}.entry blob`, () => {
        try {
          return utf8.decode(blob);
        } catch (err) {
          throw new CodecError('BAD_VALUE', 'the blob is not UTF-8', { cause: err });
        }
      });
      if (!key.noteVerifiers.some((v) => v.verify(blob, sig) !== null))
        throw new Unproven(`${what}: the source signature does not verify under the log key`);
      const cp = decode(`${what}.entry blob`, () => parseCheckpoint(text, log.origin === undefined ? {} : { origin: log.origin }));
      return { size: cp.size, root: cp.rootHash, timeNs: null };
    }
    case 'hub': {
      // §3.3 GOSSIPHUB: another hub's HubTreeHead under its raw signature.
      const th = decode(`${what}.entry blob`, () => decodeHubTreeHead(blob));
      if (th.rootHash.length !== HASH_SIZE)
        throw malformed(what, new Error(`got a ${th.rootHash.length}-byte root hash, want ${HASH_SIZE}`));
      if (!verifySignature(needKey(key, what), blob, sig))
        throw new Unproven(`${what}: the source signature does not verify under the hub key`);
      if (parsesAsEntry(blob)) throw new Unproven(`${what}: the head also parses as a TimestampedEntry, so its signature may be an SGT`);
      return { size: th.treeSize, root: th.rootHash, timeNs: th.timestamp };
    }
  }
}

function signedEntryOf(p: Extract<SignedPromise, { format: 'sct' }>): SignedEntry {
  const e = p.entry;
  if (e.type === 'x509_entry') return { entryType: 'x509_entry', certificate: b64('promise.entry.certificate', e.certificate) };
  return {
    entryType: 'precert_entry',
    issuerKeyHash: b64('promise.entry.issuer_key_hash', e.issuer_key_hash),
    tbsCertificate: b64('promise.entry.tbs_certificate', e.tbs_certificate),
  };
}

/** Verifies a promise of `log` under `key`. */
export function openPromise(p: SignedPromise, log: EvidenceLog, key: LogKey): OpenedPromise {
  const what = 'promise';
  if (p.format === 'sct') {
    if (log.type !== 'rfc6962') throw wrongLog(what, 'SCT', log);
    const sct = decode(`${what}.sct`, () => parseAddChainResponse(JSON.stringify(p.sct)));
    const signedEntry = signedEntryOf(p);
    const tbs = { timestamp: sct.timestamp, signedEntry, extensions: sct.extensions };
    const input = decode(`${what}.entry`, () => encodeSctSignatureInput(tbs));
    const leaf = decode(`${what}.entry`, () => encodeMerkleTreeLeaf(tbs));
    if (sct.logId.toString('hex') !== log.id)
      throw new Unproven(`${what}: the SCT names log ${sct.logId.toString('hex').slice(0, 16)}…, not this log`);
    try {
      verifyDigitallySigned(needKey(key, what), input, sct.signature);
    } catch (err) {
      if (err instanceof EvidenceError) throw err;
      throw new Unproven(`${what}: the SCT does not verify over the entry under the log key: ${(err as Error).message}`);
    }
    return { leafHash: hashLeaf(leaf), timeNs: msToNs(sct.timestamp) };
  }
  if (log.type !== 'hub') throw wrongLog(what, 'SGT', log);
  const value = b64(`${what}.sgt.timestamped_entry`, p.sgt.timestamped_entry);
  const sig = b64(`${what}.sgt.hub_signature`, p.sgt.hub_signature);
  const e = decode(`${what}.sgt.timestamped_entry`, () => decodeHubTimestampedEntry(value));
  if (!verifySignature(needKey(key, what), value, sig)) throw new Unproven(`${what}: the SGT's hub signature does not verify`);
  if (parsesAsTreeHead(value)) throw new Unproven(`${what}: the entry also parses as a HubTreeHead, so its signature may be a tree head's`);
  return { leafHash: hashLeaf(value), timeNs: e.hubTimestamp };
}
