/**
 * Strings from outside, rendered inert: a server whose parts report hostile
 * names, details, source names, error texts and an incident whose evidence
 * carries hostile log names, URLs and observers (markup, event handlers,
 * quotes, a javascript: URL, 20 000 characters, non-ASCII and direction
 * controls). In Chromium, on every view: no script of theirs ran, no element
 * of theirs exists, the text is shown as text, and the page is no wider
 * than the window. The JSON API carries the strings unchanged.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { Registry } from 'prom-client';
import { generatePrivateKey, signerFromPrivateKey, signSth } from '../../src/crypto/index.ts';
import { forkEvidence, rfc6962Log, sthHead } from '../../src/evidence/index.ts';
import type { IncidentFeed, Part, PartStatus } from '../../src/http/index.ts';
import { IncidentReporter } from '../../src/incidents/index.ts';
import { type Server, startServer } from '../../src/server/index.ts';
import { type Browser, chromiumMissing, launchBrowser, screenshotDir } from './browser.ts';

const missing = chromiumMissing();
if (missing) process.stderr.write(`\n*** dashboard hostile-input browser tests ${missing} ***\n\n`);

const STUCK_MS = 60_000;

const H = {
  script: '<script>window.__pwned = "script"</script>',
  img: '"><img src=x onerror="window.__pwned=\'img\'">',
  quotes: `'"\`</td></pre></code><!--`,
  url: 'javascript:window.__pwned="url"',
  nonAscii: 'Grapevine — 日本語 🍇 Ünïcødé \u202eevil\u202c عربى',
  /** How the page shows nonAscii: its direction controls as visible markers, so nothing reads reversed. */
  nonAsciiShown: 'Grapevine — 日本語 🍇 Ünïcødé ⟦U+202E⟧evil⟦U+202C⟧ عربى',
  long: `${'W'.repeat(20_000)}-end`,
};

/** A part that reports what an attacker could get into names and messages. */
class HostilePart implements Part {
  readonly name = 'hostile';
  readonly #reporter: IncidentReporter;
  constructor(reporter: IncidentReporter) {
    this.#reporter = reporter;
  }
  readiness() {
    return [];
  }
  async mount() {}
  async start() {}
  async stop() {}
  async status(): Promise<PartStatus> {
    const head = { size: 7, root: 'ab'.repeat(32), timestampMs: Date.now() };
    return {
      services: [
        {
          id: 'hostile',
          kind: 'log',
          name: H.script,
          health: 'warn',
          detail: `${H.img} ${H.long}`,
          path: H.url,
          head,
          facts: [{ label: H.quotes, value: H.nonAscii }],
        },
      ],
      observations: [
        { source: { id: 'cd'.repeat(32), name: H.img }, observer: { kind: 'hub', name: H.script }, head },
        {
          source: { id: 'cd'.repeat(32), name: H.img },
          observer: { kind: 'gossip', name: H.long },
          head: { ...head, root: 'ef'.repeat(32) },
        },
      ],
    };
  }
  incidentFeeds(): readonly IncidentFeed[] {
    return [this.#reporter];
  }
}

/** A part whose status fails with a hostile message. */
const broken: Part = {
  name: 'broken',
  readiness: () => [],
  mount: async () => {},
  start: async () => {},
  stop: async () => {},
  status: async () => {
    throw new Error(`${H.img}${H.script}`);
  },
};

/** A real fork (two heads of one size, one key), named and observed with hostile strings. */
function hostileFork() {
  const signer = signerFromPrivateKey(generatePrivateKey('ecdsa-p256'));
  const now = Date.now();
  const sth = (label: string) =>
    signSth(signer, { treeSize: 3, timestamp: now - 1000, sha256RootHash: createHash('sha256').update(label).digest() });
  return forkEvidence({
    log: rfc6962Log({
      spki: signer.publicKey.spki,
      logId: createHash('sha256').update(signer.publicKey.spki).digest('hex'),
      name: `${H.img}${H.nonAscii}`,
      url: H.url,
    }),
    by: `${H.quotes}${H.script}`,
    atMs: now,
    heads: [sthHead(sth('a'), { by: H.script, from: H.img, atMs: now }), sthHead(sth('b'), { by: H.nonAscii, from: H.url, atMs: now })],
  });
}

describe('the dashboard renders hostile strings inert', { skip: missing ?? false }, () => {
  let server: Server;
  let browser: Browser;
  let shots: string;
  const saved: string[] = [];

  before(async () => {
    const reporter = new IncidentReporter({ observer: H.script, sinks: [] });
    server = await startServer({
      host: '127.0.0.1',
      port: 0,
      parts: [new HostilePart(reporter), broken],
      registry: new Registry(),
      dashboard: { enabled: true, token: '', historyMs: 600_000, sampleIntervalMs: 500 },
    });
    await reporter.raise(hostileFork());
    browser = await launchBrowser();
    shots = screenshotDir();
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    if (saved.length > 0) process.stdout.write(`\nHostile-input screenshots (${shots}):\n${saved.map((p) => `  ${p}`).join('\n')}\n`);
  });

  async function check(page: Page, errors: string[], name: string, texts: string[]): Promise<void> {
    for (const t of texts) {
      await page.waitForFunction((want) => (document.body.textContent ?? '').includes(want), t, { timeout: STUCK_MS });
    }
    const state = await page.evaluate(() => ({
      pwned: (window as unknown as { __pwned?: unknown }).__pwned ?? null,
      injected: document.querySelectorAll('img[src="x"], main script, [onerror]').length,
      overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
      jsLinks: [...document.querySelectorAll('a')].filter((a) => a.href.startsWith('javascript:')).length,
      bidi: /[\u202a-\u202e\u2066-\u2069]/.test(document.body.textContent ?? ''),
    }));
    assert.equal(state.bidi, false, `${name}: a direction control from outside is in the page's text`);
    assert.equal(state.pwned, null, `${name}: a hostile script ran`);
    assert.equal(state.injected, 0, `${name}: a hostile element is in the page`);
    assert.equal(state.jsLinks, 0, `${name}: a javascript: link is in the page`);
    assert.ok(state.overflow <= 0, `${name}: the page is ${state.overflow} px wider than the window`);
    assert.deepEqual(errors, [], `${name}: console errors (a CSP refusal would mean markup got in)`);
    const path = `${shots}/${name}.png`;
    await page.screenshot({ path, fullPage: false });
    saved.push(path);
  }

  for (const [name, hash, texts] of [
    ['overview', '#/overview', [H.script, H.nonAsciiShown, H.quotes, 'status unavailable: "><img src=x', '-end']],
    ['sources', '#/sources', [H.img, H.script, 'SPLIT VIEW']],
    ['incidents', '#/incidents', ['"><img src=x onerror=', 'Grapevine — 日本語 🍇']],
  ] as const) {
    it(`${name}: shows them as text, runs nothing`, async () => {
      const { page, errors } = await browser.page({ width: 1280, height: 900 });
      await page.goto(`${server.url}/${hash}`);
      await check(page, errors, `hostile-${name}`, [...texts]);
      await page.close();
    });
  }

  it('incident detail: the evidence, its log URL and observers shown as text; narrow window too', async () => {
    const list = (await (await fetch(`${server.url}/api/v1/incidents`)).json()) as { incidents: { id: string; log: { name: string } }[] };
    assert.equal(list.incidents[0].log.name, `${H.img}${H.nonAscii}`, 'the API carries the string unchanged');
    for (const width of [1280, 390]) {
      const { page, errors } = await browser.page({ width, height: 900 });
      await page.goto(`${server.url}/#/incidents/${list.incidents[0].id}`);
      await check(page, errors, `hostile-incident-${width}`, [
        H.url,
        '"createdBy": "\'\\"`</td></pre></code><!--<script>',
        'Verified: this evidence proves',
      ]);
      await page.close();
    }
  });

  it('the API answers the hostile strings as JSON, unchanged', async () => {
    const r = await fetch(`${server.url}/api/v1/overview`);
    assert.match(r.headers.get('content-type') ?? '', /^application\/json/);
    const body = (await r.json()) as { services: { name: string; detail: string }[] };
    assert.equal(body.services.find((s) => s.name === H.script)?.detail, `${H.img} ${H.long}`);
    assert.match(body.services.find((s) => s.name === 'broken')?.detail ?? '', /^status unavailable: "><img src=x/);
  });
});
