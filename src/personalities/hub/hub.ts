/**
 * One Gossip Hub instance (one prefix, one tree, one key) on the log core:
 * the `processX` functions the HTTP routes call (parse → processX →
 * serialize), never seeing a request object. specs/gossip-hub.md §1.
 *
 * Promises this class keeps:
 * - Canonicalization (§2.2): identity is (source, blob); a resubmission
 *   answers the stored entry (original timestamp, original signature) with a
 *   valid hub signature, and never adds a second leaf.
 * - SGT = the hub's signature over the stored TimestampedEntry (§2.4), and
 *   a promise: the entry is in a served tree head whose timestamp is at most
 *   hub_timestamp + MMD. New SGTs are refused while the tree's merge
 *   watchdog refuses (src/log/watchdog.ts: 503 BACKLOG while the oldest
 *   unsequenced entry is older than MMD/2, 503 UNAVAILABLE once the
 *   sequencer stopped on a fatal error), rather than issuing promises the
 *   sequencer cannot keep.
 * - Only audited roots are served (auditor.ts); proofs and entries are
 *   bounded by the served size, so a refused root is never exposed.
 * - get-latest-for-src is kept in storage (the leaf label and its rank), so
 *   it survives restarts and is exact across every frontend on the database.
 *
 * Concurrency: every process method may interleave with every other.
 * `#lastTs`, the SGT cache and the in-flight map are read and written
 * synchronously between awaits; `refresh()` is single-flight (`#tick`); label decisions (latest.ts) need no
 * serialization: label ranks make the stored answer exact.
 */
import type { Logger } from 'pino';
import { decodeHubTimestampedEntry } from '../../codec/index.ts';
import type { Signer } from '../../crypto/index.ts';
import { SetupError } from '../../errors.ts';
import { type AddSignedBlobRequest, type AdmittedBlob, admitBlob, lookupSource } from '../../hub/admission.ts';
import { SourceEntries } from '../../hub/entry.ts';
import { HubError } from '../../hub/errors.ts';
import type { TrackedSource } from '../../hub/source.ts';
import { msToNs } from '../../hub/time.ts';
import { type ProofByHash, type SignedBytes, type SourceKeyInfo, sourceKeyInfo } from '../../hub/wire.ts';
import {
  type ClientInfo,
  type Log,
  LogError,
  type MergeWatchdog,
  type OpenedTree,
  QuotaError,
  type RequestQuotas,
} from '../../log/index.ts';
import { MemoryHeadStore } from '../../storage/index.ts';
import { HeadAuditor, type RootAlert } from './auditor.ts';
import { LatestLabels } from './latest.ts';
import type { HubMetrics } from './metrics.ts';
import { sourceQuotaUser } from './quota.ts';
import { HeadStoreServedHeads, type ServedHead, type ServedHeadStore } from './served-heads.ts';
import { checkEntryDomain, HubSigner } from './signer.ts';

export const DEFAULT_MMD_MS = 10_000;
export const DEFAULT_MAX_GET_ENTRIES = 1000;

export interface HubServiceOptions {
  /** URL prefix without slashes, e.g. "gamut"; also the metrics label. */
  readonly prefix: string;
  readonly log: Log;
  /** The hub key: signs SGTs and tree heads (and must be the tree's key, which signs LogRoots). */
  readonly signer: Signer;
  readonly sources: readonly TrackedSource[];
  readonly clock?: () => number;
  /** Quotas in the personalities' one model (quota.ts, hubQuotas). */
  readonly quotas?: RequestQuotas;
  readonly metrics?: HubMetrics;
  readonly logger?: Logger;
  /** Most entries one get-entries answers (§1.5 `--max_get_entries`). Default 1000. */
  readonly maxGetEntries?: number;
  /** Where served heads are kept for audit. Default: a MemoryHeadStore (served-heads.ts). */
  readonly servedHeads?: ServedHeadStore;
  /**
   * The tree's merge watchdog (src/log/watchdog.ts): while it refuses, new
   * entries get 503 (BACKLOG, or UNAVAILABLE once the sequencer stopped on a
   * fatal error). Without one, new entries are never refused for it.
   */
  readonly watchdog?: MergeWatchdog;
  /** How often the served head is refreshed, ms. Default 1000 (the tree wiring passes min(1 s, MMD/10)). */
  readonly refreshIntervalMs?: number;
  /** Resubmission answers kept in memory (identity → signed entry). Default 10000; 0 disables. */
  readonly sgtCacheSize?: number;
}

interface CachedSgt {
  /** The stored entry's source signature: the fast path needs the resubmission to carry exactly these bytes. */
  readonly sourceSignature: Buffer;
  readonly sgt: SignedBytes;
}

export class HubService {
  readonly prefix: string;
  readonly log: Log;
  readonly #sources: ReadonlyMap<string, TrackedSource>;
  /** Per source id: its entry encoder (id bytes encoded once). */
  readonly #entries: ReadonlyMap<string, SourceEntries>;
  readonly #signer: HubSigner;
  readonly #clock: () => number;
  readonly #quotas?: RequestQuotas;
  readonly #metrics?: HubMetrics;
  readonly #logger?: Logger;
  readonly #maxGetEntries: number;
  readonly #auditor: HeadAuditor;
  readonly #labels: LatestLabels;
  readonly #watchdog?: MergeWatchdog;
  readonly #refreshMs: number;
  readonly #sgtCacheSize: number;
  readonly #sgtCache = new Map<string, CachedSgt>();
  /** Identity → the answer being worked out for it (set and cleared by #add between awaits). */
  readonly #inflight = new Map<string, Promise<SignedBytes>>();
  readonly #sthOf = new WeakMap<ServedHead, SignedBytes>();
  #lastTs = 0n;
  #timer: NodeJS.Timeout | null = null;
  #tick: Promise<void> | null = null;

  constructor(opts: HubServiceOptions) {
    this.prefix = opts.prefix;
    this.log = opts.log;
    const sources = new Map<string, TrackedSource>();
    for (const s of opts.sources) {
      if (sources.has(s.id)) throw new SetupError('BAD_CONFIG', `hub ${opts.prefix}: duplicate source id ${JSON.stringify(s.id)}`);
      // §3.1 (PR #50): a source with the hub's own key could launder hub signatures into the hub.
      if (s.publicKey.spki.equals(opts.signer.publicKey.spki)) {
        throw new SetupError('BAD_CONFIG', `hub ${opts.prefix}: source ${JSON.stringify(s.id)} uses the hub's own key`);
      }
      sources.set(s.id, s);
    }
    this.#sources = sources;
    this.#entries = new Map([...sources.keys()].map((id) => [id, new SourceEntries(id)]));
    this.#signer = new HubSigner(opts.signer);
    this.#clock = opts.clock ?? Date.now;
    this.#quotas = opts.quotas;
    this.#metrics = opts.metrics;
    this.#logger = opts.logger;
    this.#maxGetEntries = opts.maxGetEntries ?? DEFAULT_MAX_GET_ENTRIES;
    this.#watchdog = opts.watchdog;
    this.#refreshMs = opts.refreshIntervalMs ?? 1000;
    this.#sgtCacheSize = opts.sgtCacheSize ?? 10_000;
    this.#labels = new LatestLabels(opts.log);
    this.#auditor = new HeadAuditor({
      core: opts.log,
      treeKey: opts.log.publicKey,
      signer: this.#signer,
      store: opts.servedHeads ?? new HeadStoreServedHeads(new MemoryHeadStore(), `hub:${opts.prefix}`),
      clock: this.#clock,
      onAlert: (a) => this.#alert(a),
      onServe: (h) => {
        this.#metrics?.lastSthTimestamp.set({ hub: this.prefix }, h.timestampMs);
        this.#metrics?.lastSthTreeSize.set({ hub: this.prefix }, h.size);
        this.#metrics?.rootAlert.set({ hub: this.prefix }, 0);
      },
    });
    this.#metrics?.knownHubs.set({ hub: this.prefix }, 1);
  }

  get publicKey() {
    return this.#signer.publicKey;
  }

  get sources(): readonly TrackedSource[] {
    return [...this.#sources.values()];
  }

  /** Serves the first audited head and starts the refresh timer. */
  async start(): Promise<void> {
    await this.refresh();
    if (this.#timer) return;
    this.#timer = setInterval(() => void this.refresh(), this.#refreshMs);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    await this.#tick;
  }

  /** For /readyz: ready once an audited head is being served. */
  readiness(): { ready: boolean; detail: string } {
    const head = this.#auditor.current();
    if (!head) return { ready: false, detail: this.#auditor.blocked ?? 'no audited tree head yet' };
    if (this.#auditor.alerting) return { ready: true, detail: `serving size ${head.size}; ALERT: latest core root refused` };
    const accepting = this.#watchdog?.accepting ?? true;
    return { ready: true, detail: `serving size ${head.size}${accepting ? '' : '; refusing new entries (backlog)'}` };
  }

  /** True while the latest core root is refused by the audit and an older head is served. */
  get alerting(): boolean {
    return this.#auditor.alerting;
  }

  /** The head being served now (null before the first audit). */
  servedHead(): ServedHead | null {
    return this.#auditor.current();
  }

  /** One refresh of the served head (the timer's step; tests call it). Never rejects: a failure keeps the previous head. */
  refresh(): Promise<void> {
    this.#tick ??= this.#auditor
      .refresh()
      .then(
        () => {},
        (err) => this.#logger?.warn({ hub: this.prefix, err }, 'hub refresh failed; serving the previous head'),
      )
      .finally(() => {
        this.#tick = null;
      });
    return this.#tick;
  }

  #alert(a: RootAlert): void {
    this.#metrics?.inconsistentRoots.inc({ hub: this.prefix });
    this.#metrics?.rootAlert.set({ hub: this.prefix }, 1);
    this.#logger?.error(
      {
        hub: this.prefix,
        alert: 'INCONSISTENT_ROOT',
        reason: a.reason,
        served: a.served && {
          revision: a.served.revision,
          size: a.served.size,
          root: a.served.rootHash.toString('hex'),
          logRoot: a.served.logRoot.toString('base64'),
          signature: a.served.logRootSignature.toString('base64'),
        },
        rejected: {
          revision: a.rejected.revision,
          size: a.rejected.size,
          root: a.rejected.rootHash.toString('hex'),
          logRoot: a.rejected.logRoot.toString('base64'),
          signature: a.rejected.signature.toString('base64'),
        },
        err: a.error,
      },
      this.#auditor.blocked ?? 'refusing to serve a core root that fails the audit; still serving the previous root',
    );
  }

  /** Hub timestamps (ns) strictly increase within a process, so UNKNOWN blobs order by arrival. */
  #nextTimestamp(): bigint {
    const ts = msToNs(this.#clock());
    this.#lastTs = ts > this.#lastTs ? ts : this.#lastTs + 1n;
    return this.#lastTs;
  }

  #count(source: string, result: string): void {
    this.#metrics?.countSubmission(this.prefix, source, result);
  }

  /** §1.1 add-signed-blob. */
  async processAddSignedBlob(req: AddSignedBlobRequest, client: ClientInfo): Promise<SignedBytes> {
    let source: TrackedSource | undefined;
    try {
      source = lookupSource(this.#sources, req.sourceId);
      if (this.#quotas?.limitsWrites) this.#quotas.chargeWrite(client.quotaUser);
      const sgt = await this.#add(source, req);
      return sgt;
    } catch (err) {
      const code = err instanceof HubError || err instanceof QuotaError || err instanceof LogError ? err.code : 'ERROR';
      this.#count(source?.id ?? '(unknown)', code);
      throw err;
    }
  }

  /**
   * Identity first (§2.2: identity is (source, blob), not the signature's
   * bytes), then the charge: the source's bucket pays only for an entry that
   * is new (issue 9 #1). A valid signature in another encoding — an ECDSA
   * (r, s) re-encoded as (r, n − s), a fresh randomized signature — names the
   * same entry and is answered with the stored one. Concurrent submissions of
   * one identity share the first one's outcome, so a burst of replays of an
   * entry not yet stored is charged once.
   */
  async #add(source: TrackedSource, req: AddSignedBlobRequest): Promise<SignedBytes> {
    const entries = this.#entries.get(source.id) as SourceEntries;
    const idHash = entries.identityHash(req.blobData);
    const cacheKey = idHash.toString('latin1');
    // Fast path: an exact resubmission (same blob, same signature bytes) of an entry already stored and
    // answered. Its signature was verified when stored, so the answer is the same as after re-verifying.
    const cached = this.#sgtCache.get(cacheKey);
    if (cached?.sourceSignature.equals(req.srcSignature)) {
      this.#count(source.id, 'duplicate');
      return cached.sgt;
    }
    const admitted = admitBlob(source, req.blobData, req.srcSignature); // 400s
    if (cached) {
      // The same entry with another valid signature: the stored entry answers, as the original's dedup would.
      this.#count(source.id, 'duplicate');
      return cached.sgt;
    }
    const pending = this.#inflight.get(cacheKey);
    if (pending) return pending;
    const added = this.#addNew(source, entries, admitted, idHash, cacheKey);
    this.#inflight.set(cacheKey, added);
    try {
      return await added;
    } finally {
      this.#inflight.delete(cacheKey);
    }
  }

  /** An admitted blob whose identity this process has not answered yet: stored already, or new. */
  async #addNew(
    source: TrackedSource,
    entries: SourceEntries,
    admitted: AdmittedBlob,
    idHash: Buffer,
    cacheKey: string,
  ): Promise<SignedBytes> {
    // While the watchdog accepts and the sequencer runs, refusal() would answer null: skip its await.
    const w = this.#watchdog;
    const refusal = w && (!w.accepting || w.stopped) ? await w.refusal() : null;
    // Identity in storage before the source pays: only new entries spend its quota. Without a source
    // quota (and no refusal) queueLeaf's own dedup answers a stored entry, with no extra read.
    if (refusal || this.#quotas?.limitsSubmitters) {
      const existing = await this.log.getLeafByIdentityHash(idHash);
      // A resubmission renews no promise: its entry keeps its original timestamp, so it is answered even during a backlog.
      if (existing) return this.#answer(source, cacheKey, idHash, existing.value, true);
    }
    if (refusal) throw new HubError(refusal.reason === 'stopped' ? 'UNAVAILABLE' : 'BACKLOG', refusal.message);
    this.#quotas?.chargeSubmitters([sourceQuotaUser(source.id)]);

    const ts = this.#nextTimestamp();
    const value = entries.entry(admitted.blob, admitted.signature, ts); // §2.2 buildLeaf
    checkEntryDomain(value); // refuse before anything is stored

    // get-latest-for-src: the label and its rank (latest.ts) make storage's answer exact across frontends.
    const queued = await this.#labels.queue(source, admitted.parsed, ts, (labelling) =>
      this.log.queueLeaf({ value, identityHash: idHash, ...labelling, queuedAt: this.#clock() }),
    );
    // A new leaf carries the signature just verified; a duplicate carries the stored one (decoded in #answer).
    return this.#answer(source, cacheKey, idHash, queued.leaf.value, queued.duplicate, queued.duplicate ? undefined : admitted.signature);
  }

  /** Signs a stored entry (§2.4) and remembers the answer for exact resubmissions. */
  #answer(source: TrackedSource, cacheKey: string, idHash: Buffer, value: Buffer, duplicate: boolean, knownSig?: Buffer): SignedBytes {
    let storedSig: Buffer;
    try {
      storedSig = knownSig ?? decodeHubTimestampedEntry(value).sourceSignature;
    } catch (err) {
      throw new HubError('CORRUPT_ENTRY', `stored leaf for identity ${idHash.toString('hex')} is not a TimestampedEntry`, { cause: err });
    }
    const sgt: SignedBytes = { data: value, hubSignature: this.#signer.signEntry(value) };
    this.#remember(cacheKey, { sourceSignature: storedSig, sgt });
    this.#count(source.id, duplicate ? 'duplicate' : 'new');
    return sgt;
  }

  #remember(key: string, v: CachedSgt): void {
    if (this.#sgtCacheSize <= 0) return;
    this.#sgtCache.delete(key);
    this.#sgtCache.set(key, v);
    if (this.#sgtCache.size > this.#sgtCacheSize) this.#sgtCache.delete(this.#sgtCache.keys().next().value as string);
  }

  /** The served head, refreshed first; HubError NOT_SERVING when there is none. */
  async #served(): Promise<ServedHead> {
    let head: ServedHead | null;
    try {
      head = await this.#auditor.refresh();
    } catch (err) {
      head = this.#auditor.current();
      if (!head) throw err;
      this.#logger?.warn({ hub: this.prefix, err }, 'head refresh failed; serving the previous head');
    }
    if (!head)
      throw new HubError(
        'NOT_SERVING',
        this.#auditor.blocked ? 'no audited tree head can be served: see the server log' : 'no audited tree head to serve yet',
      );
    return head;
  }

  /**
   * The served head if it covers `size`, else a refreshed one: reads need no
   * storage round trip for the head when the timer kept it current, and a
   * client holding a newer head from another frontend still gets an answer.
   */
  async #servedAtLeast(size: number): Promise<ServedHead> {
    const cur = this.#auditor.current();
    return cur && cur.size >= size ? cur : this.#served();
  }

  /** §1.2 get-sth: the served HubTreeHead with its cached hub signature (same bytes while the head is unchanged). */
  async processGetSth(client: ClientInfo): Promise<SignedBytes> {
    if (this.#quotas?.limitsReads) this.#quotas.chargeRead(client.quotaUser);
    const head = await this.#served();
    // One answer object per served head, so the route can format it once.
    let sth = this.#sthOf.get(head);
    if (!sth) {
      sth = { data: head.headData, hubSignature: head.hubSignature };
      this.#sthOf.set(head, sth);
    }
    return sth;
  }

  /** §1.3 get-sth-consistency. */
  async processGetSthConsistency(q: { first: number; second: number }, client: ClientInfo): Promise<Buffer[]> {
    if (this.#quotas?.limitsReads) this.#quotas.chargeRead(client.quotaUser);
    if (q.second < q.first) throw new HubError('BAD_REQUEST', `second ${q.second} < first ${q.first}`);
    if (q.first === 0) return []; // §1.3: answered at once, no size check
    const head = await this.#servedAtLeast(q.second);
    if (q.second > head.size) throw new HubError('BAD_REQUEST', `second ${q.second} is beyond the tree size ${head.size}`);
    return this.log.getConsistencyProof(q.first, q.second);
  }

  /** §1.4 get-proof-by-hash. */
  async processGetProofByHash(q: { hash: Buffer; treeSize: number }, client: ClientInfo): Promise<ProofByHash> {
    if (this.#quotas?.limitsReads) this.#quotas.chargeRead(client.quotaUser);
    if (q.treeSize < 1) throw new HubError('BAD_REQUEST', `tree_size ${q.treeSize}, want at least 1`);
    const head = await this.#servedAtLeast(q.treeSize);
    if (q.treeSize > head.size) throw new HubError('TREE_TOO_SMALL', `tree_size ${q.treeSize} is beyond the tree size ${head.size}`);
    try {
      const { index, proof } = await this.log.getInclusionProofByHash(q.hash, q.treeSize);
      return { leafIndex: index, auditPath: proof };
    } catch (err) {
      if (err instanceof LogError && err.code === 'LEAF_NOT_FOUND') throw new HubError('LEAF_NOT_FOUND', err.message, { cause: err });
      throw err;
    }
  }

  /** §1.5 get-entries: [start, end] inclusive, truncated to maxGetEntries, the served size and the client's read quota. */
  async processGetEntries(q: { start: number; end: number }, client: ClientInfo): Promise<Buffer[]> {
    if (q.end < q.start) throw new HubError('BAD_REQUEST', `start ${q.start} > end ${q.end}`);
    const head = await this.#servedAtLeast(q.start + 1);
    // One read token per entry of the page, which is never larger than the client's read quota can pay.
    const stop = Math.min(
      q.end + 1,
      head.size,
      q.start + this.#maxGetEntries,
      q.start + (this.#quotas?.maxPage ?? Number.POSITIVE_INFINITY),
    );
    this.#quotas?.chargeRead(client.quotaUser, Math.max(1, stop - q.start));
    if (q.start >= head.size) throw new HubError('BAD_REQUEST', `start ${q.start} is beyond the tree size ${head.size}`);
    const leaves = await this.log.getLeaves(q.start, stop);
    return leaves.map((l, i) => {
      // §1.5: indices contiguous from start, each value a TimestampedEntry with no trailing bytes.
      if (l.index !== q.start + i) throw new HubError('CORRUPT_ENTRY', `get-entries: got leaf index ${l.index}, want ${q.start + i}`);
      try {
        decodeHubTimestampedEntry(l.value);
      } catch (err) {
        throw new HubError('CORRUPT_ENTRY', `leaf ${l.index} is not a TimestampedEntry`, { cause: err });
      }
      return l.value;
    });
  }

  /** §1.6 get-source-keys. */
  processGetSourceKeys(client: ClientInfo): SourceKeyInfo[] {
    if (this.#quotas?.limitsReads) this.#quotas.chargeRead(client.quotaUser);
    return [...this.#sources.values()].map(sourceKeyInfo);
  }

  /** §1.7 get-latest-for-src: the stored TimestampedEntry, or null (answered 204) when the source has none yet. */
  async processGetLatestForSource(q: { sourceId: string }, client: ClientInfo): Promise<Buffer | null> {
    if (this.#quotas?.limitsReads) this.#quotas.chargeRead(client.quotaUser);
    const source = lookupSource(this.#sources, q.sourceId);
    const leaf = await this.log.getLatestByLabel(source.id);
    return leaf ? leaf.value : null;
  }
}

/** One instance: its HubService and its tree. */
export interface OpenedHub {
  readonly hub: HubService;
  readonly tree: OpenedTree;
  readonly log: OpenedTree['log'];
  readonly sequencer: OpenedTree['sequencer'];
}
