/**
 * The dashboard's plots, read from the process's Prometheus metrics: which
 * metric (and labels) makes which series. A part that registers one of these
 * metrics shows up without telling the dashboard; a new plot is one entry
 * here. Gauges are plotted as sampled; counters as a rate per second between
 * samples. Pure.
 */

export type Labels = Readonly<Record<string, string | number>>;

export interface MetricSeries {
  /** Prometheus metric name. */
  readonly metric: string;
  /** Which label sets count (default: all). */
  readonly where?: (l: Labels) => boolean;
  /** The series a label set belongs to (label sets with one name are summed). */
  readonly series: (l: Labels) => string;
}

export interface PlotSpec {
  readonly id: string;
  readonly title: string;
  readonly unit: string;
  /** gauge: the value; rate: a counter's increase per second. */
  readonly kind: 'gauge' | 'rate';
  readonly from: readonly MetricSeries[];
}

const s = (v: string | number | undefined) => String(v ?? '');

export const PLOTS: readonly PlotSpec[] = [
  {
    id: 'tree-size',
    title: 'Tree size',
    unit: 'entries',
    kind: 'gauge',
    from: [{ metric: 'grapevine_log_tree_size', series: (l) => s(l.tree) }],
  },
  {
    id: 'submissions',
    title: 'Submissions',
    unit: 'per second',
    kind: 'rate',
    from: [
      { metric: 'grapevine_log_leaves_queued_total', series: (l) => s(l.tree) },
      { metric: 'grapevine_log_leaves_duplicate_total', series: (l) => s(l.tree) },
    ],
  },
  {
    id: 'proofs',
    title: 'Proofs served',
    unit: 'per second',
    kind: 'rate',
    from: [
      {
        metric: 'grapevine_log_reads_total',
        where: (l) => l.op === 'inclusion' || l.op === 'consistency',
        series: (l) => `${s(l.tree)} ${s(l.op)}`,
      },
    ],
  },
  {
    id: 'rejects',
    title: 'Rejected submissions, by reason',
    unit: 'per second',
    kind: 'rate',
    from: [
      { metric: 'grapevine_ct_rejections_total', series: (l) => `CT ${s(l.code)}` },
      {
        metric: 'grapevine_hub_submissions_total',
        where: (l) => l.result !== 'new' && l.result !== 'duplicate',
        series: (l) => `hub ${s(l.result)}`,
      },
      { metric: 'grapevine_log_quota_rejections_total', series: (l) => `quota ${s(l.kind)}` },
    ],
  },
  {
    id: 'gossip',
    title: 'Gossip messages, by transport',
    unit: 'per second',
    kind: 'rate',
    from: [
      { metric: 'grapevine_gossip_submissions_total', where: (l) => l.result === 'ok', series: (l) => `loop → ${s(l.transport)}` },
      { metric: 'grapevine_gossip_received_total', series: (l) => `in: ${s(l.via)}` },
      { metric: 'grapevine_gossip_forwarded_total', series: (l) => `out: ${s(l.to)}` },
    ],
  },
  {
    id: 'witness',
    title: 'Witness add-checkpoint, by outcome',
    unit: 'per second',
    kind: 'rate',
    from: [{ metric: 'grapevine_witness_add_checkpoint_total', series: (l) => s(l.result) }],
  },
];

/** Every metric name the plots read. */
export const PLOTTED_METRICS: readonly string[] = [...new Set(PLOTS.flatMap((p) => p.from.map((f) => f.metric)))];

/** Series names longer than this are cut (label values may come from outside). */
export const MAX_SERIES_NAME = 80;

/** A plot's series values at one instant, from the metrics' label sets. */
export function seriesValues(
  plot: PlotSpec,
  metrics: ReadonlyMap<string, readonly { labels: Labels; value: number }[]>,
): Map<string, number> {
  const out = new Map<string, number>();
  for (const f of plot.from) {
    for (const v of metrics.get(f.metric) ?? []) {
      if (f.where && !f.where(v.labels)) continue;
      const name = f.series(v.labels).slice(0, MAX_SERIES_NAME);
      out.set(name, (out.get(name) ?? 0) + v.value);
    }
  }
  return out;
}

/**
 * At most `points` buckets over sample indices [0, n): each bucket's last
 * sample index. Buckets are equal runs of samples, the last one ending at n - 1.
 */
export function bucketEnds(n: number, points: number): number[] {
  if (n <= 0) return [];
  if (n <= points) return Array.from({ length: n }, (_, i) => i);
  const out: number[] = [];
  for (let b = 1; b <= points; b++) out.push(Math.round((b * n) / points) - 1);
  return out;
}

/**
 * One series as plotted, at the bucket ends: a gauge's sampled value, or a
 * counter's rate per second from the previous bucket end (null for the first
 * point, across a gap, or after a counter reset).
 */
export function plotValues(
  kind: PlotSpec['kind'],
  times: ArrayLike<number>,
  values: ArrayLike<number>,
  ends: readonly number[],
): (number | null)[] {
  const finite = (x: number) => (Number.isFinite(x) ? x : null);
  if (kind === 'gauge') return ends.map((i) => finite(values[i]));
  return ends.map((i, k) => {
    const j = k === 0 ? i - 1 : ends[k - 1];
    if (j < 0) return null;
    const dv = values[i] - values[j];
    const dt = (times[i] - times[j]) / 1000;
    if (!Number.isFinite(dv) || dt <= 0 || dv < 0) return null;
    return dv / dt;
  });
}
