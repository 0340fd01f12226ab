/**
 * POSTs each incident's JSON record (record.ts) to a URL, in the background:
 * `report` only queues. A bounded FIFO queue (an incident arriving when it is
 * full is dropped and counted: a flood of incidents must not grow memory
 * without bound), one delivery in flight, and per delivery up to
 * `maxAttempts` tries with exponential backoff and full jitter (AWS
 * "exponential backoff and jitter"), honouring Retry-After up to the cap.
 *
 * Retried: network errors, timeouts, 408, 429 and 5xx. Not retried: any
 * other status (the receiver refused the body; retrying cannot help).
 * A 2xx is delivered.
 *
 * Ownership: the queue and the worker flag belong to this object; `report`
 * pushes, the single worker (#drain) shifts. `close` waits up to
 * `closeTimeoutMs` for the queue to empty, then aborts the delivery in flight.
 */
import type { Incident } from '../evidence/index.ts';
import { incidentRecord } from './record.ts';
import { type IncidentLogger, type IncidentSink, NO_FAILURE_COUNT, type ReportContext, type SinkFailures } from './sink.ts';

export interface WebhookSinkOptions {
  readonly url: string;
  /** Extra request headers, e.g. Authorization. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Per attempt, ms (default 10 s). */
  readonly timeoutMs?: number;
  /** Tries per incident, first included (default 8). */
  readonly maxAttempts?: number;
  /** First backoff, ms (default 1 s); doubles per attempt. */
  readonly backoffMs?: number;
  /** Backoff cap, ms (default 5 min). */
  readonly maxBackoffMs?: number;
  /** Incidents waiting at most (default 1000). */
  readonly queueSize?: number;
  /** How long `close` waits for the queue, ms (default 10 s). */
  readonly closeTimeoutMs?: number;
  readonly fetch?: typeof fetch;
  readonly failures?: SinkFailures;
  readonly log?: IncidentLogger;
  /** Jitter source in [0, 1) (default Math.random; tests pass a constant). */
  readonly random?: () => number;
}

interface Job {
  readonly body: string;
  readonly id: string;
}

class Stopped extends Error {}

export class WebhookIncidentSink implements IncidentSink {
  readonly name = 'webhook';
  readonly #o: Required<Omit<WebhookSinkOptions, 'log' | 'headers'>> & Pick<WebhookSinkOptions, 'log' | 'headers'>;
  readonly #queue: Job[] = [];
  #worker: Promise<void> | null = null;
  #closing = false;
  readonly #stop = new AbortController();
  /** Resolved each time the queue empties and no delivery is in flight. */
  #idleWaiters: (() => void)[] = [];

  constructor(o: WebhookSinkOptions) {
    this.#o = {
      timeoutMs: 10_000,
      maxAttempts: 8,
      backoffMs: 1000,
      maxBackoffMs: 300_000,
      queueSize: 1000,
      closeTimeoutMs: 10_000,
      fetch: globalThis.fetch,
      failures: NO_FAILURE_COUNT,
      random: Math.random,
      ...o,
    };
  }

  async report(i: Incident, ctx: ReportContext): Promise<void> {
    if (this.#closing) return;
    if (this.#queue.length >= this.#o.queueSize) {
      this.#o.failures.failed(this.name, 'dropped');
      this.#o.log?.error({ incident: i.id, queue: this.#o.queueSize }, 'webhook queue full: incident dropped');
      return;
    }
    this.#queue.push({ id: i.id, body: JSON.stringify(incidentRecord(i, ctx)) });
    this.#worker ??= this.#drain();
  }

  /** Resolves when every queued incident has been delivered or given up on (for tests and close). */
  idle(): Promise<void> {
    if (this.#worker === null) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  async #drain(): Promise<void> {
    try {
      for (let job = this.#queue.shift(); job !== undefined; job = this.#queue.shift()) {
        try {
          await this.#deliver(job);
        } catch (err) {
          if (err instanceof Stopped) break;
          throw err;
        }
      }
    } finally {
      this.#worker = null;
      for (const w of this.#idleWaiters.splice(0)) w();
    }
  }

  async #deliver(job: Job): Promise<void> {
    let outcome = '';
    for (let attempt = 1; attempt <= this.#o.maxAttempts; attempt++) {
      let retryAfterMs: number | null = null;
      try {
        const res = await this.#o.fetch(this.#o.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...this.#o.headers },
          body: job.body,
          signal: AbortSignal.any([AbortSignal.timeout(this.#o.timeoutMs), this.#stop.signal]),
        });
        await res.body?.cancel();
        if (res.status >= 200 && res.status < 300) return;
        outcome = `HTTP ${res.status}`;
        if (!(res.status === 408 || res.status === 429 || res.status >= 500)) break;
        const ra = Number(res.headers.get('retry-after'));
        if (Number.isFinite(ra) && ra > 0) retryAfterMs = ra * 1000;
      } catch (err) {
        if (this.#stop.signal.aborted) throw new Stopped();
        outcome = (err as Error).name === 'TimeoutError' ? `timeout after ${this.#o.timeoutMs} ms` : (err as Error).message;
      }
      if (attempt === this.#o.maxAttempts) break;
      const exp = Math.min(this.#o.maxBackoffMs, this.#o.backoffMs * 2 ** (attempt - 1));
      await this.#sleep(Math.min(this.#o.maxBackoffMs, retryAfterMs ?? Math.floor(this.#o.random() * exp)));
    }
    this.#o.failures.failed(this.name, outcome.startsWith('timeout') ? 'timeout' : 'error');
    this.#o.log?.error({ incident: job.id, url: this.#o.url, outcome }, 'webhook delivery failed; incident not delivered');
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const t = setTimeout(resolve, ms);
      this.#stop.signal.addEventListener(
        'abort',
        () => {
          clearTimeout(t);
          reject(new Stopped());
        },
        { once: true },
      );
    });
  }

  async close(): Promise<void> {
    if (this.#closing) return this.idle();
    this.#closing = true;
    const idle = this.idle();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'timeout'>((r) => {
      timer = setTimeout(() => r('timeout'), this.#o.closeTimeoutMs);
    });
    const won = await Promise.race([idle.then(() => 'idle' as const), deadline]);
    clearTimeout(timer);
    if (won === 'timeout') {
      const left = this.#queue.length + 1;
      this.#queue.length = 0;
      this.#stop.abort();
      await idle;
      for (let k = 0; k < left; k++) this.#o.failures.failed(this.name, 'dropped');
      this.#o.log?.error({ url: this.#o.url, undelivered: left }, 'webhook sink closed with incidents undelivered');
    }
  }
}
