/**
 * One time-series chart, drawn by uPlot on a canvas, inside a <figure> whose
 * caption and text summary (the latest value of each series) say what the
 * canvas shows to those who cannot see it. Colours come from the page's CSS
 * custom properties, so light and dark both read; the chart is redrawn when
 * the scheme changes, resized with its container.
 */
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';

export interface ChartSeries {
  readonly name: string;
  readonly values: readonly (number | null)[];
}

const cssVar = (name: string) => getComputedStyle(document.documentElement).getPropertyValue(name).trim();

/** Distinguishable in both schemes (Okabe–Ito, with the grape accent first). */
const PALETTE = ['--series-1', '--series-2', '--series-3', '--series-4', '--series-5', '--series-6', '--series-7', '--series-8'];

function showLatest(u: uPlot): void {
  const n = u.data[0].length;
  if (n > 0 && !(u.cursor.left !== undefined && u.cursor.left >= 0)) u.setLegend({ idx: n - 1 });
}

export function fmtValue(v: number | null, unit: string): string {
  if (v === null || !Number.isFinite(v)) return '—';
  if (unit === 'entries') return Math.round(v).toLocaleString('en-US');
  return v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2);
}

function options(width: number, series: readonly ChartSeries[], unit: string): uPlot.Options {
  const text = cssVar('--text-muted');
  const grid = cssVar('--grid');
  const axis = { stroke: text, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 }, font: '12px system-ui, sans-serif' };
  return {
    width,
    height: 200,
    scales: { x: { time: true }, y: { range: (_u, min, max) => [Math.min(0, min ?? 0), Math.max(1, (max ?? 1) * 1.1)] } },
    axes: [
      axis,
      {
        ...axis,
        size: 56,
        values: (_u, ticks) => ticks.map((t) => fmtValue(t, unit)),
        // Counts have whole ticks.
        ...(unit === 'entries' ? { incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1e3, 2e3, 5e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9] } : {}),
      },
    ],
    series: [
      { value: (_u, v) => (v === null ? '—' : new Date(v * 1000).toLocaleTimeString()) },
      ...series.map((s, i) => ({
        label: s.name,
        stroke: cssVar(PALETTE[i % PALETTE.length]),
        width: 2,
        points: { show: false },
        value: (_u: uPlot, v: number | null) => fmtValue(v, unit),
      })),
    ],
    legend: { live: true },
    cursor: { drag: { x: false, y: false } },
    // Off the chart, the legend shows the latest values (on it, the values under the cursor).
    hooks: { draw: [(u) => showLatest(u)] },
  };
}

export function Chart({
  id,
  title,
  unit,
  times,
  series,
}: {
  id: string;
  title: string;
  unit: string;
  times: readonly number[];
  series: readonly ChartSeries[];
}) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const shape = useRef('');
  const data: uPlot.AlignedData = [times.map((t) => t / 1000), ...series.map((s) => s.values as (number | null)[])];
  const key = `${series.map((s) => s.name).join('\n')}\n${unit}`;

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const build = () => {
      plot.current?.destroy();
      plot.current = new uPlot(options(Math.max(240, el.clientWidth), series, unit), data, el);
      shape.current = key;
    };
    if (!plot.current || shape.current !== key) build();
    else plot.current.setData(data);
  });

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const ro = new ResizeObserver(() => plot.current?.setSize({ width: Math.max(240, el.clientWidth), height: 200 }));
    ro.observe(el);
    const scheme = matchMedia('(prefers-color-scheme: dark)');
    const rebuild = () => {
      shape.current = '';
      plot.current?.destroy();
      plot.current = null;
    };
    scheme.addEventListener('change', rebuild);
    return () => {
      ro.disconnect();
      scheme.removeEventListener('change', rebuild);
      plot.current?.destroy();
      plot.current = null;
    };
  }, []);

  const latest = series.map((s) => `${s.name}: ${fmtValue([...s.values].reverse().find((v) => v !== null) ?? null, unit)}`);
  return (
    <figure class="card chart" aria-labelledby={`plot-${id}`}>
      <figcaption id={`plot-${id}`}>
        {title} <span class="muted">({unit})</span>
      </figcaption>
      <div ref={box} class="chart-box" role="img" aria-label={`${title}. Latest: ${latest.join('; ') || 'no data'}`} />
    </figure>
  );
}
