/** Plots: tree sizes, submissions, proofs, rejects and gossip over a chosen window, from the server's samples. */
import { useState } from 'preact/hooks';
import { usePoll } from './api.ts';
import { Loading, Problem } from './bits.tsx';
import { Chart } from './chart.tsx';
import { duration } from './format.ts';
import type { Plots as PlotsData } from './types.ts';

const WINDOWS = [
  ['5m', 300_000],
  ['15m', 900_000],
  ['1h', 3_600_000],
  ['6h', 21_600_000],
  ['24h', 86_400_000],
] as const;

export function Plots({ headingRef }: { headingRef: (el: HTMLHeadingElement | null) => void }) {
  const [win, setWin] = useState<string>('15m');
  const p = usePoll<PlotsData>(`/api/v1/plots?window=${win}`, 5000);
  const history = p.data?.historyMs ?? 3_600_000;
  const choices = WINDOWS.filter(([, ms]) => ms <= Math.max(history, 300_000));
  const shown = p.data?.plots.filter((x) => x.series.length > 0) ?? [];
  const hidden = p.data?.plots.filter((x) => x.series.length === 0).map((x) => x.title) ?? [];
  return (
    <section aria-labelledby="h-plots">
      <h2 id="h-plots" tabIndex={-1} ref={headingRef}>
        Plots
      </h2>
      <fieldset class="window-picker">
        <legend>Time window</legend>
        {choices.map(([w, ms]) => (
          <label key={w}>
            <input type="radio" name="window" value={w} checked={win === w} onChange={() => setWin(w)} />
            {duration(ms)}
          </label>
        ))}
      </fieldset>
      {p.data && (
        <p class="muted">
          Sampled every {duration(p.data.sampleIntervalMs)}, kept for {duration(p.data.historyMs)} in memory (a restart starts afresh).
        </p>
      )}
      {p.error && <Problem error={p.error} />}
      {!p.data ? (
        <Loading what="the samples" />
      ) : (
        <>
          <div class="grid plots">
            {shown.map((x) => (
              <Chart key={x.id} id={x.id} title={x.title} unit={x.unit} times={p.data!.times} series={x.series} />
            ))}
          </div>
          {hidden.length > 0 && <p class="muted">No data yet for: {hidden.join(', ')}.</p>}
        </>
      )}
    </section>
  );
}
