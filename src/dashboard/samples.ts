/**
 * The plots' memory: a bounded ring of samples of the process's metrics
 * (plots.ts), taken every `sampleIntervalMs` and kept for `historyMs`.
 * Nothing is written to disk: a restart starts the plots afresh.
 *
 * Bounds: `capacity` samples (history / interval, at most 20 000 by the
 * config's rule) × at most MAX_SERIES series per plot (label sets beyond
 * that are summed into "other"), 8 bytes each.
 *
 * Concurrency: `push` and `query` run on the event loop and never await, so
 * a query sees whole samples. The sampler's timer never overlaps itself.
 */
import type { Registry } from 'prom-client';
import { bucketEnds, type Labels, PLOTS, PLOTTED_METRICS, type PlotSpec, plotValues, seriesValues } from './plots.ts';

export const MAX_SERIES = 16;
const OTHER = 'other';

export interface PlotData {
  readonly id: string;
  readonly title: string;
  readonly unit: string;
  readonly series: readonly { readonly name: string; readonly values: readonly (number | null)[] }[];
}

export interface PlotsAnswer {
  /** Sample times, ms since the epoch, oldest first. */
  readonly times: readonly number[];
  readonly plots: readonly PlotData[];
}

export class SampleRing {
  readonly capacity: number;
  readonly #plots: readonly PlotSpec[];
  readonly #times: Float64Array;
  /** plot id → series name → values, slot-aligned with #times (NaN: no value in that sample). */
  readonly #series = new Map<string, Map<string, Float64Array>>();
  #next = 0;
  #count = 0;

  constructor(capacity: number, plots: readonly PlotSpec[] = PLOTS) {
    if (!Number.isSafeInteger(capacity) || capacity < 2) throw new RangeError(`sample ring: got capacity ${capacity}, want an integer ≥ 2`);
    this.capacity = capacity;
    this.#plots = plots;
    this.#times = new Float64Array(capacity);
    for (const p of plots) this.#series.set(p.id, new Map());
  }

  get size(): number {
    return this.#count;
  }

  /** Records one sample taken at `atMs`: each plot's series values. */
  push(atMs: number, values: ReadonlyMap<string, ReadonlyMap<string, number>>): void {
    const slot = this.#next;
    this.#times[slot] = atMs;
    for (const p of this.#plots) {
      const series = this.#series.get(p.id) as Map<string, Float64Array>;
      for (const arr of series.values()) arr[slot] = Number.NaN;
      for (const [name, v] of values.get(p.id) ?? []) {
        let arr = series.get(name);
        if (!arr) {
          const key = series.size < MAX_SERIES ? name : OTHER;
          arr = series.get(key);
          if (!arr) {
            arr = new Float64Array(this.capacity).fill(Number.NaN);
            series.set(key, arr);
          }
        }
        arr[slot] = Number.isNaN(arr[slot]) ? v : arr[slot] + v;
      }
    }
    this.#next = (slot + 1) % this.capacity;
    this.#count = Math.min(this.#count + 1, this.capacity);
  }

  /** The samples taken at or after `sinceMs`, as at most `points` points per series, oldest first. */
  query(sinceMs: number, points: number): PlotsAnswer {
    const slots: number[] = [];
    const first = (this.#next - this.#count + this.capacity) % this.capacity;
    for (let k = 0; k < this.#count; k++) {
      const slot = (first + k) % this.capacity;
      if (this.#times[slot] >= sinceMs) slots.push(slot);
    }
    const times = slots.map((i) => this.#times[i]);
    const ends = bucketEnds(slots.length, points);
    return {
      times: ends.map((i) => times[i]),
      plots: this.#plots.map((p) => {
        const series = [...(this.#series.get(p.id) as Map<string, Float64Array>)]
          .map(([name, arr]) => ({
            name,
            values: plotValues(
              p.kind,
              times,
              slots.map((i) => arr[i]),
              ends,
            ),
          }))
          .filter((x) => x.values.some((v) => v !== null))
          .sort((a, b) => (a.name === OTHER ? 1 : b.name === OTHER ? -1 : a.name.localeCompare(b.name)));
        return { id: p.id, title: p.title, unit: p.unit, series };
      }),
    };
  }
}

/** Reads the plotted metrics from a registry: each plot's series values now. */
export async function readPlotValues(registry: Registry, plots: readonly PlotSpec[] = PLOTS): Promise<Map<string, Map<string, number>>> {
  const metrics = new Map<string, { labels: Labels; value: number }[]>();
  for (const name of PLOTTED_METRICS) {
    const m = registry.getSingleMetric(name);
    if (!m) continue;
    const got = await m.get();
    metrics.set(
      name,
      got.values.map((v) => ({ labels: v.labels as Labels, value: v.value })),
    );
  }
  return new Map(plots.map((p) => [p.id, seriesValues(p, metrics)]));
}
