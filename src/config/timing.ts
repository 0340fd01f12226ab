/**
 * The sequencer timing a config asks of one tree (its MMD, sequencer interval
 * and lease TTL), checked where the config names them, so a file whose
 * promise cannot be kept is refused with every other problem.
 */

import { z } from 'zod';
import { checkTiming } from '../log/index.ts';
import { doc, positiveDuration } from './fields.ts';

/** The `sequencer` section of a tree (CT log) or of every tree of a file (hub instances). */
export function sequencerSection(intervalDefault: string) {
  return doc(
    z
      .strictObject({
        interval: doc(positiveDuration.optional(), {
          description: 'Pause between sequencer runs when the queue is empty: the longest a new entry waits for the next run.',
          unit: 'duration',
          defaultText: intervalDefault,
        }),
        batchSize: doc(z.number().int().min(1).max(100_000).default(4096), {
          description: 'Most entries integrated per run (a full batch runs again at once).',
          unit: 'entries',
        }),
        leaseTtl: doc(positiveDuration.optional(), {
          description:
            "How long a sequencer's leader lease lasts unless renewed (once per run); at least three intervals. With several frontends on one database, a dead leader is replaced after at most leaseTtl + interval; that must leave max(1s, MMD/2) of the MMD for the new leader's first run.",
          unit: 'duration',
          defaultText: 'derived from the MMD (at most 5s)',
          trust:
            'too long delays merging past the MMD when a leader dies; too short lets a slow leader lose its lease to another frontend (no harm beyond wasted work: integration is a compare-and-swap).',
        }),
      })
      .prefault({}),
    { description: 'The sequencer, which integrates queued entries and signs tree heads.' },
  );
}

/** One tree's timing as configured: values in ms (undefined: not set), and the key path of each, for problems. */
export interface TreeTimingKeys {
  readonly mmdMs: number;
  /** The key the problem names when the MMD is the one to change, e.g. "mmd" or "instances[2].mmd". */
  readonly mmdKey: string;
  readonly intervalMs: number | undefined;
  readonly intervalKey: string;
  readonly leaseTtlMs: number | undefined;
  readonly leaseTtlKey: string;
}

/**
 * Problems with one tree's timing, or []. The interval must leave room in
 * the MMD (less than half of it); then the rules the servers apply at start
 * (src/log/timing.ts, one rule for config and runtime): a lease of at least
 * three intervals, and a worst-case takeover (lease + interval) that leaves
 * max(1 s, MMD/2) of the MMD for the new leader's first run.
 */
export function timingProblems(t: TreeTimingKeys): string[] {
  if (t.intervalMs !== undefined && t.intervalMs * 2 >= t.mmdMs) {
    return [
      `${t.mmdKey}: ${t.mmdMs} ms is not more than twice ${t.intervalKey} (${t.intervalMs} ms); want the interval below half the MMD`,
    ];
  }
  const r = checkTiming(t.mmdMs, { intervalMs: t.intervalMs, leaseTtlMs: t.leaseTtlMs });
  if (!('key' in r)) return [];
  const key = r.key === 'leaseTtl' ? t.leaseTtlKey : r.key === 'interval' ? t.intervalKey : t.mmdKey;
  return [`${key}: ${r.message}${key === t.mmdKey ? '' : ` (${t.mmdKey})`}`];
}
