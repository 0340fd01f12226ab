/**
 * Everything an auditor knows about one log's heads, and the pure decision
 * of what a newly seen head means against them (issue 13 "Sources": every
 * head of a source that reaches it is checked against every other known
 * head of that source).
 *
 * The known heads form a chain ordered by size in which each neighbouring
 * pair has been proven consistent, so a new head needs checking only
 * against its two neighbours: consistency is transitive along the chain.
 * A head is added only once its checks pass (`add`); until then it stays
 * out, so an unproven head never vouches for another.
 *
 *   fork        same size, different root (proof on its own).
 *   empty-root  size 0 with a root other than SHA-256("").
 *   rollback    a larger head signed earlier than a smaller one (both timestamped).
 *   regression  the log served, as its latest, a smaller head than it served before,
 *               and no signed timestamps prove the order (suspicion).
 *   check       a consistency proof is needed between the new head and a neighbour.
 *
 * Ownership: one SourceView per log, owned by the auditor's loop for that
 * log; `assess` and `add` are synchronous, so a caller that awaits proofs in
 * between must re-assess before adding (the chain may have moved).
 * Pure: no I/O, no clock.
 */
import { EMPTY_ROOT } from '../merkle/index.ts';
import type { Seen } from './seen.ts';

export type Finding =
  | { readonly kind: 'fork'; readonly other: Seen }
  | { readonly kind: 'empty-root' }
  | { readonly kind: 'rollback'; readonly earlier: Seen; readonly later: Seen }
  | { readonly kind: 'regression'; readonly earlier: Seen }
  | { readonly kind: 'check'; readonly from: Seen; readonly to: Seen };

export interface Assessment {
  /** The very head (size and root) is already in the chain. */
  readonly known: boolean;
  readonly findings: readonly Finding[];
}

export class SourceView {
  /** Heads by increasing size, one per size; neighbours proven consistent. */
  #chain: Seen[] = [];
  /** The largest head the log served as its latest. */
  #latestClaim: Seen | null = null;
  /** Of the heads of the largest size in the chain, the one signed last (logs re-sign unchanged trees). */
  #freshest: Seen | null = null;
  readonly #maxHeads: number;

  constructor(maxHeads = 512) {
    this.#maxHeads = Math.max(4, maxHeads);
  }

  get heads(): readonly Seen[] {
    return this.#chain;
  }

  get size(): number {
    return this.#chain.at(-1)?.size ?? 0;
  }

  /** The largest known head. */
  get latest(): Seen | null {
    return this.#chain.at(-1) ?? null;
  }

  /**
   * The largest known head with the latest signed timestamp seen for its
   * (size, root): what "the log's tree as of now" is for promise deadlines.
   */
  get freshest(): Seen | null {
    return this.#freshest ?? this.latest;
  }

  #refresh(h: Seen): void {
    const top = this.#chain.at(-1);
    if (!top || top.size !== h.size || !top.root.equals(h.root) || h.timeNs === null) return;
    const cur = this.#freshest;
    if (!cur || cur.size !== h.size || cur.timeNs === null || h.timeNs > cur.timeNs) this.#freshest = h;
  }

  /** The head of `size` in the chain, if any. */
  at(size: number): Seen | undefined {
    const i = this.#index(size);
    return this.#chain[i]?.size === size ? this.#chain[i] : undefined;
  }

  /** The largest head signed strictly before `timeNs`, if any. */
  signedBefore(timeNs: bigint): Seen | undefined {
    let best: Seen | undefined;
    for (const h of this.#chain) if (h.timeNs !== null && h.timeNs < timeNs && (!best || h.size > best.size)) best = h;
    return best;
  }

  /** First index with size ≥ `size`. */
  #index(size: number): number {
    let lo = 0;
    let hi = this.#chain.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.#chain[mid].size < size) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  assess(h: Seen): Assessment {
    const findings: Finding[] = [];
    if (h.size === 0 && !h.root.equals(EMPTY_ROOT)) return { known: false, findings: [{ kind: 'empty-root' }] };
    const i = this.#index(h.size);
    const same = this.#chain[i]?.size === h.size ? this.#chain[i] : undefined;
    if (same && !same.root.equals(h.root)) findings.push({ kind: 'fork', other: same });
    // Signed time against size, both ways: a larger head signed before a smaller one.
    if (h.timeNs !== null) {
      const t = h.timeNs;
      const larger = this.#chain.slice(same ? i + 1 : i).filter((k) => k.timeNs !== null && k.timeNs < t);
      if (larger.length > 0)
        findings.push({
          kind: 'rollback',
          earlier: larger.reduce((a, b) => ((a.timeNs as bigint) <= (b.timeNs as bigint) ? a : b)),
          later: h,
        });
      const smaller = this.#chain.slice(0, i).filter((k) => k.timeNs !== null && k.timeNs > t);
      if (smaller.length > 0)
        findings.push({
          kind: 'rollback',
          earlier: h,
          later: smaller.reduce((a, b) => ((a.timeNs as bigint) >= (b.timeNs as bigint) ? a : b)),
        });
    }
    // Only a claim received after the larger one is a regression: an old claim may simply arrive late.
    const later = this.#latestClaim !== null && h.observedAtMs > this.#latestClaim.observedAtMs;
    if (h.latest && this.#latestClaim && later && h.size < this.#latestClaim.size && !findings.some((f) => f.kind === 'rollback')) {
      findings.push({ kind: 'regression', earlier: this.#latestClaim });
    }
    if (same) return { known: findings.length === 0, findings };
    const lower = this.#chain[i - 1];
    const upper = this.#chain[i];
    if (lower && lower.size > 0) findings.push({ kind: 'check', from: lower, to: h });
    if (upper && h.size > 0) findings.push({ kind: 'check', from: h, to: upper });
    return { known: false, findings };
  }

  /**
   * Adds a head whose `check` findings all passed (and that forks nothing).
   * Keeps at most `maxHeads`: the smallest and the newest are kept, the
   * oldest middle ones dropped (their neighbours stay consistent by
   * transitivity).
   */
  add(h: Seen): void {
    if (h.latest && (!this.#latestClaim || h.size > this.#latestClaim.size)) this.#latestClaim = h;
    const i = this.#index(h.size);
    if (this.#chain[i]?.size === h.size) {
      this.#refresh(h);
      return;
    }
    this.#chain.splice(i, 0, h);
    if (this.#chain.length > this.#maxHeads) this.#chain.splice(1, 1);
    this.#refresh(h);
  }

  /** Records a head already in the chain (same size and root): it may be a fresher signature of it, or the log's latest claim. */
  claimed(h: Seen): void {
    if (h.latest && (!this.#latestClaim || h.size > this.#latestClaim.size)) this.#latestClaim = h;
    this.#refresh(h);
  }
}
