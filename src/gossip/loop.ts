/**
 * The gossip loop: every `intervalMs` it takes a log's current head (as any
 * observer would see it) and hands it to each transport — but only when the
 * head changed (another size or root) since that transport last took one, or
 * when `idleIntervalMs` (default one hour, the gossip drafts' rate) has passed
 * since. An idle CT log re-signs its STH every MMD; submitting each of those
 * would grow a hub by ~8,600 entries a day for nothing new.
 *
 * A transport that failed is tried again on the next round (its last sent
 * head is only recorded on success).
 *
 * Concurrency: rounds never overlap — the timer schedules the next round
 * after the previous one ended, and `runOnce` calls share a round in flight.
 * `#last` is written only inside a round.
 */
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import type { ObservedHead } from '../audit/index.ts';
import type { GossipTransport } from './transport.ts';

/** Default: an unchanged head is sent again at most once an hour. */
export const DEFAULT_IDLE_INTERVAL_MS = 3_600_000;

export interface GossipTarget {
  /** Names it in logs and metrics (e.g. the hub prefix). */
  readonly name: string;
  readonly transport: GossipTransport;
}

export interface GossipLoopOptions {
  /** The head to gossip now (e.g. the local CT log's STH). */
  readonly source: () => Promise<ObservedHead>;
  readonly targets: readonly GossipTarget[];
  /** How often the source is read, ms; 0: never by timer (only runOnce). */
  readonly intervalMs: number;
  /** An unchanged head is sent again only after this long, ms. Default one hour. */
  readonly idleIntervalMs?: number;
  readonly clock?: () => number;
  readonly logger?: Logger;
  readonly registry?: Registry;
}

interface Sent {
  readonly size: number;
  readonly rootHash: Buffer;
  readonly atMs: number;
}

function submissionsCounter(registry: Registry): Counter<'transport' | 'result'> {
  const name = 'grapevine_gossip_submissions_total';
  return (
    (registry.getSingleMetric(name) as Counter<'transport' | 'result'> | undefined) ??
    new Counter({ name, help: 'Heads handed to gossip transports, by result', labelNames: ['transport', 'result'], registers: [registry] })
  );
}

export class GossipLoop {
  readonly #o: GossipLoopOptions;
  readonly #clock: () => number;
  readonly #idleMs: number;
  readonly #counter?: Counter<'transport' | 'result'>;
  readonly #last = new Map<string, Sent>();
  #timer: NodeJS.Timeout | null = null;
  #running = false;
  #round: Promise<number> | null = null;

  constructor(opts: GossipLoopOptions) {
    this.#o = opts;
    this.#clock = opts.clock ?? Date.now;
    this.#idleMs = opts.idleIntervalMs ?? DEFAULT_IDLE_INTERVAL_MS;
    if (opts.registry) this.#counter = submissionsCounter(opts.registry);
  }

  /**
   * One round now: reads the head and sends it to each target that needs it
   * (changed, or idle interval passed; every target with `force`). Resolves
   * with the number of targets that took it.
   */
  runOnce(force = false): Promise<number> {
    if (force) return this.#run(true);
    this.#round ??= this.#run(false).finally(() => {
      this.#round = null;
    });
    return this.#round;
  }

  async #run(force: boolean): Promise<number> {
    if (this.#o.targets.length === 0) return 0;
    const head = await this.#o.source();
    const now = this.#clock();
    let ok = 0;
    for (const t of this.#o.targets) {
      const last = this.#last.get(t.name);
      const changed = !last || last.size !== head.size || !last.rootHash.equals(head.rootHash);
      if (!force && !changed && now - last.atMs < this.#idleMs) continue;
      try {
        await t.transport.send(head);
        this.#last.set(t.name, { size: head.size, rootHash: Buffer.from(head.rootHash), atMs: now });
        this.#counter?.inc({ transport: t.name, result: 'ok' });
        ok++;
      } catch (err) {
        this.#counter?.inc({ transport: t.name, result: 'error' });
        this.#o.logger?.warn({ err, transport: t.name }, 'gossip: the transport refused the head');
      }
    }
    return ok;
  }

  /** The head last handed to each target (size, root, when), or null before its first; in target order. */
  lastSent(): { readonly target: string; readonly sent: { size: number; root: string; atMs: number } | null }[] {
    return this.#o.targets.map((t) => {
      const s = this.#last.get(t.name);
      return { target: t.name, sent: s ? { size: s.size, root: s.rootHash.toString('hex'), atMs: s.atMs } : null };
    });
  }

  /** How often rounds run, ms (0: never by timer). */
  get intervalMs(): number {
    return this.#o.intervalMs;
  }

  /** Runs a round at once, then one every `intervalMs` after the previous ended. */
  start(): void {
    if (this.#running || this.#o.intervalMs <= 0 || this.#o.targets.length === 0) return;
    this.#running = true;
    const tick = () => {
      this.runOnce()
        .catch((err) => this.#o.logger?.warn({ err }, 'gossip round failed'))
        .finally(() => {
          if (this.#running) this.#timer = setTimeout(tick, this.#o.intervalMs);
        });
    };
    this.#timer = setTimeout(tick, 0);
  }

  /** Stops the timer and waits for a round in flight. */
  async stop(): Promise<void> {
    this.#running = false;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    await this.#round?.catch(() => {});
  }
}
