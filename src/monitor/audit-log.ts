/**
 * The audit of one source log: every head that reaches the auditor — its own
 * polls of the log, heads read from hub entries, heads handed in by a
 * collector or a gossip service — is judged against the chain of heads
 * already accepted (source-view.ts); the pairs that need it are proven
 * consistent with the log's own proofs (checks.ts), and SCTs past their
 * deadline are checked against the latest head.
 *
 * Checkpoint logs have no proof API here (tlog-tiles proofs would need tile
 * reads): their heads are checked for same-size forks and, as served by the
 * log, for regressions, and accepted without consistency proofs.
 *
 * Ownership: all state belongs to this object and is touched only by
 * `round` (one at a time, the auditor's loop) and `offer` (synchronous push).
 */
import type { HeadStore } from '../audit/index.ts';
import {
  type Attempt,
  attempt,
  emptyRootEvidence,
  forkEvidence,
  inconsistentEvidence,
  proofRefusedEvidence,
  regressionEvidence,
  rollbackEvidence,
  unresponsiveEvidence,
} from '../evidence/index.ts';
import type { AuditContext } from './audit-context.ts';
import { fit, type LogStateBody, load, reopen } from './audit-state.ts';
import { resolvePair } from './checks.ts';
import type { MonitoredLog } from './logs.ts';
import { asMonitorError, ctClient, pollLog, tilesClient } from './observe.ts';
import { Outage } from './outage.ts';
import { PromiseChecker } from './promise-check.ts';
import type { Seen } from './seen.ts';
import { SourceView } from './source-view.ts';
import { ctTreeReader, type TreeReader, tilesTreeReader } from './tree-reader.ts';

const MAX_QUEUE = 10_000;

export class LogAudit {
  readonly log: MonitoredLog;
  readonly view = new SourceView();
  readonly #a: AuditContext;
  readonly #store: HeadStore;
  readonly #promises: PromiseChecker;
  readonly #poll: boolean;
  #queue: Seen[] = [];
  /** Heads whose checks are unproven, with the attempts so far. */
  readonly #retry = new Map<string, { seen: Seen; attempts: Attempt[] }>();
  readonly #outage = new Outage();
  #revision = 0;
  #dirty = false;

  constructor(log: MonitoredLog, a: AuditContext, store: HeadStore, poll: boolean) {
    this.log = log;
    this.#a = a;
    this.#store = store;
    this.#poll = poll && log.spec.url !== undefined;
    this.#promises = new PromiseChecker(a, log.name, log.evidence);
  }

  get #key(): string {
    return `log:${this.log.id}`;
  }

  /** The log's own proofs: a CT log's API, or a tiled checkpoint log's hash tiles; null when it serves none. */
  #reader(): TreeReader | null {
    if (this.log.spec.url === undefined) return null;
    if (this.log.spec.type === 'rfc6962') return ctTreeReader(ctClient(this.log, this.#a.ctx));
    const tiles = tilesClient(this.log, this.#a.ctx);
    return tiles ? tilesTreeReader(tiles) : null;
  }

  async open(): Promise<void> {
    const { revision, body } = await load<LogStateBody>(this.#store, this.#key);
    this.#revision = revision;
    if (!body) return;
    for (const s of reopen(body.heads, this.log.evidence)) this.view.add(s);
    if (body.claim) for (const s of reopen([body.claim], this.log.evidence, true)) this.view.claimed(s);
  }

  /** A verified head of this log from elsewhere (a hub entry, a collector, a peer). */
  offer(seen: Seen): void {
    if (this.#queue.length < MAX_QUEUE) this.#queue.push(seen);
  }

  async round(): Promise<void> {
    if (this.#poll) {
      try {
        const seen = await pollLog(this.log, this.#a.ctx);
        this.#outage.ok();
        this.#a.metrics?.polls.inc({ source: this.log.name, outcome: 'ok' });
        this.#a.metrics?.headSize.set({ source: this.log.name }, seen.size);
        this.#queue.push(seen);
      } catch (err) {
        const e = asMonitorError(err, this.log.name);
        this.#a.metrics?.polls.inc({ source: this.log.name, outcome: e.code });
        this.#a.log?.warn({ log: this.log.name, code: e.code }, `poll failed: ${e.message}`);
        if (this.#outage.failed(this.log.spec.url ?? this.log.name, this.#a.ctx.now(), e.message, this.#a.unresponsiveAfter)) {
          const last = this.view.freshest;
          await this.#a.raise('unresponsive', () =>
            unresponsiveEvidence({
              log: this.log.evidence,
              by: this.#a.ctx.by,
              atMs: this.#a.ctx.now(),
              attempts: this.#outage.attempts,
              ...(last ? { last: last.head } : {}),
            }),
          );
        }
      }
    }
    const queue = [...this.#retry.values()].map((r) => r.seen).concat(this.#queue);
    this.#queue = [];
    for (const seen of queue) await this.#consider(seen);
    await this.#checkPromises();
    await this.#persist();
  }

  async #consider(seen: Seen): Promise<void> {
    const a = this.view.assess(seen);
    const m = this.#a.metrics;
    const by = { log: this.log.evidence, by: this.#a.ctx.by, atMs: this.#a.ctx.now() };
    if (a.known) {
      this.view.claimed(seen);
      return;
    }
    let refused = false;
    for (const f of a.findings) {
      if (f.kind === 'fork') {
        m?.checks.inc({ log: this.log.name, outcome: 'fork' });
        refused = true;
        await this.#a.raise('fork', () => forkEvidence({ ...by, heads: [f.other.head, seen.head] }));
      } else if (f.kind === 'empty-root') {
        refused = true;
        await this.#a.raise('empty-root', () => emptyRootEvidence({ ...by, head: seen.head }));
      } else if (f.kind === 'rollback') {
        m?.checks.inc({ log: this.log.name, outcome: 'rollback' });
        await this.#a.raise('rollback', () => rollbackEvidence({ ...by, earlier: f.earlier.head, later: f.later.head }));
      } else if (f.kind === 'regression') {
        await this.#a.raise('regression', () => regressionEvidence({ ...by, earlier: f.earlier.head, later: seen.head }));
      }
    }
    if (refused) return;
    const reader = this.#reader();
    const key = `${seen.size}:${seen.root.toString('hex')}`;
    let ok = true;
    for (const f of a.findings) {
      if (f.kind !== 'check' || reader === null) continue;
      const j = await resolvePair(f.from, f.to, reader);
      m?.checks.inc({ log: this.log.name, outcome: j.verdict });
      if (j.verdict === 'consistent') continue;
      ok = false;
      if (j.verdict === 'inconsistent') {
        this.#retry.delete(key);
        await this.#a.raise('inconsistent', () =>
          inconsistentEvidence({ ...by, older: f.from.head, newer: f.to.head, consistency: j.derivation }),
        );
        return;
      }
      const r = this.#retry.get(key) ?? { seen, attempts: [] };
      r.attempts.push(
        attempt(`consistency ${f.from.size} → ${f.to.size} from ${this.log.spec.url ?? this.log.name}`, this.#a.ctx.now(), j.why),
      );
      if (r.attempts.length >= this.#a.proofAttempts) {
        this.#retry.delete(key);
        await this.#a.raise('proof-refused', () =>
          proofRefusedEvidence({ ...by, older: f.from.head, newer: f.to.head, attempts: r.attempts }),
        );
      } else {
        this.#retry.set(key, r);
      }
      return;
    }
    if (ok) {
      this.#retry.delete(key);
      this.view.add(seen);
      this.#dirty = true;
    }
  }

  async #checkPromises(): Promise<void> {
    const last = this.view.freshest;
    const reader = this.#reader();
    if (!last || last.timeNs === null || reader === null) return;
    const due = this.#a.book.due(this.log.name, last.timeNs);
    this.#a.metrics?.promises.set({ log: this.log.name }, this.#a.book.pending(this.log.name).length);
    for (const p of due) await this.#promises.check(p, last, this.view, reader);
  }

  async #persist(): Promise<void> {
    if (!this.#dirty) return;
    const heads = this.view.heads.map((s) => s.head);
    const latest = this.view.latest;
    const body = fit((hs): LogStateBody => ({ v: 1, heads: hs }), heads);
    const ok = await this.#store.compareAndSwap(this.#key, this.#revision, {
      size: latest?.size ?? 0,
      rootHash: latest?.root ?? Buffer.alloc(32),
      body,
    });
    if (ok) {
      this.#revision++;
      this.#dirty = false;
    } else {
      this.#revision = (await this.#store.get(this.#key))?.revision ?? 0;
    }
  }
}
