/**
 * The gossip pool: the signed heads the service has seen, bounded in bytes,
 * with the retention rules of draft-ietf-trans-gossip-05 (gossip-protocols.md
 * §2.4–§2.5):
 *
 * - Fresh heads are kept: "STHs within the window SHOULD NOT be deleted"
 *   (flushing attacks, §10.3). A head leaves the pool when it goes stale
 *   (older than the 14-day window) or, under pressure, once it is resolved
 *   (a later head of its log was proven consistent with it: "records resolved
 *   to a newer STH are safe to drop"). When the pool is full of fresh,
 *   unresolved heads, a new head is refused (counted), never swapped for one
 *   already held: flooding cannot flush evidence out.
 * - Suspicious heads (part of an incident) are never flushed by volume; they
 *   have their own budget, and are in the incident store besides.
 * - One head per log per hour for pollination (§2.4, "clients silently ignore
 *   STHs from logs that issue more than 1 STH per hour"; at most 336 per log
 *   in the window): a head within an hour of one already pollinatable is kept
 *   and compared, but never handed out.
 * - Selection is random (§11.3 mixing: a CSPRNG, Fisher–Yates).
 *
 * Memory: `maxBytes` of head data plus a fixed overhead per entry
 * (ENTRY_OVERHEAD), and as much again for suspicious heads.
 *
 * Concurrency: synchronous methods, called from the service's event-loop
 * turns only; no method awaits.
 */
import type { GossipDataKind, ValidatedHead } from '../validate/index.ts';

/** Under pressure, the pool sweeps stale heads at most this often (ms). */
const SWEEP_EVERY_MS = 10_000;

/** Bytes charged per entry besides its data (maps, the head, the key). */
export const ENTRY_OVERHEAD = 256;
const HOUR_MS = 3_600_000;

export interface PoolEntry {
  /** Identity: hex SHA-256 of log id and data. */
  readonly key: string;
  /** Canonical id of the log. */
  readonly logId: string;
  readonly kind: GossipDataKind;
  readonly data: Buffer;
  readonly head: ValidatedHead;
  /** When the service received it, ms. */
  readonly receivedAtMs: number;
  /** Who gave it: `peer:<id>` or `transport:<name>`. */
  readonly from: string;
  /** Handed out by pollination (the first head of its log within an hour). */
  readonly pollinate: boolean;
  suspicious: boolean;
  resolved: boolean;
}

export type AddResult = 'added' | 'duplicate' | 'full';

export interface PoolOptions {
  readonly maxBytes: number;
  /** Freshness window, ms (14 days). */
  readonly windowMs: number;
  /** A uniform random integer in [0, n). */
  readonly randomInt: (n: number) => number;
}

export class GossipPool {
  readonly #opts: PoolOptions;
  readonly #entries = new Map<string, PoolEntry>();
  /** logId → size → entries of that size. */
  readonly #bySize = new Map<string, Map<number, PoolEntry[]>>();
  /** The pollinatable heads (an array for O(1) random picks, with each one's index), and per log their timestamps, sorted. */
  readonly #pollinatable: PoolEntry[] = [];
  readonly #pollIndex = new Map<PoolEntry, number>();
  readonly #pollTimes = new Map<string, number[]>();
  /** Heads marked resolved, in marking order: evicted first under pressure (entries gone meanwhile are skipped). */
  #resolved: PoolEntry[] = [];
  /** When the last sweep ran: under pressure a sweep (O(n)) runs at most once per SWEEP_EVERY_MS. */
  #lastSweepMs = Number.NEGATIVE_INFINITY;
  #bytes = 0;
  #suspiciousBytes = 0;

  constructor(opts: PoolOptions) {
    this.#opts = opts;
  }

  get bytes(): number {
    return this.#bytes;
  }

  get suspiciousBytes(): number {
    return this.#suspiciousBytes;
  }

  get size(): number {
    return this.#entries.size;
  }

  has(key: string): boolean {
    return this.#entries.has(key);
  }

  get(key: string): PoolEntry | undefined {
    return this.#entries.get(key);
  }

  /** The held heads of `logId` with tree size `size` (for fork checks). */
  sameSize(logId: string, size: number): readonly PoolEntry[] {
    return this.#bySize.get(logId)?.get(size) ?? [];
  }

  /** Every held head, in insertion order. */
  values(): IterableIterator<PoolEntry> {
    return this.#entries.values();
  }

  /** Every held head of `logId`. */
  *ofLog(logId: string): IterableIterator<PoolEntry> {
    for (const list of this.#bySize.get(logId)?.values() ?? []) yield* list;
  }

  static cost(data: Buffer): number {
    return data.length + ENTRY_OVERHEAD;
  }

  /** Adds a validated head received at `nowMs`. Sweeps stale and resolved heads first when over budget. */
  add(e: Omit<PoolEntry, 'pollinate' | 'suspicious' | 'resolved'>, nowMs: number): AddResult {
    if (this.#entries.has(e.key)) return 'duplicate';
    const cost = GossipPool.cost(e.data);
    if (this.#bytes + cost > this.#opts.maxBytes) this.#makeRoom(cost, nowMs);
    if (this.#bytes + cost > this.#opts.maxBytes) return 'full';
    const pollinate = e.kind === 'rfc6962-sth' && e.head.timestampMs !== null && !this.#pollinatedWithinHour(e.logId, e.head.timestampMs);
    const entry: PoolEntry = { ...e, pollinate, suspicious: false, resolved: false };
    if (pollinate) this.#addPollinatable(entry);
    this.#entries.set(e.key, entry);
    let sizes = this.#bySize.get(e.logId);
    if (!sizes) {
      sizes = new Map();
      this.#bySize.set(e.logId, sizes);
    }
    sizes.set(e.head.size, [...(sizes.get(e.head.size) ?? []), entry]);
    this.#bytes += cost;
    return 'added';
  }

  /** True when a pollinatable head of the log is within an hour of `ts` (binary search in its sorted timestamps). */
  #pollinatedWithinHour(logId: string, ts: number): boolean {
    const times = this.#pollTimes.get(logId);
    if (!times) return false;
    const i = lowerBound(times, ts);
    return (i < times.length && times[i] - ts < HOUR_MS) || (i > 0 && ts - times[i - 1] < HOUR_MS);
  }

  #addPollinatable(e: PoolEntry): void {
    this.#pollIndex.set(e, this.#pollinatable.length);
    this.#pollinatable.push(e);
    const ts = e.head.timestampMs as number;
    let times = this.#pollTimes.get(e.logId);
    if (!times) {
      times = [];
      this.#pollTimes.set(e.logId, times);
    }
    times.splice(lowerBound(times, ts), 0, ts);
  }

  #removePollinatable(e: PoolEntry): void {
    const i = this.#pollIndex.get(e);
    if (i === undefined) return;
    const last = this.#pollinatable.pop() as PoolEntry;
    if (last !== e) {
      this.#pollinatable[i] = last;
      this.#pollIndex.set(last, i);
    }
    this.#pollIndex.delete(e);
    const times = this.#pollTimes.get(e.logId);
    if (times) {
      times.splice(lowerBound(times, e.head.timestampMs as number), 1);
      if (times.length === 0) this.#pollTimes.delete(e.logId);
    }
  }

  /**
   * Up to `n` fresh pollinatable heads (at most one per log per hour),
   * uniformly at random: distinct random picks from the pollinatable set,
   * O(n) expected; stale ones met on the way leave the pool.
   */
  selectPollinatable(n: number, nowMs: number): PoolEntry[] {
    const all = this.#pollinatable;
    if (all.length <= 2 * n) return this.select(n, nowMs, (e) => e.pollinate);
    const chosen = new Set<PoolEntry>();
    for (let tries = 0; chosen.size < n && tries < 8 * n && all.length > 0; tries++) {
      const e = all[this.#opts.randomInt(all.length)];
      if (this.#isStale(e, nowMs)) {
        if (!e.suspicious) this.#remove(e);
        continue;
      }
      chosen.add(e);
    }
    return [...chosen];
  }

  /**
   * Marks a held head as part of an incident: from now on it is charged to
   * the suspicious budget and never swept by volume. False when it is not
   * held or the suspicious budget is spent (it is in the incident store anyway).
   */
  markSuspicious(key: string): boolean {
    const e = this.#entries.get(key);
    if (!e) return false;
    if (e.suspicious) return true;
    const cost = GossipPool.cost(e.data);
    if (this.#suspiciousBytes + cost > this.#opts.maxBytes) return false;
    e.suspicious = true;
    this.#bytes -= cost;
    this.#suspiciousBytes += cost;
    return true;
  }

  /** Marks a held head resolved: a later head of its log was proven consistent with it, so it may go under pressure. */
  markResolved(key: string): void {
    const e = this.#entries.get(key);
    if (e && !e.resolved) {
      e.resolved = true;
      this.#resolved.push(e);
    }
  }

  /** Drops stale heads (never suspicious ones). Returns how many went. */
  sweep(nowMs: number): number {
    this.#lastSweepMs = nowMs;
    let n = 0;
    for (const e of [...this.#entries.values()]) {
      if (!e.suspicious && this.#isStale(e, nowMs)) {
        this.#remove(e);
        n++;
      }
    }
    return n;
  }

  #isStale(e: PoolEntry, nowMs: number): boolean {
    // A checkpoint without a log timestamp ages from when it was received.
    return (e.head.timestampMs ?? e.receivedAtMs) < nowMs - this.#opts.windowMs;
  }

  /**
   * Stale heads first (a full sweep, at most once per SWEEP_EVERY_MS, so a
   * pool kept full by a flood does not scan itself on every add), then
   * resolved ones in the order they were resolved.
   */
  #makeRoom(cost: number, nowMs: number): void {
    if (nowMs - this.#lastSweepMs >= SWEEP_EVERY_MS) this.sweep(nowMs);
    while (this.#bytes + cost > this.#opts.maxBytes && this.#resolved.length > 0) {
      const e = this.#resolved.shift() as PoolEntry;
      if (this.#entries.get(e.key) === e && !e.suspicious) this.#remove(e);
    }
  }

  #remove(e: PoolEntry): void {
    this.#entries.delete(e.key);
    if (e.pollinate) this.#removePollinatable(e);
    const sizes = this.#bySize.get(e.logId);
    const list = sizes?.get(e.head.size)?.filter((x) => x !== e) ?? [];
    if (list.length > 0) sizes?.set(e.head.size, list);
    else sizes?.delete(e.head.size);
    if (sizes && sizes.size === 0) this.#bySize.delete(e.logId);
    if (e.suspicious) this.#suspiciousBytes -= GossipPool.cost(e.data);
    else this.#bytes -= GossipPool.cost(e.data);
  }

  /**
   * Up to `n` fresh heads chosen uniformly at random among those that pass
   * `filter` (a partial Fisher–Yates shuffle with the injected CSPRNG).
   */
  select(n: number, nowMs: number, filter: (e: PoolEntry) => boolean): PoolEntry[] {
    const pool = [...this.#entries.values()].filter((e) => !this.#isStale(e, nowMs) && filter(e));
    const k = Math.min(n, pool.length);
    for (let i = 0; i < k; i++) {
      const j = i + this.#opts.randomInt(pool.length - i);
      [pool[i], pool[j]] = [pool[j], pool[i]];
    }
    return pool.slice(0, k);
  }
}

/** The first index of `xs` (ascending) whose value is ≥ `x`. */
function lowerBound(xs: readonly number[], x: number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (xs[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
