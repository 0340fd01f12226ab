/**
 * The dashboard page: a header with the sections (links, so the keyboard and
 * the back button work), a banner while any proof incident exists, and the
 * section named by the URL fragment: #/overview, #/sources, #/plots,
 * #/incidents, #/incidents/<id>. On a section change the focus moves to its
 * heading. Every string from the API is rendered as text (Preact escapes it),
 * never as markup.
 */
import { render } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { onAuth, setToken, usePoll } from './api.ts';
import { IncidentList, IncidentView } from './incidents.tsx';
import { Overview } from './overview.tsx';
import { Plots } from './plots.tsx';
import { Sources } from './sources.tsx';
import type { Incidents } from './types.ts';
import './style.css';

type Route = { view: 'overview' | 'sources' | 'plots' | 'incidents' } | { view: 'incident'; id: string };

function parseRoute(hash: string): Route {
  const m = /^#\/incidents\/([^/?#]+)$/.exec(hash);
  if (m) return { view: 'incident', id: decodeURIComponent(m[1]) };
  const v = hash.replace(/^#\//, '');
  return v === 'sources' || v === 'plots' || v === 'incidents' ? { view: v } : { view: 'overview' };
}

const SECTIONS = [
  ['overview', 'Overview'],
  ['sources', 'Sources'],
  ['plots', 'Plots'],
  ['incidents', 'Incidents'],
] as const;

function TokenForm() {
  const [value, setValue] = useState('');
  return (
    <form
      class="card token"
      onSubmit={(e) => {
        e.preventDefault();
        setToken(value.trim());
      }}
    >
      <h2>Token needed</h2>
      <p>
        This server's dashboard asks for its token (the <code>dashboard.token</code> setting). It is kept for this tab only.
      </p>
      <label>
        Token <input type="password" autoComplete="off" value={value} onInput={(e) => setValue((e.target as HTMLInputElement).value)} />
      </label>{' '}
      <button type="submit">Open the dashboard</button>
    </form>
  );
}

function ProofBanner() {
  const p = usePoll<Incidents>('/api/v1/incidents?class=proof&limit=1', 5000);
  const n = p.data?.proofs ?? 0;
  if (n === 0) return null;
  const latest = p.data?.incidents[0];
  return (
    <div class="banner" role="alert" data-testid="proof-banner">
      <strong>
        {n} {n === 1 ? 'incident carries' : 'incidents carry'} cryptographic proof of log misbehaviour.
      </strong>{' '}
      {latest && <a href={`#/incidents/${encodeURIComponent(latest.id)}`}>Latest: {latest.summary}</a>}
    </div>
  );
}

function View({ route, headingRef }: { route: Route; headingRef: (el: HTMLHeadingElement | null) => void }) {
  switch (route.view) {
    case 'overview':
      return <Overview headingRef={headingRef} />;
    case 'sources':
      return <Sources headingRef={headingRef} />;
    case 'plots':
      return <Plots headingRef={headingRef} />;
    case 'incidents':
      return <IncidentList headingRef={headingRef} />;
    case 'incident':
      return <IncidentView id={route.id} headingRef={headingRef} />;
  }
}

function App() {
  const [route, setRoute] = useState<Route>(parseRoute(location.hash));
  const [needToken, setNeedToken] = useState(false);
  const heading = useRef<HTMLHeadingElement | null>(null);
  const first = useRef(true);
  useEffect(() => {
    const on = () => setRoute(parseRoute(location.hash));
    addEventListener('hashchange', on);
    const off = onAuth(setNeedToken);
    return () => {
      removeEventListener('hashchange', on);
      off();
    };
  }, []);
  useEffect(() => {
    // Move focus to the new section's heading (not on the first load: the page starts at the top).
    if (first.current) first.current = false;
    else heading.current?.focus();
    const name = route.view === 'incident' ? `Incident ${route.id}` : SECTIONS.find(([k]) => k === route.view)?.[1];
    document.title = `${name} · Grapevine`;
  }, [route.view, 'id' in route ? route.id : '']);
  const ref = (el: HTMLHeadingElement | null) => {
    heading.current = el;
  };
  const current = route.view === 'incident' ? 'incidents' : route.view;
  return (
    <>
      {/* A button, not a link to #main: the fragment is the router's. */}
      <button type="button" class="skip" onClick={() => document.getElementById('main')?.focus()}>
        Skip to content
      </button>
      <header class="top">
        <a class="brand" href="#/overview">
          <img src="/dashboard/icon.svg" alt="" width="22" height="22" /> Grapevine
        </a>
        <nav aria-label="Sections">
          <ul>
            {SECTIONS.map(([k, label]) => (
              <li key={k}>
                <a href={`#/${k}`} aria-current={current === k ? 'page' : undefined}>
                  {label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
      </header>
      {!needToken && <ProofBanner />}
      <main id="main" tabIndex={-1}>
        {needToken ? <TokenForm /> : <View route={route} headingRef={ref} />}
      </main>
      <footer>
        Read-only. Live: the page polls the JSON API at <code>/api/v1/</code> (docs/dashboard.md).
      </footer>
    </>
  );
}

render(<App />, document.getElementById('app') as HTMLElement);
