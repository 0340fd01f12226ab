/**
 * The timing of one tree, derived from its maximum merge delay (RFC 6962 §3:
 * "the log MUST incorporate a certificate in its Merkle Tree within the
 * Maximum Merge Delay"; the hub makes the same promise for its SGTs). Both
 * personalities take their timing from here, so a hub and a CT log with one
 * MMD sequence, re-sign and watch their backlog alike.
 *
 * The promise must survive a leader that dies. Worst case, for an entry
 * promised at t (its SCT/SGT timestamp):
 *
 *   t ─ leader renews its lease, then dies
 *     ├─ lease TTL ──────────┤ the lease expires (storage clock)
 *                            ├─ interval ─┤ a standby's next try takes it
 *                                         ├─ first run ─┤ merged, head signed
 *
 * so `takeoverMs` = lease TTL + interval must leave room in the MMD for the
 * new leader's first run (load the head and edge tiles, integrate one batch)
 * and for the clock skew between the frontend that stamped the entry and the
 * one that signs the head. That room is max(1 s, MMD/2); a timing that does
 * not leave it is refused (SetupError BAD_CONFIG) rather than run with a
 * promise it cannot keep.
 *
 * Pure: no clock, no I/O.
 */
import { SetupError } from '../errors.ts';

/** Room left in the MMD for the new leader's first run and frontends' clock skew, at least. */
export const TAKEOVER_RUN_ALLOWANCE_MS = 1000;
/** The lease is renewed once per run: an idle leader renews it this many times per TTL at least. */
export const LEASE_RENEWALS_PER_TTL = 3;
/** Longest default lease: a dead leader is replaced within about this long even under a long MMD. */
export const MAX_DEFAULT_LEASE_TTL_MS = 5000;

export interface TimingOverrides {
  /** Sequencer pause when the queue is drained, ms. Default min(200, MMD/10). */
  readonly intervalMs?: number;
  /** Sequencer lease, ms. Default: as long as the MMD allows, at most 5 s. */
  readonly leaseTtlMs?: number;
  /** Sign a fresh head when the latest is this old, ms; 0 disables. Default: the MMD. */
  readonly maxRootAgeMs?: number;
  /** How often the merge watchdog probes the backlog, ms. Default min(1000, MMD/10), at least 10. */
  readonly watchIntervalMs?: number;
}

export interface TreeTiming {
  readonly mmdMs: number;
  readonly intervalMs: number;
  readonly leaseTtlMs: number;
  /** An idle tree signs a fresh head at least this often, so its newest head is never older than the MMD. */
  readonly maxRootAgeMs: number;
  readonly watchIntervalMs: number;
  /** Worst case from a leader's death until a standby holds the lease: lease TTL + interval. */
  readonly takeoverMs: number;
  /** What `takeoverMs` may be at most: the MMD less max(1 s, MMD/2). */
  readonly takeoverBudgetMs: number;
}

/** Which value a timing problem is about (config files name it by their own key). */
export type TimingKey = 'mmd' | 'interval' | 'leaseTtl' | 'maxRootAge' | 'watchInterval';

export interface TimingProblem {
  readonly key: TimingKey;
  /** One line, "got X, want Y", without the key. */
  readonly message: string;
}

const LABELS: Record<TimingKey, string> = {
  mmd: 'MMD',
  interval: 'sequencer interval',
  leaseTtl: 'sequencer lease TTL',
  maxRootAge: 'maximum root age',
  watchInterval: 'watchdog interval',
};

/** The timing, or the first problem with it (pure; treeTiming throws it, config files report it at their key). */
export function checkTiming(mmdMs: number, o: TimingOverrides = {}): TreeTiming | TimingProblem {
  const integer = (key: TimingKey, v: number, min: number): TimingProblem | null =>
    Number.isSafeInteger(v) && v >= min ? null : { key, message: `got ${v} ms, want a whole number of ms ≥ ${min}` };
  const bad = integer('mmd', mmdMs, 1);
  if (bad) return bad;
  const intervalMs = o.intervalMs ?? Math.max(1, Math.min(200, Math.floor(mmdMs / 10)));
  const takeoverBudgetMs = mmdMs - Math.max(TAKEOVER_RUN_ALLOWANCE_MS, Math.floor(mmdMs / 2));
  const minLease = Math.max(1, LEASE_RENEWALS_PER_TTL * intervalMs);
  const leaseTtlMs = o.leaseTtlMs ?? Math.max(minLease, Math.min(MAX_DEFAULT_LEASE_TTL_MS, takeoverBudgetMs - intervalMs));
  const maxRootAgeMs = o.maxRootAgeMs ?? mmdMs;
  const watchIntervalMs = o.watchIntervalMs ?? Math.max(10, Math.min(1000, Math.floor(mmdMs / 10)));
  const first =
    integer('interval', intervalMs, 0) ??
    integer('leaseTtl', leaseTtlMs, 1) ??
    integer('maxRootAge', maxRootAgeMs, 0) ??
    integer('watchInterval', watchIntervalMs, 1);
  if (first) return first;
  if (leaseTtlMs < minLease) {
    return {
      key: 'leaseTtl',
      message: `got ${leaseTtlMs} ms, want at least ${LEASE_RENEWALS_PER_TTL} × the interval (${minLease} ms), so an idle leader keeps its lease`,
    };
  }
  const takeoverMs = leaseTtlMs + intervalMs;
  if (takeoverMs > takeoverBudgetMs) {
    return {
      // The lease when it was set; otherwise the defaults cannot fit and the MMD is what to change.
      key: o.leaseTtlMs !== undefined ? 'leaseTtl' : 'mmd',
      message:
        `with an MMD of ${mmdMs} ms a sequencer takeover takes up to ${takeoverMs} ms (lease ${leaseTtlMs} ms + interval ${intervalMs} ms), ` +
        `want at most ${Math.max(0, takeoverBudgetMs)} ms (the MMD less max(${TAKEOVER_RUN_ALLOWANCE_MS} ms, MMD/2) for the new leader's first run)`,
    };
  }
  return Object.freeze({ mmdMs, intervalMs, leaseTtlMs, maxRootAgeMs, watchIntervalMs, takeoverMs, takeoverBudgetMs });
}

/**
 * The timing of a tree with this MMD; overrides are checked, defaults are
 * derived. SetupError BAD_CONFIG when a value is out of range or the
 * worst-case takeover does not fit the MMD with its margin.
 */
export function treeTiming(mmdMs: number, o: TimingOverrides = {}): TreeTiming {
  const t = checkTiming(mmdMs, o);
  if ('key' in t) throw new SetupError('BAD_CONFIG', `${LABELS[t.key]}: ${t.message}`);
  return t;
}

/** The shortest MMD (ms) that `treeTiming` accepts with every default: tests of the takeover bound run at it. */
export function minimumMmdMs(): number {
  for (let mmd = TAKEOVER_RUN_ALLOWANCE_MS; ; mmd++) {
    try {
      treeTiming(mmd);
      return mmd;
    } catch {
      // too short; try the next
    }
  }
}
