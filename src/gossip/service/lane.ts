/**
 * One transport's outgoing lane: at most `maxInFlight` sends at once, a
 * bounded queue behind them, and backoff when the transport fails — so a
 * slow or broken transport costs a bounded amount of memory and never holds
 * up the others (the "a failing transport is retried with backoff
 * and reported; the others keep working").
 *
 * - A send that rejects puts the lane in backoff: nothing is sent for
 *   `backoffMs` (doubling per consecutive failure up to `maxBackoffMs`), then
 *   the queue is retried in order, the failed message first. A success resets
 *   the backoff.
 * - The queue holds at most `maxQueued` messages; beyond that the oldest is
 *   dropped and counted (fresh gossip is worth more than stale).
 *
 * Concurrency: all state is touched from event-loop turns only (push, the
 * send callbacks, the backoff timer); `#pump` is the only place sends start.
 */
import type { Outgoing, Transport } from './transport.ts';

export interface LaneOptions {
  readonly maxInFlight: number;
  readonly maxQueued: number;
  readonly backoffMs: number;
  readonly maxBackoffMs: number;
  /** A message was dropped: 'transport-busy' (queue full). */
  readonly onDrop: (reason: 'transport-busy') => void;
  /** A send failed (the lane backs off). */
  readonly onFailure: (err: unknown, failures: number) => void;
  readonly onSent: () => void;
}

export class TransportLane {
  readonly transport: Transport;
  readonly #o: LaneOptions;
  readonly #queue: Outgoing[] = [];
  #inFlight = 0;
  #failures = 0;
  #timer: NodeJS.Timeout | null = null;
  #closed = false;
  /** Sends in flight, for close(). */
  readonly #running = new Set<Promise<void>>();

  constructor(transport: Transport, opts: LaneOptions) {
    this.transport = transport;
    this.#o = opts;
  }

  get queued(): number {
    return this.#queue.length;
  }

  get backingOff(): boolean {
    return this.#timer !== null;
  }

  push(msg: Outgoing): void {
    if (this.#closed) return;
    this.#queue.push(msg);
    if (this.#queue.length > this.#o.maxQueued) {
      this.#queue.shift();
      this.#o.onDrop('transport-busy');
    }
    this.#pump();
  }

  #pump(): void {
    while (!this.#closed && this.#timer === null && this.#inFlight < this.#o.maxInFlight && this.#queue.length > 0) {
      const msg = this.#queue.shift() as Outgoing;
      this.#inFlight++;
      let p: Promise<void>;
      try {
        p = Promise.resolve(this.transport.send(msg));
      } catch (err) {
        p = Promise.reject(err);
      }
      const done = p.then(
        () => {
          this.#failures = 0;
          this.#o.onSent();
        },
        (err) => this.#failed(msg, err),
      );
      const tracked = done.finally(() => {
        this.#inFlight--;
        this.#running.delete(tracked);
        this.#pump();
      });
      this.#running.add(tracked);
    }
  }

  #failed(msg: Outgoing, err: unknown): void {
    this.#failures++;
    this.#o.onFailure(err, this.#failures);
    if (this.#closed) return;
    this.#queue.unshift(msg);
    if (this.#queue.length > this.#o.maxQueued) {
      this.#queue.shift();
      this.#o.onDrop('transport-busy');
    }
    if (this.#timer === null) {
      const wait = Math.min(this.#o.maxBackoffMs, this.#o.backoffMs * 2 ** (this.#failures - 1));
      this.#timer = setTimeout(() => {
        this.#timer = null;
        this.#pump();
      }, wait);
      this.#timer.unref();
    }
  }

  /** Stops sending; waits for sends in flight. Queued messages are dropped. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#queue.length = 0;
    await Promise.allSettled([...this.#running]);
  }
}
