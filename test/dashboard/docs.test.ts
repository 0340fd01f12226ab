/**
 * docs/dashboard.md as written works: against the demo site of `npm start`
 * (the built binary; one certificate logged, a split view injected), every
 * `curl` in its `sh` blocks is run with the live port (and the live incident
 * id in place of the documented one), and the `json` block after it is
 * checked against the answer — refusals exactly, other answers key by key
 * (every documented object has exactly the keys of a live one of its kind;
 * arrays are checked element by element against some live element). The
 * `npx grapevine` lines run with the built CLI in the same folder.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { grapevineAsync } from '../support/cli.ts';
import { waitUntil } from '../support/wait.ts';
import { DEMO_POLL, type Demo, firstIncident, gossiped, injectSplitView, startDemo, submitCertificate } from './demo.ts';

const DOC = fileURLToPath(new URL('../../docs/dashboard.md', import.meta.url));
const DOC_ID = 'fork-a186abb2ca329468';

interface Step {
  readonly commands: string[];
  readonly json?: unknown;
}

/** The sh blocks of the document, each with the json block right after it (if any). */
function steps(markdown: string): Step[] {
  const blocks = [...markdown.matchAll(/^```(sh|json)\n([\s\S]*?)^```$/gm)].map((m) => ({ lang: m[1], text: m[2] }));
  const out: Step[] = [];
  blocks.forEach((b, i) => {
    if (b.lang !== 'sh') return;
    const next = blocks[i + 1];
    out.push({
      commands: b.text.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#')),
      ...(next?.lang === 'json' ? { json: JSON.parse(next.text) } : {}),
    });
  });
  return out;
}

/** Where `doc` (an example) and `live` (an answer) differ in shape, or null. */
function shapeDiff(doc: unknown, live: unknown, at = '$'): string | null {
  if (Array.isArray(doc)) {
    if (!Array.isArray(live)) return `${at}: want an array, got ${JSON.stringify(live)?.slice(0, 80)}`;
    for (const [i, d] of doc.entries()) {
      if (live.length === 0) return `${at}: documented elements, live none`;
      const diffs = live.map((l) => shapeDiff(d, l, `${at}[${i}]`));
      if (diffs.every((x) => x !== null)) return diffs[0];
    }
    return null;
  }
  if (doc !== null && typeof doc === 'object') {
    if (live === null || typeof live !== 'object' || Array.isArray(live)) return `${at}: want an object`;
    const a = Object.keys(doc).sort();
    const b = Object.keys(live).sort();
    if (a.join() !== b.join()) return `${at}: documented keys ${a.join(', ')}; live keys ${b.join(', ')}`;
    for (const k of a) {
      const d = shapeDiff((doc as Record<string, unknown>)[k], (live as Record<string, unknown>)[k], `${at}.${k}`);
      if (d) return d;
    }
    return null;
  }
  // Plotted values may be null where there is no sample.
  if (typeof doc === 'number' && live === null) return null;
  return typeof doc === typeof live ? null : `${at}: documented a ${typeof doc}, live ${JSON.stringify(live)}`;
}

describe('docs/dashboard.md', () => {
  let demo: Demo;
  let incident: string;

  before(async () => {
    demo = await startDemo();
    await submitCertificate(demo);
    await gossiped(demo, 1);
    await injectSplitView(demo);
    incident = await firstIncident(demo);
    // The documented events include a certificate logged and an incident.
    await waitUntil(
      'the events to include the incident',
      async () => {
        const e = (await (await fetch(`${demo.url}/api/v1/events?limit=50`)).json()) as { events: { kind: string }[] };
        return e.events.some((x) => x.kind === 'incident') && e.events.some((x) => x.kind === 'logged');
      },
      DEMO_POLL,
    );
  });
  after(() => demo?.serve.stop());

  const all = steps(readFileSync(DOC, 'utf8'));

  it('has examples of every endpoint and of refusals', () => {
    const urls = all.flatMap((s) => s.commands).join('\n');
    for (const e of ['overview', 'sources', 'plots', 'incidents', 'incidents/', 'events']) assert.match(urls, new RegExp(`/api/v1/${e}`));
    assert.ok(all.filter((s) => (s.json as { error?: string } | undefined)?.error === 'BAD_PARAMETER').length >= 3);
  });

  for (const [n, step] of all.entries()) {
    it(`step ${n + 1}: ${step.commands.map((c) => c.replace(/^curl -s (-o \S+ )?/, '')).join('; ')}`, async () => {
      let answer: unknown;
      for (const raw of step.commands) {
        const cmd = raw.replaceAll('http://127.0.0.1:8080', demo.url).replaceAll(DOC_ID, incident);
        const curl = /^curl -s (?:-o (\S+) )?'?([^' ]+)'?$/.exec(cmd);
        if (curl) {
          const r = await fetch(curl[2]);
          const text = await r.text();
          if (curl[1]) {
            assert.equal(r.status, 200, text);
            writeFileSync(join(demo.dir, curl[1]), text);
          } else {
            answer = JSON.parse(text);
          }
          continue;
        }
        const npx = /^npx grapevine (.*)$/.exec(cmd);
        assert.ok(npx, `an sh line that is neither curl nor npx grapevine: ${cmd}`);
        const r = await grapevineAsync(npx[1].split(' '), { cwd: demo.dir });
        assert.equal(r.code, 0, `${cmd}\n${r.stdout}${r.stderr}`);
      }
      if (step.json === undefined) return;
      if ((step.json as { error?: unknown }).error !== undefined) assert.deepEqual(answer, step.json);
      else assert.equal(shapeDiff(step.json, answer), null);
    });
  }
});
