/**
 * The server's state as the dashboard shows it: every part's status
 * (Part.status, src/http/status.ts) gathered into one snapshot. A part whose
 * status fails shows as one service in error with the reason; a part without
 * a status provider shows as running.
 *
 * Snapshots are shared: calls within `maxAgeMs` of the last one, or while one
 * is being taken, get the same snapshot, so ten clients polling cost one
 * round of status reads.
 */
import type { Part, ServiceStatus, SourceObservation } from '../http/index.ts';

export interface SiteSnapshot {
  /** When it was taken, ms since the epoch. */
  readonly atMs: number;
  readonly services: readonly ServiceStatus[];
  readonly observations: readonly SourceObservation[];
}

/** Longest error text shown for a failing status (it may quote outside input). */
const MAX_DETAIL = 500;

export class SiteStatus {
  readonly #parts: readonly Part[];
  readonly #clock: () => number;
  readonly #maxAgeMs: number;
  #last: SiteSnapshot | null = null;
  #inflight: Promise<SiteSnapshot> | null = null;

  constructor(parts: readonly Part[], o: { clock?: () => number; maxAgeMs?: number } = {}) {
    this.#parts = parts;
    this.#clock = o.clock ?? Date.now;
    this.#maxAgeMs = o.maxAgeMs ?? 500;
  }

  /** A snapshot at most `maxAgeMs` old. */
  snapshot(): Promise<SiteSnapshot> {
    if (this.#last && this.#clock() - this.#last.atMs < this.#maxAgeMs) return Promise.resolve(this.#last);
    this.#inflight ??= this.#take().finally(() => {
      this.#inflight = null;
    });
    return this.#inflight;
  }

  async #take(): Promise<SiteSnapshot> {
    const atMs = this.#clock();
    const each = await Promise.all(
      this.#parts.map(async (p) => {
        if (!p.status) {
          return {
            services: [{ id: p.name, kind: 'other' as const, name: p.name, health: 'ok' as const, detail: 'running' }],
            observations: [],
          };
        }
        try {
          const s = await p.status();
          return { services: s.services, observations: s.observations ?? [] };
        } catch (err) {
          const why = String((err as Error)?.message ?? err).slice(0, MAX_DETAIL);
          return {
            services: [
              { id: p.name, kind: 'other' as const, name: p.name, health: 'error' as const, detail: `status unavailable: ${why}` },
            ],
            observations: [],
          };
        }
      }),
    );
    const snap: SiteSnapshot = { atMs, services: each.flatMap((e) => e.services), observations: each.flatMap((e) => e.observations) };
    this.#last = snap;
    return snap;
  }
}
