/**
 * The feeder (`grapevine witness feed`): every interval, reads each log's
 * latest checkpoint (sources.ts) and submits it to each witness
 * (submit.ts), from the size that witness last cosigned for the log
 * (remembered per witness and log; 0 at first, which the witness answers
 * with 409 and its size). The same checkpoint is submitted again when the log
 * has not grown: the witness cosigns it with a fresh timestamp
 * (transparency-dev/witness #278: fresh timestamps are a feature).
 *
 * Failures are per (log, witness) and never stop the others or the loop; a
 * 422 means the witness holds a tree this log's checkpoint does not extend
 * (the witness keeps the evidence) and is logged at error.
 *
 * Concurrency: one round at a time (`runOnce` awaits every pair); `#known`
 * is written only by the round in flight.
 */
import type { Logger } from 'pino';
import type { WitnessClient } from './client.ts';
import { WitnessClientError } from './client.ts';
import type { FeedSource } from './sources.ts';
import { submitCheckpoint } from './submit.ts';

export interface FeedResult {
  readonly origin: string;
  readonly witness: string;
  /** cosigned; behind (the witness holds a larger tree); or failed. */
  readonly outcome: 'cosigned' | 'behind' | 'failed';
  /** The size the witness holds, when known. */
  readonly size?: number;
  readonly error?: string;
}

export interface FeederOptions {
  readonly sources: readonly FeedSource[];
  readonly witnesses: readonly WitnessClient[];
  readonly logger?: Logger;
}

export class WitnessFeeder {
  readonly #sources: readonly FeedSource[];
  readonly #witnesses: readonly WitnessClient[];
  readonly #logger: Logger | undefined;
  /** "witness url\norigin" → the size that witness holds. */
  readonly #known = new Map<string, number>();
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<unknown> | null = null;

  constructor(opts: FeederOptions) {
    this.#sources = opts.sources;
    this.#witnesses = opts.witnesses;
    this.#logger = opts.logger;
  }

  /** One round: every log to every witness. Never throws; the results say what failed. */
  async runOnce(): Promise<FeedResult[]> {
    const rounds = this.#sources.map(async (src) => {
      let latest: { note: string; size: number };
      try {
        latest = await src.latest();
      } catch (err) {
        this.#logger?.warn({ origin: src.origin, url: src.url, err: (err as Error).message }, 'feeder: cannot read the log');
        return this.#witnesses.map(
          (w): FeedResult => ({ origin: src.origin, witness: w.url, outcome: 'failed', error: (err as Error).message }),
        );
      }
      return Promise.all(this.#witnesses.map((w) => this.#feed(src, w, latest)));
    });
    return (await Promise.all(rounds)).flat();
  }

  async #feed(src: FeedSource, w: WitnessClient, latest: { note: string; size: number }): Promise<FeedResult> {
    const key = `${w.url}\n${src.origin}`;
    try {
      const r = await submitCheckpoint(w, latest.note, latest.size, src.proofs, this.#known.get(key) ?? 0);
      this.#known.set(key, r.size);
      return { origin: src.origin, witness: w.url, outcome: r.kind, size: r.size };
    } catch (err) {
      const refused = err instanceof WitnessClientError && err.status === 422;
      const level = refused ? 'error' : 'warn';
      this.#logger?.[level](
        { origin: src.origin, witness: w.url, size: latest.size, err: (err as Error).message },
        refused ? 'feeder: the witness refuses the log as inconsistent with what it cosigned' : 'feeder: submission failed',
      );
      // The witness's size is unknown now: the next round probes it again.
      this.#known.delete(key);
      return { origin: src.origin, witness: w.url, outcome: 'failed', error: (err as Error).message };
    }
  }

  /** Runs a round now and every `intervalMs` after the previous one ended. */
  start(intervalMs: number): void {
    if (this.#timer || this.#running) return;
    const loop = () => {
      this.#running = this.runOnce().finally(() => {
        this.#running = null;
        if (this.#timer !== null) this.#timer = setTimeout(loop, intervalMs);
      });
    };
    this.#timer = setTimeout(loop, 0);
  }

  /** Stops the loop and waits for the round in flight. */
  async stop(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    await this.#running;
  }
}
