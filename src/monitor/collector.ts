/**
 * The collector (`grapevine collect`): polls each configured source — a
 * log's own get-sth or checkpoint URL, or a hub's get-latest-for-src for the
 * log — verifies every head under the log's configured key, and hands each
 * new head (per log: not the (size, root) it last handed on) to every
 * destination that takes that log. Timing per poll: interval with jitter, a
 * minimum interval, exponential backoff on failures (schedule.ts). A poll
 * never overlaps itself; a slow destination delays only its own poll's next
 * round, and every request is bounded in time and size (fetch.ts), so a
 * hostile source or destination can stall neither the process nor the other
 * polls.
 *
 * Ownership: each poll's state (timer, failures, counts) belongs to its own
 * loop; `#lastHanded` is shared per log and only touched synchronously.
 */
import type { IncidentLogger } from '../incidents/index.ts';
import type { Destination } from './destinations.ts';
import type { MonitorError } from './errors.ts';
import type { MonitoredHub, MonitoredLog } from './logs.ts';
import type { MonitorMetrics } from './metrics.ts';
import { asMonitorError, type ObserveContext, pollHubLatest, pollLog } from './observe.ts';
import { nextDelayMs, type PollTiming } from './schedule.ts';
import type { Seen } from './seen.ts';

export interface PollSpec {
  /** Label for metrics and logs (unique). */
  readonly name: string;
  readonly log: MonitoredLog;
  /** Poll this hub's get-latest-for-src for the log instead of the log itself. */
  readonly via?: { readonly hub: MonitoredHub; readonly sourceId: string };
  readonly timing: PollTiming;
}

export interface CollectorOptions {
  readonly polls: readonly PollSpec[];
  readonly destinations: readonly Destination[];
  readonly ctx: ObserveContext;
  readonly metrics?: MonitorMetrics;
  readonly log?: IncidentLogger;
  /** Called with every verified head (new or not), e.g. to feed an auditor in the same process. */
  readonly onHead?: (log: MonitoredLog, seen: Seen, poll: string) => void;
  /** Random draws in [0, 1) for jitter (injected for tests). */
  readonly random?: () => number;
}

interface PollState {
  readonly spec: PollSpec;
  failures: number;
  polls: number;
  timer: NodeJS.Timeout | null;
  running: Promise<void> | null;
  lastError: MonitorError | null;
}

export class Collector {
  readonly #o: CollectorOptions;
  readonly #state: PollState[];
  readonly #lastHanded = new Map<string, string>();
  #stopped = true;

  constructor(o: CollectorOptions) {
    this.#o = o;
    this.#state = o.polls.map((spec) => ({ spec, failures: 0, polls: 0, timer: null, running: null, lastError: null }));
  }

  /** Starts every poll now (the first round is not delayed). */
  start(): void {
    this.#stopped = false;
    for (const s of this.#state) this.#schedule(s, 0);
  }

  /** Stops scheduling and waits for rounds in flight. */
  async stop(): Promise<void> {
    this.#stopped = true;
    for (const s of this.#state) if (s.timer) clearTimeout(s.timer);
    await Promise.all(this.#state.map((s) => s.running));
    await Promise.all(this.#o.destinations.map((d) => d.close?.().catch(() => {})));
  }

  /** Completed rounds of a poll (tests judge detection by poll counts, not wall clock). */
  pollCount(name: string): number {
    return this.#state.find((s) => s.spec.name === name)?.polls ?? 0;
  }

  /** The last failure of a poll, null after a success. */
  lastError(name: string): MonitorError | null {
    return this.#state.find((s) => s.spec.name === name)?.lastError ?? null;
  }

  /** Runs one round of every poll now, in parallel (for tests and the demo's driven steps). */
  async pollOnce(): Promise<void> {
    await Promise.all(this.#state.map((s) => (s.running ??= this.#round(s).finally(() => (s.running = null)))));
  }

  #schedule(s: PollState, delayMs: number): void {
    if (this.#stopped) return;
    s.timer = setTimeout(() => {
      s.timer = null;
      s.running ??= this.#round(s).finally(() => {
        s.running = null;
        this.#schedule(s, nextDelayMs(s.spec.timing, s.failures, (this.#o.random ?? Math.random)()));
      });
    }, delayMs);
  }

  async #round(s: PollState): Promise<void> {
    const { spec } = s;
    const m = this.#o.metrics;
    try {
      const seen = spec.via
        ? await pollHubLatest(spec.via.hub, spec.via.sourceId, spec.log, this.#o.ctx)
        : await pollLog(spec.log, this.#o.ctx);
      s.failures = 0;
      s.lastError = null;
      m?.polls.inc({ source: spec.name, outcome: 'ok' });
      if (seen === null) return;
      m?.headSize.set({ source: spec.name }, seen.size);
      this.#o.onHead?.(spec.log, seen, spec.name);
      await this.#handOn(spec.log, seen);
    } catch (err) {
      const e = asMonitorError(err, spec.name);
      s.failures++;
      s.lastError = e;
      m?.polls.inc({ source: spec.name, outcome: e.code });
      this.#o.log?.warn({ poll: spec.name, code: e.code, failures: s.failures }, `poll failed: ${e.message}`);
    } finally {
      s.polls++;
    }
  }

  async #handOn(log: MonitoredLog, seen: Seen): Promise<void> {
    const key = `${seen.size}:${seen.root.toString('hex')}`;
    if (this.#lastHanded.get(log.name) === key) return;
    this.#lastHanded.set(log.name, key);
    await Promise.all(
      this.#o.destinations
        .filter((d) => d.accepts(log))
        .map(async (d) => {
          try {
            await d.submit(log, seen);
            this.#o.metrics?.submissions.inc({ destination: d.name, source: log.name, outcome: 'ok' });
          } catch (err) {
            const e = asMonitorError(err, d.name);
            this.#o.metrics?.submissions.inc({ destination: d.name, source: log.name, outcome: e.code });
            this.#o.log?.warn({ destination: d.name, log: log.name, code: e.code }, `submission failed: ${e.message}`);
          }
        }),
    );
  }
}
