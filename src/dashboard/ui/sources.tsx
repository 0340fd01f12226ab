/** Sources: every tracked log, the head each observer holds of it, and whether the views agree. */
import { usePoll } from './api.ts';
import { Badge, Hash, Loading, Problem } from './bits.tsx';
import { ago, count } from './format.ts';
import type { SourceRow, Sources as SourcesData } from './types.ts';

const AGREEMENT = {
  agree: { tone: 'ok', text: 'views agree' },
  single: { tone: 'muted', text: 'one view' },
  behind: { tone: 'info', text: 'some views behind' },
  conflict: { tone: 'error', text: 'SPLIT VIEW' },
} as const;

function Source({ s, now }: { s: SourceRow; now: number }) {
  const a = AGREEMENT[s.agreement];
  return (
    <article class={`card source agreement-${s.agreement}`} aria-labelledby={`src-${s.id}`}>
      <header class="card-head">
        <h3 id={`src-${s.id}`}>{s.name}</h3>
        <Badge tone={a.tone}>{a.text}</Badge>
      </header>
      <p class="detail">
        {s.detail}. Log id <Hash hex={s.id} />
      </p>
      <div class="table-wrap">
        <table>
          <caption class="visually-hidden">Heads of {s.name} by observer</caption>
          <thead>
            <tr>
              <th scope="col">Observer</th>
              <th scope="col" class="num">
                Size
              </th>
              <th scope="col">Root</th>
              <th scope="col">Signed</th>
              <th scope="col">Seen</th>
              <th scope="col" class="num">
                Cosignatures
              </th>
            </tr>
          </thead>
          <tbody>
            {s.views.map((v) => (
              <tr key={`${v.observer.kind}:${v.observer.name}`}>
                <th scope="row">{v.observer.name}</th>
                <td class="num">{count(v.head.size)}</td>
                <td>
                  <Hash hex={v.head.root} />
                </td>
                <td>{v.head.timestampMs === null ? '—' : ago(v.head.timestampMs, now)}</td>
                <td>{ago(v.observedAtMs, now)}</td>
                <td class="num">{v.cosignatures ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </article>
  );
}

export function Sources({ headingRef }: { headingRef: (el: HTMLHeadingElement | null) => void }) {
  const p = usePoll<SourcesData>('/api/v1/sources', 2000);
  const now = p.data?.now ?? Date.now();
  return (
    <section aria-labelledby="h-sources">
      <h2 id="h-sources" tabIndex={-1} ref={headingRef}>
        Sources
      </h2>
      <p class="muted">
        Each tracked log, and the latest head every observer here holds of it: the log itself, hubs, gossip services, witnesses. Two views
        of one size with different roots are a split view.
      </p>
      {p.error && <Problem error={p.error} />}
      {!p.data ? (
        <Loading what="the sources" />
      ) : p.data.sources.length === 0 ? (
        <p class="muted">No source is tracked by this server.</p>
      ) : (
        p.data.sources.map((s) => <Source key={s.id} s={s} now={now} />)
      )}
    </section>
  );
}
