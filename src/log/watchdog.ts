/**
 * The merge watchdog of one tree: whether a personality may promise a new
 * entry now (an SCT, an SGT: "merged within the MMD"), and the MMD metrics.
 *
 * New entries are refused
 * - at once and for good when this process's sequencer stopped on a fatal
 *   error (CORRUPT, INCONSISTENT_ROOT, …): its promises could not be kept;
 * - while the oldest unmerged entry is older than MMD/2 (the sequencer is
 *   dead or far behind everywhere), leaving the other half of the MMD to
 *   merge what was already promised. The backlog is probed every
 *   `intervalMs`; while refusing, every `refusal()` probes again (one probe
 *   shared by concurrent callers), so the refusal ends as soon as its cause
 *   does, not at the next timer tick.
 * An entry older than the MMD and still unmerged is a violation: counted
 * and logged at error.
 *
 * Concurrency: `#accepting` and the metrics are written only by `#probe`,
 * which is single-flight (`#inflight`); `refusal()` and `accepting` read
 * them between awaits.
 */
import type { Logger } from 'pino';
import type { LogMetrics } from './metrics.ts';
import type { LogStorage } from './storage.ts';

/** The queue time (ms) of the oldest unmerged entry, or null when none waits. */
export type BacklogProbe = () => Promise<number | null>;

/** The backlog probe over storage: one indexed read of the first pending leaf. */
export function backlogProbe(storage: Pick<LogStorage, 'pendingLeaves'>, treeId: number): BacklogProbe {
  return async () => {
    // Queue order follows promise order (exactly within a process; across frontends up to clock skew),
    // so the first pending leaf carries the oldest outstanding promise.
    const [first] = await storage.pendingLeaves(treeId, 1);
    return first ? first.queuedAt : null;
  };
}

/** Why a new entry may not be promised now. */
export interface Refusal {
  /** 'stopped': the sequencer stopped on a fatal error (for good); 'backlog': merging is behind (retry later). */
  readonly reason: 'stopped' | 'backlog';
  readonly message: string;
}

export interface WatchdogOptions {
  /** Tree name, for logs and metrics. */
  readonly tree: string;
  readonly mmdMs: number;
  /** How often the backlog is probed, ms. */
  readonly intervalMs: number;
  /** Null: no backlog is watched (nothing is refused for it). */
  readonly probe: BacklogProbe | null;
  /** This process's sequencer, if any: its `fatal` stops promises at once. */
  readonly sequencer?: { readonly fatal: unknown } | null;
  readonly clock?: () => number;
  readonly logger?: Logger;
  readonly metrics?: LogMetrics;
}

export class MergeWatchdog {
  readonly #o: WatchdogOptions;
  readonly #clock: () => number;
  #accepting = true;
  #timer: NodeJS.Timeout | null = null;
  #inflight: Promise<void> | null = null;

  constructor(opts: WatchdogOptions) {
    this.#o = opts;
    this.#clock = opts.clock ?? Date.now;
  }

  /** Probes once, then every `intervalMs` until stop(). */
  async start(): Promise<void> {
    if (this.#timer || !this.#o.probe) return;
    await this.check();
    this.#timer = setInterval(() => void this.check(), this.#o.intervalMs);
    this.#timer.unref();
  }

  /** Stops the timer and waits for a probe in flight. */
  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    await this.#inflight;
  }

  /** One probe now (the timer's step; tests call it with a driven clock). Never rejects: a failed probe changes nothing. */
  check(): Promise<void> {
    return this.#shared(true);
  }

  /** The probe in flight, or a new one; `watch`: count and log MMD violations (the timer's probes only). */
  #shared(watch: boolean): Promise<void> {
    this.#inflight ??= this.#probe(watch).finally(() => {
      this.#inflight = null;
    });
    return this.#inflight;
  }

  /** False while new entries are refused for the backlog (the fatal stop is `stopped`). */
  get accepting(): boolean {
    return this.#accepting;
  }

  /** The sequencer's fatal error, once it stopped on one. */
  get stopped(): unknown {
    return this.#o.sequencer?.fatal ?? null;
  }

  /**
   * Null when a new entry may be promised now; otherwise why not. Costs no
   * I/O while accepting; while refusing for the backlog it probes again first.
   */
  async refusal(): Promise<Refusal | null> {
    const fatal = this.stopped;
    if (fatal) {
      return {
        reason: 'stopped',
        message: `the sequencer stopped on a fatal error (${errorCode(fatal)}); no new entries are accepted, so no promise is made that could not be kept`,
      };
    }
    if (this.#accepting) return null;
    // Refusing: probe again now, so the refusal ends with its cause. (Violations are counted by the timer only.)
    await this.#shared(false);
    if (this.#accepting) return null;
    return {
      reason: 'backlog',
      message: 'the merge backlog is over half the MMD; refusing new entries until the sequencer catches up; retry later',
    };
  }

  async #probe(watch: boolean): Promise<void> {
    const { probe, tree, mmdMs, logger, metrics } = this.#o;
    if (!probe) return;
    try {
      const oldest = await probe();
      const age = oldest === null ? 0 : Math.max(0, this.#clock() - oldest);
      metrics?.oldestUnmergedSeconds.set({ tree }, age / 1000);
      if (watch && age > mmdMs) {
        metrics?.mmdViolations.inc({ tree });
        logger?.error({ tree, ageMs: age, mmdMs }, 'an entry is older than the MMD and still not merged');
      }
      // Half the MMD leaves the sequencer time to merge what was already promised.
      const accepting = age <= mmdMs / 2;
      if (accepting !== this.#accepting) {
        logger?.warn({ tree, ageMs: age }, accepting ? 'accepting new entries again' : 'refusing new entries: merge backlog');
      }
      this.#accepting = accepting;
    } catch (err) {
      // A failed probe changes nothing: the storage error surfaces on the requests themselves.
      logger?.warn({ tree, err }, 'merge watchdog probe failed');
    }
  }
}

function errorCode(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : err instanceof Error ? err.name : 'unknown';
}
