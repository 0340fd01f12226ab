/**
 * The audit of one Gossip Hub: its signed heads (verified with the
 * configured hub key), every entry read with get-entries (source signature
 * checked with the configured source keys, leaf appended to the rebuilt
 * tree, hub-tree.ts), each new head accepted only when the rebuilt tree
 * reaches its size with its root — which proves every entry included under
 * it and the head consistent with the last accepted one — and SGTs past
 * their deadline checked against the latest head.
 *
 * When the entries do not reach the head's root, the hub's own consistency
 * proof decides: a proof binding another root to the new head proves the
 * heads inconsistent (a hub that forked its tree); a proof that the heads
 * are consistent means the hub served bad entries (logged, retried); no
 * proof in `proofAttempts` rounds is a proof-refused suspicion.
 *
 * Heads of the sources the auditor follows, read from the entries, go to
 * those logs' audits (`onSourceHead`).
 *
 * Ownership: state belongs to this object; `round` runs one at a time.
 */
import type { HeadStore } from '../audit/index.ts';
import {
  type Attempt,
  attempt,
  checkSignedHead,
  emptyRootEvidence,
  forkEvidence,
  hubSthHead,
  inconsistentEvidence,
  proofRefusedEvidence,
  rollbackEvidence,
  unresponsiveEvidence,
} from '../evidence/index.ts';
import type { TrackedSource } from '../hub/index.ts';
import { CompactRange } from '../merkle/index.ts';
import type { AuditContext } from './audit-context.ts';
import { fit, type HubStateBody, load, reopen } from './audit-state.ts';
import { resolvePair } from './checks.ts';
import { HubTree } from './hub-tree.ts';
import type { MonitoredHub, MonitoredLog } from './logs.ts';
import { asMonitorError, hubClient, seenFromCheckedEntry } from './observe.ts';
import { Outage } from './outage.ts';
import { PromiseChecker } from './promise-check.ts';
import type { Seen } from './seen.ts';
import { SourceView } from './source-view.ts';
import { hubTreeReader, type TreeReader } from './tree-reader.ts';

const KEEP_RANGES = 16;

export class HubAudit {
  readonly hub: MonitoredHub;
  readonly view = new SourceView();
  readonly #a: AuditContext;
  readonly #store: HeadStore;
  readonly #promises: PromiseChecker;
  readonly #sources: Map<string, TrackedSource>;
  readonly #onSourceHead: (log: MonitoredLog, seen: Seen) => void;
  #tree = new HubTree();
  #accepted: Seen | null = null;
  /** Compact ranges of accepted heads, by size (the newest KEEP_RANGES). */
  readonly #ranges = new Map<number, Buffer[]>();
  #attempts: Attempt[] = [];
  readonly #outage = new Outage();
  #revision = 0;
  #dirty = false;

  constructor(hub: MonitoredHub, a: AuditContext, store: HeadStore, onSourceHead: (log: MonitoredLog, seen: Seen) => void) {
    this.hub = hub;
    this.#a = a;
    this.#store = store;
    this.#onSourceHead = onSourceHead;
    this.#promises = new PromiseChecker(a, hub.name, hub.evidence);
    this.#sources = new Map([...hub.sources].map(([id, log]) => [id, log.hubSource(id)]));
  }

  get #key(): string {
    return `hub:${this.hub.id}`;
  }

  /** Entries audited so far (the rebuilt tree's size). */
  get size(): number {
    return this.#tree.size;
  }

  #reader(): TreeReader {
    return hubTreeReader(hubClient(this.hub, this.#a.ctx));
  }

  async open(): Promise<void> {
    const { revision, body } = await load<HubStateBody>(this.#store, this.#key);
    this.#revision = revision;
    if (!body) return;
    for (const s of reopen(body.heads, this.hub.evidence)) this.view.add(s);
    const accepted = body.accepted ? reopen([body.accepted], this.hub.evidence)[0] : undefined;
    try {
      const range = CompactRange.fromHashes(
        body.tree.size,
        body.tree.hashes.map((h) => Buffer.from(h, 'base64')),
      );
      // The persisted tree must be the accepted head's: anything else is a damaged state, re-learnt from the start.
      if (accepted && accepted.size === range.size && accepted.root.equals(range.root())) {
        this.#tree = new HubTree(range);
        this.#accepted = accepted;
        for (const r of body.ranges)
          this.#ranges.set(
            r.size,
            r.hashes.map((h) => Buffer.from(h, 'base64')),
          );
      }
    } catch {
      // Start over from the empty tree.
    }
  }

  async round(): Promise<void> {
    let seen: Seen;
    try {
      const sth = await hubClient(this.hub, this.#a.ctx).getSth();
      const head = hubSthHead(sth.headData, sth.hubSignature, { by: this.#a.ctx.by, from: this.hub.spec.url, atMs: this.#a.ctx.now() });
      const o = checkSignedHead(head, this.hub.evidence, `${this.hub.name} get-sth`);
      seen = { size: o.size, root: o.root, timeNs: o.timeNs, head, latest: true, observedAtMs: Date.parse(head.observed.at) };
      this.#outage.ok();
      this.#a.metrics?.polls.inc({ source: this.hub.name, outcome: 'ok' });
      this.#a.metrics?.headSize.set({ source: this.hub.name }, seen.size);
    } catch (err) {
      const e = asMonitorError(err, this.hub.name);
      this.#a.metrics?.polls.inc({ source: this.hub.name, outcome: e.code });
      this.#a.log?.warn({ hub: this.hub.name, code: e.code }, `get-sth failed: ${e.message}`);
      if (this.#outage.failed(`${this.hub.spec.url} get-sth`, this.#a.ctx.now(), e.message, this.#a.unresponsiveAfter)) {
        const last = this.view.freshest;
        await this.#a.raise('unresponsive', () =>
          unresponsiveEvidence({
            log: this.hub.evidence,
            by: this.#a.ctx.by,
            atMs: this.#a.ctx.now(),
            attempts: this.#outage.attempts,
            ...(last ? { last: last.head } : {}),
          }),
        );
      }
      return;
    }
    if (await this.#judgeHead(seen)) await this.#advance(seen);
    await this.#checkPromises();
    await this.#persist();
  }

  /** Forks, rollbacks and regressions among the hub's own heads; false when the head must not be built on. */
  async #judgeHead(seen: Seen): Promise<boolean> {
    const a = this.view.assess(seen);
    const by = { log: this.hub.evidence, by: this.#a.ctx.by, atMs: this.#a.ctx.now() };
    let ok = true;
    for (const f of a.findings) {
      if (f.kind === 'fork') {
        ok = false;
        await this.#a.raise('fork', () => forkEvidence({ ...by, heads: [f.other.head, seen.head] }));
      } else if (f.kind === 'empty-root') {
        ok = false;
        await this.#a.raise('empty-root', () => emptyRootEvidence({ ...by, head: seen.head }));
      } else if (f.kind === 'rollback') {
        await this.#a.raise('rollback', () => rollbackEvidence({ ...by, earlier: f.earlier.head, later: f.later.head }));
      }
    }
    this.view.claimed(seen);
    return ok && seen.size > this.#tree.size;
  }

  async #advance(seen: Seen): Promise<void> {
    const work = this.#tree.clone();
    const client = hubClient(this.hub, this.#a.ctx);
    const found: { log: MonitoredLog; seen: Seen }[] = [];
    try {
      while (work.size < seen.size) {
        const end = Math.min(seen.size, work.size + this.#a.pageSize) - 1;
        const got = await client.getEntries(work.size, end);
        if (got.length === 0) throw new Error(`get-entries returned nothing at ${work.size}`);
        for (const e of work.append(got.map((x) => x.value).slice(0, seen.size - work.size), this.#sources)) {
          this.#a.metrics?.audited.inc({ hub: this.hub.name, outcome: e.check.status });
          if (e.check.status === 'bad-source-signature') {
            this.#a.log?.error(
              { hub: this.hub.name, index: e.index, source: e.check.entry.sourceId },
              'hub logged a blob whose source signature does not verify',
            );
          } else if (e.check.status === 'ok') {
            const log = this.hub.sources.get(e.check.entry.sourceId);
            // Signed by the source (checked above, with this log's key); a blob that is not a head of its kind is skipped.
            const seen = log ? seenFromCheckedEntry(e.value, e.check.entry.blobData, e.index, this.hub, log, this.#a.ctx) : null;
            if (log && seen) found.push({ log, seen });
          }
          this.#a.book.settle(this.hub.name, e.leafHash);
        }
      }
    } catch (err) {
      const e = asMonitorError(err, `${this.hub.name} get-entries`);
      this.#a.log?.warn({ hub: this.hub.name, code: e.code }, `get-entries failed: ${e.message}`);
      return;
    }
    if (work.root().equals(seen.root)) {
      this.#tree = work;
      this.#accepted = seen;
      this.#attempts = [];
      this.view.add(seen);
      this.#ranges.set(seen.size, work.hashes());
      for (const k of [...this.#ranges.keys()].slice(0, Math.max(0, this.#ranges.size - KEEP_RANGES))) this.#ranges.delete(k);
      this.#dirty = true;
      for (const f of found) this.#onSourceHead(f.log, f.seen);
      return;
    }
    await this.#mismatch(seen);
  }

  /** The entries after the accepted head do not reach `seen`'s root: ask the hub's own proof why. */
  async #mismatch(seen: Seen): Promise<void> {
    const by = { log: this.hub.evidence, by: this.#a.ctx.by, atMs: this.#a.ctx.now() };
    const from = this.#accepted;
    if (from === null || from.size === 0) {
      this.#a.log?.error({ hub: this.hub.name, size: seen.size }, 'the entries the hub served do not hash to its signed head');
      return;
    }
    const j = await resolvePair(from, seen, this.#reader());
    this.#a.metrics?.checks.inc({ log: this.hub.name, outcome: j.verdict });
    if (j.verdict === 'inconsistent') {
      await this.#a.raise('inconsistent', () =>
        inconsistentEvidence({ ...by, older: from.head, newer: seen.head, consistency: j.derivation }),
      );
      return;
    }
    if (j.verdict === 'consistent') {
      this.#a.log?.error(
        { hub: this.hub.name, from: from.size, to: seen.size },
        'the hub served entries that do not hash to its signed head (its heads are consistent)',
      );
      return;
    }
    this.#attempts.push(attempt(`consistency ${from.size} → ${seen.size} from ${this.hub.spec.url}`, this.#a.ctx.now(), j.why));
    if (this.#attempts.length >= this.#a.proofAttempts) {
      const attempts = this.#attempts;
      this.#attempts = [];
      await this.#a.raise('proof-refused', () => proofRefusedEvidence({ ...by, older: from.head, newer: seen.head, attempts }));
    }
  }

  async #checkPromises(): Promise<void> {
    // The hub re-signs an unchanged tree with fresh timestamps: the freshest head of the accepted tree.
    const fresh = this.view.freshest;
    const last = fresh && this.#accepted && fresh.size === this.#accepted.size ? fresh : this.#accepted;
    if (!last || last.timeNs === null) return;
    this.#a.metrics?.promises.set({ log: this.hub.name }, this.#a.book.pending(this.hub.name).length);
    const reader = this.#reader();
    for (const p of this.#a.book.due(this.hub.name, last.timeNs)) await this.#promises.check(p, last, this.view, reader);
  }

  async #persist(): Promise<void> {
    if (!this.#dirty || !this.#accepted) return;
    const accepted = this.#accepted;
    const tree = { size: this.#tree.size, hashes: this.#tree.hashes().map((h) => h.toString('base64')) };
    const ranges = [...this.#ranges].slice(-4).map(([size, hs]) => ({ size, hashes: hs.map((h) => h.toString('base64')) }));
    const body = fit(
      (hs): HubStateBody => ({ v: 1, heads: hs, tree, accepted: accepted.head, ranges }),
      this.view.heads.map((s) => s.head),
    );
    const ok = await this.#store.compareAndSwap(this.#key, this.#revision, { size: accepted.size, rootHash: accepted.root, body });
    if (ok) {
      this.#revision++;
      this.#dirty = false;
    } else {
      this.#revision = (await this.#store.get(this.#key))?.revision ?? 0;
    }
  }
}
