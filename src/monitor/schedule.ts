/**
 * When to poll a source next: every `intervalMs` with ±`jitter` spread (so
 * many collectors do not poll in lockstep), never sooner than
 * `minIntervalMs` after the last poll, and on failures an exponential
 * backoff (interval × 2^failures, capped at `maxBackoffMs`). Pure: the random
 * draw in [0, 1) comes in.
 */
export interface PollTiming {
  readonly intervalMs: number;
  readonly minIntervalMs: number;
  /** Fraction of the interval, 0..1 (default 0.1). */
  readonly jitter: number;
  readonly maxBackoffMs: number;
}

export function nextDelayMs(t: PollTiming, consecutiveFailures: number, random: number): number {
  const base = consecutiveFailures === 0 ? t.intervalMs : Math.min(t.maxBackoffMs, t.intervalMs * 2 ** Math.min(consecutiveFailures, 30));
  const spread = base * t.jitter * (2 * random - 1);
  return Math.max(t.minIntervalMs, Math.round(base + spread));
}
