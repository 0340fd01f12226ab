/**
 * Token-bucket quotas in the manner of Trillian's quota system: a global
 * bucket, one per tree, and one per user string the personality charges
 * (client IP, source key, issuing CA…), for reads and writes separately.
 *
 * Buckets live in this process's memory: with N frontends each enforces its
 * own share (documented in ARCHITECTURE.md). Time comes from the injected
 * clock, so tests need no sleeping.
 *
 * Concurrency: `charge` is synchronous, so concurrent requests in one
 * process are serialized by the event loop; a charge either takes tokens
 * from every bucket it names or from none.
 */
import { QuotaError } from './errors.ts';

export type QuotaKind = 'read' | 'write';

/** One bucket's shape: `rate` tokens per second refill, up to `burst`. Omit a limit to leave it unlimited. */
export interface BucketSpec {
  readonly rate: number;
  readonly burst: number;
}

export interface QuotaSpec {
  readonly global?: Partial<Record<QuotaKind, BucketSpec>>;
  readonly perTree?: Partial<Record<QuotaKind, BucketSpec>>;
  readonly perUser?: Partial<Record<QuotaKind, BucketSpec>>;
  /** Cap on remembered user buckets; the least recently used are dropped (they refill to full anyway). */
  readonly maxUsers?: number;
}

class Bucket {
  tokens: number;
  updated: number;
  constructor(
    readonly spec: BucketSpec,
    now: number,
  ) {
    this.tokens = spec.burst;
    this.updated = now;
  }
  refill(now: number): void {
    if (now > this.updated) {
      this.tokens = Math.min(this.spec.burst, this.tokens + ((now - this.updated) / 1000) * this.spec.rate);
      this.updated = now;
    }
  }
  /** Milliseconds until `n` tokens are available (0 when they are). */
  waitFor(n: number): number {
    if (this.tokens >= n) return 0;
    if (this.spec.rate <= 0) return Number.POSITIVE_INFINITY;
    return ((n - this.tokens) / this.spec.rate) * 1000;
  }
}

export class QuotaManager {
  readonly #spec: QuotaSpec;
  readonly #now: () => number;
  readonly #buckets = new Map<string, Bucket>();
  readonly #maxUsers: number;

  constructor(spec: QuotaSpec = {}, now: () => number = Date.now) {
    this.#spec = spec;
    this.#now = now;
    this.#maxUsers = spec.maxUsers ?? 100_000;
  }

  /**
   * Takes `tokens` from the global, tree and user buckets of `kind`, or throws
   * QuotaError naming the first bucket that is short (and takes nothing).
   */
  charge(kind: QuotaKind, treeId: number, users: readonly string[] = [], tokens = 1): void {
    const now = this.#now();
    const buckets: [string, Bucket][] = [];
    const add = (name: string, spec: BucketSpec | undefined) => {
      if (!spec) return;
      let b = this.#buckets.get(name);
      if (!b) {
        b = new Bucket(spec, now);
        this.#remember(name, b);
      } else if (name.startsWith('user:')) {
        this.#remember(name, b); // LRU touch
      }
      b.refill(now);
      buckets.push([name, b]);
    };
    add(`global:${kind}`, this.#spec.global?.[kind]);
    add(`tree:${treeId}:${kind}`, this.#spec.perTree?.[kind]);
    for (const u of users) add(`user:${u}:${kind}`, this.#spec.perUser?.[kind]);
    for (const [name, b] of buckets) {
      const wait = b.waitFor(tokens);
      if (wait > 0) throw new QuotaError(name, wait);
    }
    for (const [, b] of buckets) b.tokens -= tokens;
  }

  #remember(name: string, b: Bucket): void {
    this.#buckets.delete(name);
    this.#buckets.set(name, b);
    if (this.#buckets.size > this.#maxUsers + 16) {
      for (const k of this.#buckets.keys()) {
        if (k.startsWith('user:')) {
          this.#buckets.delete(k);
          break;
        }
      }
    }
  }
}
