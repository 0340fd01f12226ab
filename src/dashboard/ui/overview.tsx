/** Overview: every service of this server with its health, latest signed head, MMD promise, and the latest events. */

import { usePoll } from './api.ts';
import { Badge, Head, HealthBadge, Loading, Problem } from './bits.tsx';
import { ago, duration } from './format.ts';
import type { ActivityEvent, Overview as OverviewData, ServiceStatus } from './types.ts';

const KIND_TEXT: Record<ServiceStatus['kind'], string> = {
  log: 'CT log',
  hub: 'Gossip Hub',
  witness: 'Witness',
  gossip: 'Gossip',
  monitor: 'Monitor',
  other: 'Part',
};

const MMD_TONE = { kept: 'ok', 'at-risk': 'warn', broken: 'error' } as const;

function ServiceCard({ s, now }: { s: ServiceStatus; now: number }) {
  return (
    <article class={`card service health-edge-${s.health}`} aria-labelledby={`svc-${s.id}`}>
      <header class="card-head">
        <span class="kind">{KIND_TEXT[s.kind] ?? s.kind}</span>
        <h3 id={`svc-${s.id}`}>{s.name}</h3>
        <HealthBadge health={s.health} />
      </header>
      <p class="detail">{s.detail}</p>
      {s.head && <Head head={s.head} now={now} />}
      {s.mmd && (
        <p class="mmd">
          MMD {duration(s.mmd.mmdMs)}: <Badge tone={MMD_TONE[s.mmd.state]}>{s.mmd.state === 'kept' ? 'promise kept' : s.mmd.state}</Badge>
        </p>
      )}
      {(s.path || (s.facts && s.facts.length > 0)) && (
        <dl class="facts">
          {s.path && (
            <div>
              <dt>API</dt>
              <dd>
                <code>{s.path}</code>
              </dd>
            </div>
          )}
          {s.facts?.map((f) => (
            <div key={f.label}>
              <dt>{f.label}</dt>
              <dd>
                {f.value}
                {f.atMs !== undefined && <span class="muted"> · {ago(f.atMs, now)}</span>}
              </dd>
            </div>
          ))}
        </dl>
      )}
    </article>
  );
}

const EVENT_TONE = { info: 'info', warn: 'warn', error: 'error' } as const;

function Events({ events, now }: { events: readonly ActivityEvent[]; now: number }) {
  if (events.length === 0) return <p class="muted">Nothing yet. Submit a certificate (README) and watch it arrive here.</p>;
  return (
    <ol class="events">
      {events.map((e) => (
        <li key={`${e.atMs}-${e.text}`} class={`event level-${e.level}`}>
          <time dateTime={new Date(e.atMs).toISOString()}>{ago(e.atMs, now)}</time>
          <Badge tone={EVENT_TONE[e.level]}>{e.kind}</Badge>
          <span class="event-text">{e.text}</span>
        </li>
      ))}
    </ol>
  );
}

export function Overview({ headingRef }: { headingRef: (el: HTMLHeadingElement | null) => void }) {
  const p = usePoll<OverviewData>('/api/v1/overview', 2000);
  const d = p.data;
  const now = d?.now ?? Date.now();
  const kinds = (Object.keys(KIND_TEXT) as ServiceStatus['kind'][])
    .map((k) => [KIND_TEXT[k], d?.services.filter((s) => s.kind === k).length ?? 0] as const)
    .filter(([, n]) => n > 0)
    .map(([label, n]) => `${n} ${label}`);
  return (
    <section aria-labelledby="h-overview">
      <h2 id="h-overview" tabIndex={-1} ref={headingRef}>
        Overview
      </h2>
      {p.error && <Problem error={p.error} />}
      {!d ? (
        <Loading what="the services" />
      ) : (
        <>
          <p class="summary">
            {d.services.length} services: {kinds.join(', ')}.{' '}
            {d.incidents.total === 0 ? (
              'No incidents.'
            ) : (
              <a href="#/incidents">
                {d.incidents.total} {d.incidents.total === 1 ? 'incident' : 'incidents'}
              </a>
            )}
          </p>
          <div class="grid" data-testid="services">
            {d.services.map((s) => (
              <ServiceCard key={s.id} s={s} now={now} />
            ))}
          </div>
          <h2 id="h-events">Recent activity</h2>
          <Events events={d.events} now={now} />
        </>
      )}
    </section>
  );
}
