/**
 * The auditor (`grapevine audit`): one LogAudit per source log and one
 * HubAudit per hub (audit-log.ts, audit-hub.ts), run in rounds every
 * `intervalMs`; durable state in a HeadStore (resumes after a restart);
 * promises (SCTs, SGTs) handed in by collectors, submitters or the HTTP API
 * (promise-api.ts) are verified before they are held; incidents raised with
 * verified evidence through an IncidentReporter.
 *
 * Each round runs the hubs first (heads found in their entries go to the
 * logs' queues), then the logs. Rounds never overlap; a hostile server can
 * only make its own audit slow, within the bounded requests of fetch.ts.
 */
import { type HeadStore, MAX_HEAD_BODY_BYTES } from '../audit/index.ts';
import { checkSignedPromise, type SignedPromise } from '../evidence/index.ts';
import { msToNs } from '../hub/time.ts';
import type { IncidentLogger, IncidentReporter } from '../incidents/index.ts';
import { type AuditContext, makeRaise } from './audit-context.ts';
import { HubAudit } from './audit-hub.ts';
import { LogAudit } from './audit-log.ts';
import { MonitorError } from './errors.ts';
import type { MonitoredHub, MonitoredLog } from './logs.ts';
import type { MonitorMetrics } from './metrics.ts';
import type { ObserveContext } from './observe.ts';
import { PromiseBook } from './promises.ts';
import type { Seen } from './seen.ts';

export interface AuditorOptions {
  readonly logs: readonly MonitoredLog[];
  readonly hubs: readonly MonitoredHub[];
  readonly ctx: ObserveContext;
  readonly reporter: IncidentReporter;
  readonly store: HeadStore;
  readonly metrics?: MonitorMetrics;
  readonly log?: IncidentLogger;
  /** Between rounds, ms (default 10 s). */
  readonly intervalMs?: number;
  /** Poll the logs' own heads each round (default true). */
  readonly pollLogs?: boolean;
  readonly pageSize?: number;
  readonly maxLeaves?: number;
  readonly proofAttempts?: number;
  /** Consecutive failed polls before an unresponsive suspicion (default 5). */
  readonly unresponsiveAfter?: number;
  /** Promises held at most. */
  readonly maxPromises?: number;
}

export class Auditor {
  readonly #o: AuditorOptions;
  readonly #a: AuditContext;
  readonly #logs = new Map<string, LogAudit>();
  readonly #hubs = new Map<string, HubAudit>();
  #rounds = 0;
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<void> | null = null;
  #stopped = true;
  #opened: Promise<void> | null = null;
  /** Per promising log or hub name: the HeadStore revision of its persisted promises, and whether the book changed since. */
  readonly #promiseState = new Map<string, { revision: number; dirty: boolean }>();
  readonly #savedCount = new Map<string, number>();

  constructor(o: AuditorOptions) {
    this.#o = o;
    this.#a = {
      ctx: o.ctx,
      book: new PromiseBook(o.maxPromises ?? 100_000),
      ...(o.metrics ? { metrics: o.metrics } : {}),
      ...(o.log ? { log: o.log } : {}),
      maxLeaves: o.maxLeaves ?? 100_000,
      proofAttempts: o.proofAttempts ?? 3,
      unresponsiveAfter: o.unresponsiveAfter ?? 5,
      pageSize: o.pageSize ?? 1000,
      raise: makeRaise(o.reporter, o.log),
    };
    for (const l of o.logs) this.#logs.set(l.name, new LogAudit(l, this.#a, o.store, o.pollLogs ?? true));
    for (const h of o.hubs) {
      this.#hubs.set(h.name, new HubAudit(h, this.#a, o.store, (log, seen) => this.#logs.get(log.name)?.offer(seen)));
    }
  }

  /** Loads the persisted state (once). */
  open(): Promise<void> {
    this.#opened ??= (async () => {
      await this.#o.reporter.open();
      for (const x of [...this.#hubs.values(), ...this.#logs.values()]) await x.open();
      for (const name of [...this.#hubs.keys(), ...this.#logs.keys()]) await this.#loadPromises(name);
    })();
    return this.#opened;
  }

  /** Completed rounds (tests judge detection by rounds, not wall clock). */
  get rounds(): number {
    return this.#rounds;
  }

  /** Promises held, not yet shown kept or broken. */
  get pendingPromises(): number {
    return this.#a.book.size;
  }

  /** Entries of `hub` audited so far. */
  hubSize(hub: string): number {
    return this.#hubs.get(hub)?.size ?? 0;
  }

  /** The latest accepted head of a log. */
  latest(log: string): Seen | null {
    return this.#logs.get(log)?.view.latest ?? null;
  }

  /** Runs one round now (waits for a round in flight first). */
  async round(): Promise<void> {
    while (this.#running) await this.#running;
    this.#running = this.#round().finally(() => {
      this.#running = null;
    });
    return this.#running;
  }

  async #round(): Promise<void> {
    await this.open();
    for (const h of this.#hubs.values()) await h.round();
    for (const l of this.#logs.values()) await l.round();
    for (const name of [...this.#hubs.keys(), ...this.#logs.keys()]) await this.#savePromises(name);
    this.#rounds++;
  }

  start(): void {
    this.#stopped = false;
    const tick = () => {
      if (this.#stopped) return;
      this.round()
        .catch((err) => this.#o.log?.error({ err: (err as Error).message }, 'audit round failed'))
        .finally(() => {
          if (!this.#stopped) this.#timer = setTimeout(tick, this.#o.intervalMs ?? 10_000);
        });
    };
    tick();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    await this.#running;
  }

  /** A verified head of a log from elsewhere (a collector in the same process, a gossip service). */
  observe(log: string, seen: Seen): void {
    this.#logs.get(log)?.offer(seen);
  }

  /**
   * Holds a promise of log or hub `name` until its deadline. Throws
   * MonitorError CONFIG for an unknown name or one without an MMD,
   * BAD_SIGNATURE / BAD_RESPONSE for a promise that does not verify.
   * Returns false when it was already held (or the book is full).
   */
  addPromise(name: string, signed: SignedPromise): boolean {
    const target = this.#logs.get(name)?.log.evidence ?? this.#hubs.get(name)?.hub.evidence;
    if (!target) throw new MonitorError('CONFIG', `no log or hub named ${JSON.stringify(name)}`);
    if (target.mmdMs === undefined) throw new MonitorError('CONFIG', `${name} has no MMD configured: its promises cannot be judged`);
    let o: ReturnType<typeof checkSignedPromise>;
    try {
      o = checkSignedPromise(signed, target);
    } catch (err) {
      const code = (err as { code?: string }).code === 'BAD_SIGNATURE' ? 'BAD_SIGNATURE' : 'BAD_RESPONSE';
      throw new MonitorError(code, `promise of ${name}: ${(err as Error).message}`, { cause: err });
    }
    const added = this.#a.book.add({
      log: name,
      leafHash: o.leafHash,
      timeNs: o.timeNs,
      deadlineNs: o.timeNs + msToNs(target.mmdMs),
      signed,
    });
    if (added) this.#promiseState.set(name, { revision: this.#promiseState.get(name)?.revision ?? 0, dirty: true });
    return added;
  }

  #promiseKey(name: string): string {
    const id = this.#logs.get(name)?.log.id ?? this.#hubs.get(name)?.hub.id ?? name;
    return `promises:${id}`;
  }

  /** Loads the promises persisted for `name`; each is verified again before it is held. */
  async #loadPromises(name: string): Promise<void> {
    const r = await this.#o.store.get(this.#promiseKey(name));
    this.#promiseState.set(name, { revision: r?.revision ?? 0, dirty: false });
    if (!r) return;
    let list: SignedPromise[] = [];
    try {
      list = (JSON.parse(Buffer.from(r.body).toString('utf8')) as { promises?: SignedPromise[] }).promises ?? [];
    } catch {
      return;
    }
    for (const p of list) {
      try {
        this.addPromise(name, p);
      } catch {
        // No longer verifies (the key changed in the config): dropped.
      }
    }
    this.#promiseState.set(name, { revision: r.revision, dirty: false });
    this.#savedCount.set(name, this.#a.book.pending(name).length);
  }

  /**
   * Persists the promises `name` still holds, when they changed: the ones due
   * first, as many as fit the HeadStore's 64 KiB body (the rest are kept in
   * memory only, and lost on a restart).
   */
  async #savePromises(name: string): Promise<void> {
    const st = this.#promiseState.get(name) ?? { revision: 0, dirty: false };
    const pending = this.#a.book.pending(name);
    if (!st.dirty && pending.length === (this.#savedCount.get(name) ?? 0)) return;
    pending.sort((a, b) => (a.deadlineNs < b.deadlineNs ? -1 : a.deadlineNs > b.deadlineNs ? 1 : 0));
    let keep = pending.map((p) => p.signed);
    let body = Buffer.from(JSON.stringify({ v: 1, promises: keep }));
    while (body.length > MAX_HEAD_BODY_BYTES && keep.length > 0) {
      keep = keep.slice(0, Math.floor((keep.length * 3) / 4));
      body = Buffer.from(JSON.stringify({ v: 1, promises: keep }));
    }
    const ok = await this.#o.store.compareAndSwap(this.#promiseKey(name), st.revision, {
      size: keep.length,
      rootHash: Buffer.alloc(32),
      body,
    });
    if (ok) {
      this.#promiseState.set(name, { revision: st.revision + 1, dirty: false });
      this.#savedCount.set(name, pending.length);
    } else {
      this.#promiseState.set(name, { revision: (await this.#o.store.get(this.#promiseKey(name)))?.revision ?? 0, dirty: true });
    }
  }

  /** Names of everything audited, by kind, for status pages. */
  names(): { readonly logs: string[]; readonly hubs: string[] } {
    return { logs: [...this.#logs.keys()], hubs: [...this.#hubs.keys()] };
  }
}
