/**
 * Incidents: the list, newest first, and one incident with its evidence —
 * the verifier's verdict, the document itself, and a download of the file
 * `grapevine evidence verify` takes.
 */
import { useState } from 'preact/hooks';
import { download, usePoll } from './api.ts';
import { Badge, Loading, Problem } from './bits.tsx';
import { when } from './format.ts';
import type { IncidentAnswer, IncidentSummary, Incidents as IncidentsData } from './types.ts';

/** Evidence longer than this is shown cut (the download has it all). */
const MAX_SHOWN = 200_000;

function ClassBadge({ cls }: { cls: IncidentSummary['class'] }) {
  return <Badge tone={cls === 'proof' ? 'error' : 'warn'}>{cls}</Badge>;
}

const logName = (i: IncidentSummary) => i.log.name ?? `${i.log.id.slice(0, 16)}…`;

export function IncidentList({ headingRef }: { headingRef: (el: HTMLHeadingElement | null) => void }) {
  const p = usePoll<IncidentsData>('/api/v1/incidents?limit=200', 2000);
  return (
    <section aria-labelledby="h-incidents">
      <h2 id="h-incidents" tabIndex={-1} ref={headingRef}>
        Incidents
      </h2>
      <p class="muted">
        What the observers here raised, newest first. A <strong>proof</strong> incident carries evidence that proves misbehaviour on its
        own; a <strong>suspicion</strong> is worth a look but proves nothing.
      </p>
      {p.error && <Problem error={p.error} />}
      {!p.data ? (
        <Loading what="the incidents" />
      ) : p.data.incidents.length === 0 ? (
        <p class="empty">No incidents. Every head seen so far is consistent.</p>
      ) : (
        <div class="table-wrap">
          <table class="incidents" data-testid="incidents">
            <caption class="visually-hidden">Incidents, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Raised</th>
                <th scope="col">Class</th>
                <th scope="col">Kind</th>
                <th scope="col">Log</th>
                <th scope="col">What the evidence shows</th>
              </tr>
            </thead>
            <tbody>
              {p.data.incidents.map((i) => (
                <tr key={i.id}>
                  <td>
                    <time dateTime={new Date(i.raisedAtMs).toISOString()}>{when(i.raisedAtMs)}</time>
                  </td>
                  <td>
                    <ClassBadge cls={i.class} />
                  </td>
                  <td>{i.category}</td>
                  <td class="wrap">{logName(i)}</td>
                  <td class="wrap">
                    <a href={`#/incidents/${encodeURIComponent(i.id)}`}>{i.summary}</a>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

export function IncidentView({ id, headingRef }: { id: string; headingRef: (el: HTMLHeadingElement | null) => void }) {
  const p = usePoll<IncidentAnswer>(`/api/v1/incidents/${encodeURIComponent(id)}`, 10_000);
  const [saving, setSaving] = useState<string | null>(null);
  const i = p.data?.incident;
  const text = i ? JSON.stringify(i.evidence, null, 2) : '';
  const save = async () => {
    setSaving('Downloading…');
    try {
      await download(`/api/v1/incidents/${encodeURIComponent(id)}/evidence`, `${id}.json`);
      setSaving(`Saved as ${id}.json`);
    } catch (err) {
      setSaving(`Download failed: ${(err as Error).message}`);
    }
  };
  return (
    <section aria-labelledby="h-incident">
      <p>
        <a href="#/incidents">← All incidents</a>
      </p>
      <h2 id="h-incident" tabIndex={-1} ref={headingRef}>
        Incident <code>{id}</code>
      </h2>
      {p.error && <Problem error={p.error} />}
      {!i ? (
        !p.error && <Loading what="the incident" />
      ) : (
        <>
          <dl class="facts wide">
            <div>
              <dt>Class</dt>
              <dd>
                <ClassBadge cls={i.class} />
              </dd>
            </div>
            <div>
              <dt>Kind</dt>
              <dd>{i.category}</dd>
            </div>
            <div>
              <dt>Log</dt>
              <dd class="wrap">
                {i.log.name ?? '—'} <code class="hash">{i.log.id}</code>
              </dd>
            </div>
            {i.log.url && (
              <div>
                <dt>Log URL</dt>
                <dd class="wrap">{i.log.url}</dd>
              </div>
            )}
            <div>
              <dt>Raised by</dt>
              <dd class="wrap">{i.raisedBy}</dd>
            </div>
            <div>
              <dt>Raised</dt>
              <dd>{when(i.raisedAtMs)}</dd>
            </div>
          </dl>
          <div class={`verdict ${i.verdict.proves ? 'proves' : 'shows-nothing'}`} data-testid="verdict">
            <h3>
              {i.verdict.proves
                ? 'Verified: this evidence proves the log misbehaved'
                : i.class === 'proof'
                  ? 'Does not verify: this evidence proves nothing'
                  : 'A suspicion: its signatures check out, but it proves nothing'}
            </h3>
            <p>{i.verdict.line}</p>
            <p class="muted">
              Checked here from the document alone
              {i.verdict.keySource ? ` (log key: ${i.verdict.keySource})` : ''}. Check it yourself:{' '}
              <code>grapevine evidence verify {id}.json --key LOG_KEY.pem</code>
            </p>
          </div>
          <p>
            <button type="button" onClick={save}>
              Download evidence ({id}.json)
            </button>{' '}
            <span role="status">{saving}</span>
          </p>
          <details open={text.length < 20_000}>
            <summary>Evidence document ({Math.round(text.length / 1024)} KB)</summary>
            <pre class="evidence">{text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN)}\n… (cut; the download has it all)` : text}</pre>
          </details>
        </>
      )}
    </section>
  );
}
