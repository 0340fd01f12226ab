/**
 * The CT log personality: RFC 6962 §4 operations over a log-core Log. Each
 * method is the `processX` of one endpoint — typed input in, typed output
 * out, no HTTP — so http.ts stays a thin adapter and tests need no socket.
 *
 * Quotas (trillian-personalities.md "Traffic Control", one model with the
 * hub: src/log/request-quotas.ts): every read request costs the client IP a
 * token, a get-entries page one per entry; every submission is charged to
 * the client IP before any parsing. New entries only are also charged to
 * their issuing CAs (`ca:<sha256 hex>`, issuerQuotaUsers): the entry's
 * identity is looked up first, so replaying a public, already-logged
 * certificate spends only the replayer's own bucket (issue 9 #1: charged
 * before dedup, four replays used to exhaust the buckets of the
 * certificate's issuer and root and block every CA under that root).
 *
 * Key sharing: SCTs and STHs are signed with the tree key, which also signs
 * the core's LogRoots. Their inputs start with Version v1 = 0x00 (RFC 6962
 * §3.2, §3.5); a LogRoot message starts with "grapevine log root v1\n"
 * (0x67), so no byte string is valid as both.
 *
 * Concurrency: methods may interleave freely. Mutable state: the STH cache
 * (`#sth`), replaced only by a head of a higher revision. Whether new
 * submissions are accepted is the tree's merge watchdog's (src/log).
 */

import type { Logger } from 'pino';
import type { CtTimestampedEntry, ProofByHash, SignedCertificateTimestamp, SignedTreeHead } from '../../codec/index.ts';
import { decodeMerkleTreeLeaf } from '../../codec/index.ts';
import { type PublicKey, rfc6962LogId, type Signer, signSth } from '../../crypto/index.ts';
import { leafInput, signSct, timestampedEntry } from '../../ct/entry.ts';
import { isError, SetupError } from '../../errors.ts';
import { type ClientInfo, type Log, LogError, type MergeWatchdog, type RequestQuotas, StorageError } from '../../log/index.ts';
import type { ParsedCertificate } from '../../x509/index.ts';
import { type AdmissionPolicy, admitChain, type SubmissionKind } from './admission.ts';
import { CtError } from './errors.ts';
import type { CtMetrics } from './metrics.ts';
import type { RootStore } from './roots.ts';

export interface CtLogOptions {
  readonly log: Log;
  /** The tree's key: signs SCTs and STHs (ECDSA P-256 or RSA; RFC 6962 §2.1.4). */
  readonly signer: Signer;
  readonly roots: RootStore;
  readonly admission: Omit<AdmissionPolicy, 'roots'>;
  readonly clock?: () => number;
  /**
   * Quotas (src/log/request-quotas.ts, the hub's model too): a read token per
   * request and per entry of a get-entries page, a write token per
   * submission of the client IP, and one per new entry of each issuing
   * certificate (`ca:<sha256 hex>`, see issuerQuotaUsers). When issuers are
   * limited, each submission's identity is looked up in storage first (one
   * indexed read), so replays spend only the replayer's quota.
   */
  readonly quotas?: RequestQuotas;
  /** Most entries one get-entries answers. Default 1000. */
  readonly maxGetEntries?: number;
  readonly metrics?: CtMetrics;
  /**
   * The tree's merge watchdog (src/log/watchdog.ts): while it refuses (the
   * sequencer stopped on a fatal error, or the merge backlog is over MMD/2)
   * new submissions get 503 UNAVAILABLE, rather than SCTs that might not be
   * honoured. Without one, submissions are never refused for it.
   */
  readonly watchdog?: MergeWatchdog;
  readonly logger?: Logger;
}

/** One get-entries / get-entry-and-proof entry: leaf_input and extra_data. */
export interface CtEntry {
  readonly leafInput: Buffer;
  readonly extraData: Buffer;
}

const EMPTY = Buffer.alloc(0);

/** A leaf this log stored; one that does not decode is damage (StorageError CORRUPT → 500), not the client's fault. */
function storedEntry(value: Buffer): CtTimestampedEntry {
  try {
    return decodeMerkleTreeLeaf(value);
  } catch (err) {
    throw new StorageError('CORRUPT', `a stored CT leaf does not decode: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * The per-issuer quota users a new entry is charged to: each CA certificate
 * of its verified path (leaf first, accepted root last) below the accepted
 * root, and the root only when it issued the leaf itself. Not the root of a
 * longer path: every CA under a root would share one bucket, so one busy or
 * misbehaving CA (or anyone submitting its old certificates, which are new
 * to this log) would block the others.
 */
export function issuerQuotaUsers(path: readonly ParsedCertificate[]): string[] {
  const issuers = path.length <= 2 ? path.slice(1) : path.slice(1, -1);
  return issuers.map((c) => `ca:${c.fingerprint.toString('hex')}`);
}

/** Maximum merge delay (RFC 6962 §3: every SCT's entry is in an STH within it). RFC 6962 leaves it to the log; 10 s keeps tests and demos quick (production logs use 24 h). */
export const DEFAULT_MMD_MS = 10_000;

export class CtLog {
  readonly logId: Buffer;
  readonly roots: RootStore;
  readonly #o: CtLogOptions;
  readonly #clock: () => number;
  readonly #policy: AdmissionPolicy;
  #sth: { revision: number; sth: SignedTreeHead } | null = null;

  constructor(opts: CtLogOptions) {
    const t = opts.signer.publicKey.type;
    if (t !== 'ecdsa-p256' && t !== 'rsa') {
      throw new SetupError('BAD_CONFIG', `RFC 6962 §2.1.4 logs sign with ECDSA P-256 or RSA, got a ${t} key`);
    }
    this.#o = opts;
    this.#clock = opts.clock ?? Date.now;
    this.roots = opts.roots;
    this.#policy = { ...opts.admission, roots: opts.roots };
    // §3.2: "LogID … is the SHA-256 hash of the log's public key … SubjectPublicKeyInfo".
    this.logId = rfc6962LogId(opts.signer.publicKey);
  }

  /** The tree key's public half (it signs SCTs, STHs and LogRoots). */
  get publicKey(): PublicKey {
    return this.#o.signer.publicKey;
  }

  get log(): Log {
    return this.#o.log;
  }

  /**
   * §4.1 add-chain / §4.2 add-pre-chain. Returns the SCT; for a chain whose
   * leaf is already logged (same identity hash), an SCT with the original
   * timestamp over the entry as first logged (its chain is not replaced).
   */
  async processAddChain(kind: SubmissionKind, chain: readonly Uint8Array[], client: ClientInfo): Promise<SignedCertificateTimestamp> {
    const m = this.#o.metrics;
    const tree = this.#o.log.tree;
    try {
      // Charged before parsing: the costly part of a submission is the X.509 work.
      this.#o.quotas?.chargeWrite(client.quotaUser);
      const now = this.#clock();
      const admitted = admitChain(kind, chain, this.#policy, now);
      const refusal = await this.#o.watchdog?.refusal();
      if (refusal) throw new CtError('UNAVAILABLE', refusal.message);
      const quotas = this.#o.quotas;
      if (quotas?.limitsSubmitters) {
        // Identity before the issuers' quota: only new entries spend it. Two new submissions of one certificate
        // racing here are both charged, which errs against the CA, never against others.
        const stored = await this.#o.log.getLeafByIdentityHash(admitted.identityHash);
        if (stored) {
          m?.submissions.inc({ log: tree.name, entry_type: kind, duplicate: 'true' });
          return signSct(this.#o.signer, this.logId, storedEntry(stored.value));
        }
        quotas.chargeSubmitters(issuerQuotaUsers(admitted.chain));
      }
      const entry = timestampedEntry(admitted.signedEntry, now);
      const { leaf, duplicate } = await this.#o.log.queueLeaf({
        value: leafInput(entry),
        identityHash: admitted.identityHash,
        extraData: admitted.extraData,
        queuedAt: now,
      });
      // A duplicate is answered from the stored leaf, so the SCT matches what the log holds.
      const logged: CtTimestampedEntry = duplicate ? storedEntry(leaf.value) : entry;
      m?.submissions.inc({ log: tree.name, entry_type: kind, duplicate: String(duplicate) });
      return signSct(this.#o.signer, this.logId, logged);
    } catch (err) {
      if (isError(err, CtError)) m?.rejections.inc({ log: tree.name, entry_type: kind, code: err.code });
      throw err;
    }
  }

  /** §4.3 get-sth: the latest head, signed once per head revision (same head, same bytes). */
  async processGetSth(client: ClientInfo): Promise<SignedTreeHead> {
    this.#o.quotas?.chargeRead(client.quotaUser);
    const head = await this.#o.log.latestHead();
    const cached = this.#sth;
    if (cached && cached.revision === head.revision) return cached.sth;
    // §3.5: the STH timestamp is the head's, which the sequencer keeps ≥ every merged SCT's.
    const sth = signSth(this.#o.signer, { timestamp: head.timestamp, treeSize: head.size, sha256RootHash: head.rootHash });
    this.#o.metrics?.sthSigned.inc({ log: this.#o.log.tree.name });
    if (!this.#sth || head.revision > this.#sth.revision) this.#sth = { revision: head.revision, sth };
    return sth;
  }

  /** §4.4 get-sth-consistency; requires first ≤ second ≤ the current tree size; empty for first = 0 (as CTFE). */
  async processGetSthConsistency(first: number, second: number, client: ClientInfo): Promise<Buffer[]> {
    this.#o.quotas?.chargeRead(client.quotaUser);
    if (first === 0) {
      await this.#checkTreeSize(second, 'second');
      return [];
    }
    return this.#o.log.getConsistencyProof(first, second);
  }

  /** §4.5 get-proof-by-hash; CtError NOT_FOUND when no leaf with that hash lies in the tree of `treeSize`. */
  async processGetProofByHash(hash: Buffer, treeSize: number, client: ClientInfo): Promise<ProofByHash> {
    this.#o.quotas?.chargeRead(client.quotaUser);
    try {
      const { index, proof } = await this.#o.log.getInclusionProofByHash(hash, treeSize);
      return { leafIndex: index, auditPath: proof };
    } catch (err) {
      if (isError(err, LogError, 'LEAF_NOT_FOUND')) {
        throw new CtError('NOT_FOUND', `no entry with leaf hash ${hash.toString('base64')} in the tree of size ${treeSize}`, {
          cause: err,
        });
      }
      throw err;
    }
  }

  /**
   * §4.6 get-entries, start and end inclusive. "Logs MAY honor requests where
   * 0 <= start < tree_size and end >= tree_size by returning a partial
   * response" — we do, and also cap one answer at maxGetEntries and at what
   * the client's read quota can pay (one token per entry). start ≥ the
   * current tree size is BAD_REQUEST.
   */
  async processGetEntries(start: number, end: number, client: ClientInfo): Promise<CtEntry[]> {
    const size = (await this.#o.log.latestHead()).size;
    const stop = Math.min(
      end + 1,
      size,
      start + (this.#o.maxGetEntries ?? 1000),
      start + (this.#o.quotas?.maxPage ?? Number.POSITIVE_INFINITY),
    );
    this.#o.quotas?.chargeRead(client.quotaUser, Math.max(1, stop - start));
    // start ≥ size is LogError BAD_REQUEST from the core.
    const leaves = await this.#o.log.getLeaves(start, Math.max(start, stop));
    this.#o.metrics?.entriesServed.inc({ log: this.#o.log.tree.name }, leaves.length);
    return leaves.map((l) => ({ leafInput: l.value, extraData: l.extraData ?? EMPTY }));
  }

  /** §4.7 get-roots: the accepted roots, DER. */
  processGetRoots(client: ClientInfo): Buffer[] {
    this.#o.quotas?.chargeRead(client.quotaUser);
    return this.roots.certificates.map((c) => c.der);
  }

  /** §4.8 get-entry-and-proof; requires leaf_index < tree_size ≤ the current tree size. */
  async processGetEntryAndProof(leafIndex: number, treeSize: number, client: ClientInfo): Promise<CtEntry & { auditPath: Buffer[] }> {
    this.#o.quotas?.chargeRead(client.quotaUser);
    // The proof first: it checks tree_size ≤ the current size (LogError BAD_REQUEST otherwise).
    const auditPath = await this.#o.log.getInclusionProof(leafIndex, treeSize);
    const [leaf] = await this.#o.log.getLeaves(leafIndex, leafIndex + 1);
    if (!leaf) throw new CtError('BAD_REQUEST', `leaf ${leafIndex} is not in the tree`);
    return { leafInput: leaf.value, extraData: leaf.extraData ?? EMPTY, auditPath };
  }

  async #checkTreeSize(size: number, name: string): Promise<void> {
    const head = await this.#o.log.latestHead();
    if (size > head.size) throw new CtError('BAD_REQUEST', `${name} ${size} is beyond the current tree size ${head.size}`);
  }
}
