/**
 * A Gossip Hub client that verifies everything it receives
 * (specs/gossip-hub.md §1, §5.4): tree heads and SGTs against the hub's key
 * (which the caller must supply: the API has no authenticated way to learn
 * it, and taking it from the hub being checked would make every check
 * circular), inclusion and consistency proofs against verified heads, and
 * entries' source signatures against the keys the hub lists.
 *
 * Works against Grapevine and against the original (same wire format). Any
 * failure is a HubClientError whose code says what failed.
 */
import { decodeHubTimestampedEntry, decodeHubTreeHead, type HubTimestampedEntry, type HubTreeHead } from '../codec/index.ts';
import { type PublicKey, verifySignature } from '../crypto/index.ts';
import { GrapevineError } from '../errors.ts';
import { hashLeaf, ProofError, verifyConsistency, verifyInclusion } from '../merkle/index.ts';
import { parsesAsEntry, parsesAsTreeHead } from './domain.ts';
import { makeSource } from './source.ts';
import {
  formatAddSignedBlobBody,
  HUB_PATH_PREFIX,
  HubEndpoint,
  type ProofByHash,
  parseAddSignedBlobResponse,
  parseConsistencyResponse,
  parseEntriesResponse,
  parseGetSthResponse,
  parseLatestResponse,
  parseProofByHashResponse,
  parseSourceKeysResponse,
  type SourceKeyInfo,
} from './wire.ts';

export type HubClientErrorCode =
  | 'HTTP' // the hub answered an unexpected status, or could not be reached
  | 'BAD_RESPONSE' // a body that does not parse
  | 'BAD_HUB_SIGNATURE' // a tree head or SGT whose hub signature does not verify (or that falls in the other's domain)
  | 'BAD_PROOF' // an inclusion or consistency proof that does not verify
  | 'MISMATCH'; // an answer about something other than what was asked (another source or blob, a smaller tree)

export class HubClientError extends GrapevineError<HubClientErrorCode> {
  /** HTTP status for code HTTP (0 when the hub could not be reached). */
  readonly status: number;
  constructor(code: HubClientErrorCode, message: string, options?: { cause?: unknown; status?: number }) {
    super(code, message, options);
    this.status = options?.status ?? 0;
  }
}

export interface HubClientOptions {
  /** Base URL including the prefix, e.g. https://hub.example/gamut. */
  readonly url: string;
  /** The hub's public key: every tree head and SGT must verify with it. */
  readonly hubKey: PublicKey;
  readonly fetch?: typeof fetch;
  /** Per-request time limit, ms (default 30 s). */
  readonly timeoutMs?: number;
}

export interface VerifiedSth {
  readonly head: HubTreeHead;
  readonly headData: Buffer;
  readonly hubSignature: Buffer;
}

export interface VerifiedEntry {
  /** The TLS TimestampedEntry as stored. */
  readonly value: Buffer;
  readonly entry: HubTimestampedEntry;
  /** RFC 6962 leaf hash of `value`. */
  readonly leafHash: Buffer;
}

export interface VerifiedSgt extends VerifiedEntry {
  readonly hubSignature: Buffer;
}

export class HubClient {
  readonly url: string;
  readonly hubKey: PublicKey;
  readonly #fetch: typeof fetch;
  readonly #timeoutMs: number;

  constructor(opts: HubClientOptions) {
    this.url = opts.url.replace(/\/+$/, '');
    this.hubKey = opts.hubKey;
    this.#fetch = opts.fetch ?? fetch;
    this.#timeoutMs = opts.timeoutMs ?? 30_000;
  }

  async #call(
    ep: string,
    init: { query?: Record<string, string | number>; body?: string } = {},
  ): Promise<{ status: number; body: Buffer }> {
    const u = new URL(`${this.url}${HUB_PATH_PREFIX}${ep}`);
    for (const [k, v] of Object.entries(init.query ?? {})) u.searchParams.set(k, String(v));
    let res: Response;
    try {
      res = await this.#fetch(u, {
        method: init.body === undefined ? 'GET' : 'POST',
        ...(init.body === undefined ? {} : { body: init.body, headers: { 'content-type': 'application/json' } }),
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (err) {
      throw new HubClientError('HTTP', `${ep}: cannot reach ${u.origin}: ${(err as Error).message}`, { cause: err });
    }
    const body = Buffer.from(await res.arrayBuffer());
    return { status: res.status, body };
  }

  async #ok(
    ep: string,
    init: { query?: Record<string, string | number>; body?: string } = {},
    also: number[] = [],
  ): Promise<{ status: number; body: Buffer }> {
    const r = await this.#call(ep, init);
    if (r.status !== 200 && !also.includes(r.status)) {
      const text = r.body.toString('utf8').slice(0, 300).replace(/\s+/g, ' ').trim();
      throw new HubClientError('HTTP', `${ep}: HTTP ${r.status}${text ? `: ${text}` : ''}`, { status: r.status });
    }
    return r;
  }

  #parse<T>(ep: string, f: () => T): T {
    try {
      return f();
    } catch (err) {
      throw new HubClientError('BAD_RESPONSE', `${ep}: ${(err as Error).message}`, { cause: err });
    }
  }

  /** Verifies a tree head: hub signature over exactly head_data (§2.5), a HubTreeHead, and not an entry. */
  verifySth(headData: Buffer, hubSignature: Buffer): VerifiedSth {
    if (!verifySignature(this.hubKey, headData, hubSignature))
      throw new HubClientError('BAD_HUB_SIGNATURE', 'get-sth: hub signature does not verify over head_data');
    // Domain separation, client side: bytes that are also a TimestampedEntry may be an SGT passed off as a head.
    if (parsesAsEntry(headData))
      throw new HubClientError('BAD_HUB_SIGNATURE', 'get-sth: head_data also parses as a TimestampedEntry; refusing it as a tree head');
    const head = this.#parse('get-sth', () => decodeHubTreeHead(headData));
    return { head, headData, hubSignature };
  }

  /** Verifies an SGT: hub signature over exactly the entry (§2.4), a TimestampedEntry, and not a tree head. */
  verifySgt(value: Buffer, hubSignature: Buffer): VerifiedSgt {
    if (!verifySignature(this.hubKey, value, hubSignature))
      throw new HubClientError('BAD_HUB_SIGNATURE', 'SGT: hub signature does not verify over timestamped_entry');
    if (parsesAsTreeHead(value)) throw new HubClientError('BAD_HUB_SIGNATURE', 'SGT: the entry also parses as a HubTreeHead; refusing it');
    const entry = this.#parse('SGT', () => decodeHubTimestampedEntry(value));
    return { value, entry, leafHash: hashLeaf(value), hubSignature };
  }

  async getSth(): Promise<VerifiedSth> {
    const r = await this.#ok(HubEndpoint.getSth);
    const s = this.#parse(HubEndpoint.getSth, () => parseGetSthResponse(r.body));
    return this.verifySth(s.data, s.hubSignature);
  }

  async getSourceKeys(): Promise<SourceKeyInfo[]> {
    const r = await this.#ok(HubEndpoint.getSourceKeys);
    return this.#parse(HubEndpoint.getSourceKeys, () => parseSourceKeysResponse(r.body));
  }

  /** §1.1; checks the hub signature and that the entry is for this source and blob (the signature may be an earlier one, §2.2). */
  async addSignedBlob(sourceId: string, blob: Buffer, signature: Buffer): Promise<VerifiedSgt> {
    const r = await this.#ok(HubEndpoint.addSignedBlob, {
      body: formatAddSignedBlobBody({ sourceId, blobData: blob, srcSignature: signature }),
    });
    const s = this.#parse(HubEndpoint.addSignedBlob, () => parseAddSignedBlobResponse(r.body));
    const sgt = this.verifySgt(s.data, s.hubSignature);
    if (sgt.entry.sourceId !== sourceId || !sgt.entry.blobData.equals(blob)) {
      throw new HubClientError('MISMATCH', 'add-signed-blob: the SGT is for another source or blob');
    }
    return sgt;
  }

  /** §1.5: raw entries [start, end] (possibly fewer), decoded; not yet proven. */
  async getEntries(start: number, end: number): Promise<VerifiedEntry[]> {
    const r = await this.#ok(HubEndpoint.getEntries, { query: { start, end } });
    const values = this.#parse(HubEndpoint.getEntries, () => parseEntriesResponse(r.body));
    if (values.length > end - start + 1)
      throw new HubClientError('MISMATCH', `get-entries: got ${values.length} entries for [${start}, ${end}]`);
    return values.map((value, i) => ({
      value,
      entry: this.#parse(`get-entries[${start + i}]`, () => decodeHubTimestampedEntry(value)),
      leafHash: hashLeaf(value),
    }));
  }

  async getProofByHash(leafHash: Buffer, treeSize: number): Promise<ProofByHash> {
    const r = await this.#ok(HubEndpoint.getProofByHash, { query: { hash: leafHash.toString('base64'), tree_size: treeSize } });
    return this.#parse(HubEndpoint.getProofByHash, () => parseProofByHashResponse(r.body));
  }

  /** Fetches and verifies (RFC 6962 §2.1.1) the inclusion of `leafHash` in a verified head. */
  async proveInclusion(leafHash: Buffer, sth: VerifiedSth): Promise<ProofByHash> {
    const p = await this.getProofByHash(leafHash, sth.head.treeSize);
    try {
      verifyInclusion(p.leafIndex, sth.head.treeSize, leafHash, p.auditPath, sth.head.rootHash);
    } catch (err) {
      if (err instanceof ProofError)
        throw new HubClientError('BAD_PROOF', `inclusion proof for ${leafHash.toString('hex')}: ${err.message}`, { cause: err });
      throw err;
    }
    return p;
  }

  async getConsistency(first: number, second: number): Promise<Buffer[]> {
    const r = await this.#ok(HubEndpoint.getSthConsistency, { query: { first, second } });
    return this.#parse(HubEndpoint.getSthConsistency, () => parseConsistencyResponse(r.body));
  }

  /** Fetches and verifies (RFC 6962 §2.1.2) that (oldSize, oldRoot) is a prefix of a verified head. */
  async proveConsistency(oldSize: number, oldRoot: Buffer, sth: VerifiedSth): Promise<Buffer[]> {
    if (oldSize > sth.head.treeSize)
      throw new HubClientError('MISMATCH', `old size ${oldSize} is beyond the hub's tree size ${sth.head.treeSize}`);
    const proof = await this.getConsistency(oldSize, sth.head.treeSize);
    if (oldSize === 0) return proof; // the empty tree is a prefix of every tree
    try {
      verifyConsistency(oldSize, sth.head.treeSize, proof, oldRoot, sth.head.rootHash);
    } catch (err) {
      if (err instanceof ProofError)
        throw new HubClientError('BAD_PROOF', `consistency ${oldSize} → ${sth.head.treeSize}: ${err.message}`, { cause: err });
      throw err;
    }
    return proof;
  }

  /** §1.7: null on 204 (no entry for this source yet). */
  async getLatestForSource(sourceId: string): Promise<VerifiedEntry | null> {
    const r = await this.#ok(HubEndpoint.getLatestForSource, { query: { src_id: sourceId } }, [204]);
    if (r.status === 204) return null;
    const value = this.#parse(HubEndpoint.getLatestForSource, () => parseLatestResponse(r.body));
    const entry = this.#parse(HubEndpoint.getLatestForSource, () => decodeHubTimestampedEntry(value));
    if (entry.sourceId !== sourceId)
      throw new HubClientError('MISMATCH', `get-latest-for-src: got an entry of ${JSON.stringify(entry.sourceId)}`);
    return { value, entry, leafHash: hashLeaf(value) };
  }
}

/** Checks an entry's source signature with the key the hub lists for its source (null when the hub lists no such source). */
export function checkEntrySourceSignature(entry: HubTimestampedEntry, keys: readonly SourceKeyInfo[]): boolean | null {
  const k = keys.find((x) => x.id === entry.sourceId);
  if (!k) return null;
  try {
    // Note-signed sources verify through their vkey (the signature may be an RFC 6962 note signature, not raw).
    const src =
      k.vkey !== undefined
        ? makeSource({ id: k.id, kind: 'CHECKPOINT', vkey: k.vkey })
        : makeSource({ id: k.id, kind: 'UNKNOWN', publicKey: k.pubKey });
    return src.verify(entry.blobData, entry.sourceSignature);
  } catch {
    return false;
  }
}
