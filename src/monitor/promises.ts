/**
 * Promises of inclusion the auditor holds (SCTs, SGTs) until they are shown
 * kept or broken (RFC 6962 §3: a log incorporates an entry "within the
 * MMD"; the hub's SGT likewise, specs/gossip-hub.md). A promise is due once
 * a head of its log is signed strictly after timestamp + MMD: that head must
 * contain it.
 *
 * Ownership: one PromiseBook per auditor; synchronous methods, so the
 * auditor's loops can share it. Bounded: the oldest promises go first when
 * full (counted by the caller). Pure.
 */
import type { SignedPromise } from '../evidence/index.ts';

export interface PendingPromise {
  /** Name of the log (or hub) that promised. */
  readonly log: string;
  readonly leafHash: Buffer;
  readonly timeNs: bigint;
  readonly deadlineNs: bigint;
  readonly signed: SignedPromise;
}

export class PromiseBook {
  readonly #byLog = new Map<string, Map<string, PendingPromise>>();
  #count = 0;
  readonly #max: number;

  constructor(max = 100_000) {
    this.#max = max;
  }

  get size(): number {
    return this.#count;
  }

  /** Adds a promise (once per leaf hash); returns false when it was known, or dropped because the book is full. */
  add(p: PendingPromise): boolean {
    let m = this.#byLog.get(p.log);
    if (!m) {
      m = new Map();
      this.#byLog.set(p.log, m);
    }
    const k = p.leafHash.toString('hex');
    if (m.has(k)) return false;
    if (this.#count >= this.#max) return false;
    m.set(k, p);
    this.#count++;
    return true;
  }

  /** Promises of `log` whose deadline is strictly before `headTimeNs`, oldest first. */
  due(log: string, headTimeNs: bigint): PendingPromise[] {
    const m = this.#byLog.get(log);
    if (!m) return [];
    return [...m.values()]
      .filter((p) => p.deadlineNs < headTimeNs)
      .sort((a, b) => (a.timeNs < b.timeNs ? -1 : a.timeNs > b.timeNs ? 1 : 0));
  }

  pending(log: string): PendingPromise[] {
    return [...(this.#byLog.get(log)?.values() ?? [])];
  }

  /** Done with a promise (kept, or reported broken). */
  settle(log: string, leafHash: Buffer): void {
    if (this.#byLog.get(log)?.delete(leafHash.toString('hex'))) this.#count--;
  }
}
