/**
 * An RFC 6962 §4 client that checks what it receives: STH signatures
 * against the log's key (which the caller supplies — taking it from the log
 * being checked would make the check circular), consistency and inclusion
 * proofs against verified STHs, SCT signatures over the submitted entry,
 * and full audits (every entry downloaded, the root recomputed).
 *
 * Speaks the wire format only, so it works against any RFC 6962 log. Any
 * failure is a CtClientError whose code says what failed.
 */
import {
  bytesArrayField,
  type CtTimestampedEntry,
  encodeBase64,
  encodeSctSignatureInput,
  formatGetSth,
  type LogEntry,
  type ProofByHash,
  parseAddChainResponse,
  parseGetEntries,
  parseGetEntryAndProof,
  parseGetProofByHash,
  parseGetSth,
  parseGetSthConsistency,
  parseJsonObject,
  type SignedCertificateTimestamp,
  type SignedTreeHead,
} from '../codec/index.ts';
import { type PublicKey, rfc6962LogId, verifyDigitallySigned, verifySth } from '../crypto/index.ts';
import { GrapevineError } from '../errors.ts';
import { CompactRange, hashLeaf, verifyConsistency, verifyInclusion } from '../merkle/index.ts';
import { CT_PATH_PREFIX } from './paths.ts';

export type CtClientErrorCode =
  | 'HTTP' // an unexpected status, or the log could not be reached
  | 'BAD_RESPONSE' // a body that does not parse as RFC 6962 §4 says
  | 'BAD_SIGNATURE' // an STH or SCT whose signature does not verify with the log key
  | 'BAD_PROOF' // an inclusion or consistency proof that does not verify
  | 'MISMATCH'; // an answer that contradicts an earlier one (smaller tree, wrong root, missing entries)

export class CtClientError extends GrapevineError<CtClientErrorCode> {
  /** HTTP status for code HTTP (0 when the log could not be reached). */
  readonly status: number;
  constructor(code: CtClientErrorCode, message: string, options?: { cause?: unknown; status?: number }) {
    super(code, message, options);
    this.status = options?.status ?? 0;
  }
}

export interface CtClientOptions {
  /** The log URL: everything before /ct/v1 (a trailing /ct/v1 is accepted too). */
  readonly url: string;
  /** The log's public key; null checks nothing signed (proofs still verify against the STHs received). */
  readonly logKey: PublicKey | null;
  readonly fetch?: typeof fetch;
  /** Per-request time limit, ms (default 30 s). */
  readonly timeoutMs?: number;
}

export interface AuditProgress {
  readonly fetched: number;
  readonly total: number;
}

export interface AuditResult {
  readonly sth: SignedTreeHead;
  readonly entries: number;
  readonly x509Entries: number;
  readonly precertEntries: number;
  readonly rootHash: Buffer;
}

export class CtClient {
  readonly url: string;
  readonly logKey: PublicKey | null;
  readonly #fetch: typeof fetch;
  readonly #timeoutMs: number;

  constructor(opts: CtClientOptions) {
    this.url = opts.url.replace(/\/+$/, '').replace(/\/ct\/v1$/, '');
    this.logKey = opts.logKey;
    this.#fetch = opts.fetch ?? fetch;
    this.#timeoutMs = opts.timeoutMs ?? 30_000;
  }

  async #call(path: string, init?: RequestInit): Promise<Buffer> {
    const url = `${this.url}${CT_PATH_PREFIX}/${path}`;
    let res: Response;
    try {
      res = await this.#fetch(url, { ...init, signal: AbortSignal.timeout(this.#timeoutMs) });
    } catch (err) {
      throw new CtClientError('HTTP', `${url}: ${(err as Error).message}`, { cause: err });
    }
    const body = Buffer.from(await res.arrayBuffer());
    if (res.status !== 200) {
      throw new CtClientError('HTTP', `${url}: HTTP ${res.status}: ${body.toString('utf8').slice(0, 300)}`, { status: res.status });
    }
    return body;
  }

  #parse<T>(what: string, f: () => T): T {
    try {
      return f();
    } catch (err) {
      throw new CtClientError('BAD_RESPONSE', `${what}: ${(err as Error).message}`, { cause: err });
    }
  }

  /** §4.3, with the signature checked when a key was given (§3.5). */
  async getSth(): Promise<SignedTreeHead> {
    const body = await this.#call('get-sth');
    const sth = this.#parse('get-sth', () => parseGetSth(body));
    this.verifySth(sth);
    return sth;
  }

  /** Checks an STH from elsewhere (e.g. saved earlier) against the log key; no-op without a key. */
  verifySth(sth: SignedTreeHead): void {
    if (!this.logKey) return;
    try {
      verifySth(sth, this.logKey);
    } catch (err) {
      throw new CtClientError('BAD_SIGNATURE', `STH of size ${sth.treeSize}: ${(err as Error).message}`, { cause: err });
    }
  }

  /** §4.4, raw. */
  async getSthConsistency(first: number, second: number): Promise<Buffer[]> {
    const body = await this.#call(`get-sth-consistency?first=${first}&second=${second}`);
    return this.#parse('get-sth-consistency', () => parseGetSthConsistency(body));
  }

  /** Fetches and checks the proof that `older` is a prefix of `newer` (RFC 6962 §2.1.2). */
  async verifyConsistency(older: SignedTreeHead, newer: SignedTreeHead): Promise<Buffer[]> {
    if (newer.treeSize < older.treeSize) {
      throw new CtClientError('MISMATCH', `the newer STH has size ${newer.treeSize}, smaller than the older ${older.treeSize}`);
    }
    if (older.treeSize === 0) return [];
    const proof = await this.getSthConsistency(older.treeSize, newer.treeSize);
    try {
      verifyConsistency(older.treeSize, newer.treeSize, proof, older.sha256RootHash, newer.sha256RootHash);
    } catch (err) {
      throw new CtClientError('BAD_PROOF', `consistency ${older.treeSize} → ${newer.treeSize}: ${(err as Error).message}`, { cause: err });
    }
    return proof;
  }

  /** §4.5, raw. */
  async getProofByHash(leafHash: Uint8Array, treeSize: number): Promise<ProofByHash> {
    const body = await this.#call(`get-proof-by-hash?hash=${encodeURIComponent(encodeBase64(leafHash))}&tree_size=${treeSize}`);
    return this.#parse('get-proof-by-hash', () => parseGetProofByHash(body));
  }

  /** Fetches and checks the inclusion of `leafHash` in `sth` (RFC 6962 §2.1.1). Returns the leaf index. */
  async verifyInclusion(leafHash: Uint8Array, sth: SignedTreeHead): Promise<number> {
    const p = await this.getProofByHash(leafHash, sth.treeSize);
    try {
      verifyInclusion(p.leafIndex, sth.treeSize, leafHash, p.auditPath, sth.sha256RootHash);
    } catch (err) {
      throw new CtClientError('BAD_PROOF', `inclusion of ${Buffer.from(leafHash).toString('hex')}: ${(err as Error).message}`, {
        cause: err,
      });
    }
    return p.leafIndex;
  }

  /** §4.6, start and end inclusive; the log may answer fewer. */
  async getEntries(start: number, end: number): Promise<LogEntry[]> {
    const body = await this.#call(`get-entries?start=${start}&end=${end}`);
    return this.#parse('get-entries', () => parseGetEntries(body));
  }

  /** §4.7. */
  async getRoots(): Promise<Buffer[]> {
    const body = await this.#call('get-roots');
    return this.#parse('get-roots', () => bytesArrayField(parseJsonObject(body, 'get-roots'), 'certificates', 'get-roots'));
  }

  /** §4.8, raw. */
  async getEntryAndProof(leafIndex: number, treeSize: number) {
    const body = await this.#call(`get-entry-and-proof?leaf_index=${leafIndex}&tree_size=${treeSize}`);
    return this.#parse('get-entry-and-proof', () => parseGetEntryAndProof(body));
  }

  /**
   * §4.1 / §4.2. With a key, checks the SCT: its log ID and its signature over
   * `expected` (the entry the submitter computes; its timestamp is taken
   * from the SCT) — the caller must build `expected` from the chain.
   */
  async addChain(chain: readonly Uint8Array[], precert: boolean): Promise<SignedCertificateTimestamp> {
    const body = await this.#call(precert ? 'add-pre-chain' : 'add-chain', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ chain: chain.map(encodeBase64) }),
    });
    return this.#parse('add-chain', () => parseAddChainResponse(body));
  }

  /** Checks an SCT against the log key for the entry it claims to cover (RFC 6962 §3.2). */
  verifySct(sct: SignedCertificateTimestamp, entry: Omit<CtTimestampedEntry, 'timestamp'>): void {
    if (!this.logKey) return;
    if (!sct.logId.equals(rfc6962LogId(this.logKey))) throw new CtClientError('BAD_SIGNATURE', 'SCT log id is not SHA-256 of the log key');
    try {
      verifyDigitallySigned(
        this.logKey,
        encodeSctSignatureInput({ ...entry, timestamp: sct.timestamp, extensions: sct.extensions }),
        sct.signature,
      );
    } catch (err) {
      throw new CtClientError('BAD_SIGNATURE', `SCT: ${(err as Error).message}`, { cause: err });
    }
  }

  /**
   * Downloads every entry of the tree of `sth` (default: a fresh, verified
   * STH) with get-entries, in pages of at most `pageSize`, and recomputes the
   * root (RFC 6962 §2.1). MISMATCH when the log returns too few entries or
   * the recomputed root differs.
   */
  async audit(opts: { sth?: SignedTreeHead; pageSize?: number; onProgress?: (p: AuditProgress) => void } = {}): Promise<AuditResult> {
    const sth = opts.sth ?? (await this.getSth());
    const page = opts.pageSize ?? 1000;
    const range = CompactRange.empty();
    let x509 = 0;
    let precert = 0;
    while (range.size < sth.treeSize) {
      const start = range.size;
      const entries = await this.getEntries(start, Math.min(sth.treeSize, start + page) - 1);
      if (entries.length === 0) throw new CtClientError('MISMATCH', `get-entries returned nothing at ${start} of ${sth.treeSize}`);
      for (const e of entries.slice(0, sth.treeSize - start)) {
        range.append(hashLeaf(e.leafInput));
        if (e.leaf.signedEntry.entryType === 'x509_entry') x509++;
        else precert++;
      }
      opts.onProgress?.({ fetched: range.size, total: sth.treeSize });
    }
    const rootHash = range.root();
    if (!rootHash.equals(sth.sha256RootHash)) {
      throw new CtClientError(
        'MISMATCH',
        `the ${sth.treeSize} entries hash to root ${rootHash.toString('base64')}, the STH says ${sth.sha256RootHash.toString('base64')}`,
      );
    }
    return { sth, entries: sth.treeSize, x509Entries: x509, precertEntries: precert, rootHash };
  }
}

/** The get-sth JSON of an STH (to save it for a later consistency check). */
export function sthJson(sth: SignedTreeHead): string {
  return formatGetSth(sth);
}
