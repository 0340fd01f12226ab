/**
 * The dashboard's HTTP side on a real site (the demo `grapevine serve`
 * config, in process, answered with inject()): the page and its assets, the
 * JSON API's answers and refusals, and who may read it (loopback, token,
 * off).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { pino } from 'pino';
import { initDataDir, loadSiteConfig } from '../../src/cli/serve.ts';
import type { ResolvedSiteConfig } from '../../src/config/site.ts';
import { type Site, startSite } from '../../src/server/index.ts';
import { tempDir } from '../support/temp-dir.ts';

const quiet = { logger: pino({ level: 'silent' }), listen: false } as const;

let config: ResolvedSiteConfig;
let dir: string;

before(async () => {
  dir = join(tempDir('gv-dash-'), 'data');
  config = loadSiteConfig(await initDataDir(dir));
});

async function site(o: { token?: string; host?: string; enabled?: boolean } = {}): Promise<Site> {
  // The gossip service's peer socket lives in the data directory: each site gets its own.
  const sock = join(tempDir('gv-dash-sock-'), 'gossip.sock');
  return startSite(
    {
      ...config,
      gossipd: config.gossipd ? { ...config.gossipd, peerSocket: { ...config.gossipd.peerSocket, path: sock } } : null,
      dashboard: { ...config.dashboard, token: o.token ?? '', enabled: o.enabled ?? true },
    },
    { ...quiet, createTrees: true, ...(o.host ? { host: o.host } : {}) },
  );
}

describe('dashboard: the page', () => {
  let s: Site;
  before(async () => {
    s = await site();
  });
  after(() => s?.close());

  it('answers a browser at / with the page, under a CSP that allows only this origin', async () => {
    const r = await s.app.inject({ url: '/', headers: { accept: 'text/html,application/xhtml+xml' } });
    assert.equal(r.statusCode, 200);
    assert.match(r.headers['content-type'] as string, /^text\/html/);
    assert.match(r.body, /<script type="module" src="\/dashboard\/app\.js"><\/script>/);
    const csp = r.headers['content-security-policy'] as string;
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'self'/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|https?:/);
    assert.equal(r.headers['x-content-type-options'], 'nosniff');
  });

  it('answers "ok" at / to anything else (the hub health check)', async () => {
    const r = await s.app.inject({ url: '/' });
    assert.equal(r.statusCode, 200);
    assert.equal(r.body, 'ok\n');
  });

  it('serves its script and stylesheet itself, gzipped when asked, with an ETag that answers 304', async () => {
    const js = await s.app.inject({ url: '/dashboard/app.js' });
    assert.equal(js.statusCode, 200);
    assert.match(js.headers['content-type'] as string, /^text\/javascript/);
    assert.ok(js.body.length > 1000, 'the built bundle, not the "not built" stub');
    assert.doesNotMatch(js.body, /https?:\/\/(?!www\.w3\.org)[a-z]/i, 'no asset is fetched from elsewhere');
    const gz = await s.app.inject({ url: '/dashboard/app.js', headers: { 'accept-encoding': 'gzip' } });
    assert.equal(gz.headers['content-encoding'], 'gzip');
    assert.equal(gunzipSync(gz.rawPayload).toString(), js.body);
    const again = await s.app.inject({ url: '/dashboard/app.js', headers: { 'if-none-match': js.headers.etag as string } });
    assert.equal(again.statusCode, 304);
    assert.equal((await s.app.inject({ url: '/dashboard/app.css' })).statusCode, 200);
    assert.equal((await s.app.inject({ url: '/dashboard/icon.svg' })).statusCode, 200);
  });
});

describe('dashboard: the API', () => {
  let s: Site;
  before(async () => {
    s = await site();
  });
  after(() => s?.close());

  const get = async (url: string) => {
    const r = await s.app.inject({ url });
    return { status: r.statusCode, body: JSON.parse(r.body) as Record<string, unknown>, headers: r.headers };
  };

  it('lists every service of the site in /api/v1/overview, each with its health, and the logs with their head and MMD', async () => {
    const r = await get('/api/v1/overview');
    assert.equal(r.status, 200);
    assert.equal(r.body.api, 1);
    assert.equal(r.headers['cache-control'], 'no-store');
    const services = r.body.services as { id: string; kind: string; health: string; head?: { size: number }; mmd?: { state: string } }[];
    // The demo also publishes its CT log and hub the C2SP way and runs a witness (docs/witness.md).
    assert.deepEqual(services.map((x) => x.id).sort(), [
      'ct:ct',
      'gossip:grapevine-gossip',
      'gossip:loop',
      'hub:hub',
      'publish:127.0.0.1:8080',
      'publish:127.0.0.1:8080/hub',
      'witness:grapevine-demo/witness',
    ]);
    const ct = services.find((x) => x.id === 'ct:ct');
    assert.equal(ct?.kind, 'log');
    assert.equal(ct?.head?.size, 0);
    assert.equal(ct?.mmd?.state, 'kept');
    assert.ok(services.every((x) => ['ok', 'warn', 'error'].includes(x.health)));
  });

  it('shows the CT log as a source, its own head first', async () => {
    const r = await get('/api/v1/sources');
    const sources = r.body.sources as { name: string; views: { observer: { kind: string } }[] }[];
    const ct = sources.find((x) => x.name === 'CT log ct');
    assert.ok(ct, JSON.stringify(sources));
    assert.equal(ct.views[0].observer.kind, 'log');
  });

  it('answers plots over a window, and an empty incident list', async () => {
    const p = await get('/api/v1/plots?window=5m&points=50');
    assert.equal(p.status, 200);
    assert.equal(p.body.windowMs, 300_000);
    assert.ok(Array.isArray(p.body.times));
    assert.deepEqual(
      (p.body.plots as { id: string }[]).map((x) => x.id),
      ['tree-size', 'submissions', 'proofs', 'rejects', 'gossip', 'witness'],
    );
    const i = await get('/api/v1/incidents');
    assert.deepEqual([i.body.total, i.body.proofs, i.body.incidents], [0, 0, []]);
  });

  for (const [url, status, reason] of [
    ['/api/v1/plots?window=2d', 400, /^window: got "2d", want a duration such as 15m from 60 s to 3600 s$/],
    ['/api/v1/plots?window=5m&window=15m', 400, /^query parameter "window" given 2 times, want once$/],
    ['/api/v1/plots?points=0', 400, /^points: got "0", want an integer from 2 to 1000$/],
    ['/api/v1/plots?zoom=2', 400, /^got parameter "zoom", want window, points$/],
    ['/api/v1/incidents?class=fatal', 400, /^class: got "fatal", want one of proof, suspicion$/],
    ['/api/v1/incidents?limit=-1', 400, /^limit: got "-1"/],
    ['/api/v1/overview?x=1', 400, /this endpoint takes none/],
    ['/api/v1/incidents/%3Cscript%3E', 400, /^id: got "<script>", want <category>-<16 hex digits>$/],
    ['/api/v1/incidents/fork-0123456789abcdef', 404, /^no incident fork-0123456789abcdef in the list$/],
    ['/api/v1/incidents/fork-0123456789abcdef/evidence', 404, /no incident/],
    ['/api/v1/nothing', 404, /^no endpoint "\/api\/v1\/nothing"/],
  ] as const) {
    it(`answers ${url} with ${status} and a reason`, async () => {
      const r = await get(url);
      assert.equal(r.status, status);
      // A repeated parameter is refused by the server's edge (src/http/app.ts) before the dashboard sees it.
      assert.equal(r.body.error, status === 404 ? 'NOT_FOUND' : url.includes('&window') ? 'BAD_REQUEST' : 'BAD_PARAMETER');
      assert.match(String(r.body.message), reason);
    });
  }
});

describe('dashboard: who may read it', () => {
  it('asks for the token when one is set: 401 without it or with another, 200 with it; the page itself is public', async () => {
    const token = 'a-dashboard-token-of-some-length';
    const s = await site({ token });
    try {
      const none = await s.app.inject({ url: '/api/v1/overview' });
      assert.equal(none.statusCode, 401);
      assert.equal(JSON.parse(none.body).error, 'UNAUTHORIZED');
      assert.match(none.headers['www-authenticate'] as string, /^Bearer/);
      assert.equal(
        (await s.app.inject({ url: '/api/v1/overview', headers: { authorization: 'Bearer not-the-token-of-some-length' } })).statusCode,
        401,
      );
      assert.equal((await s.app.inject({ url: '/api/v1/overview', headers: { authorization: `Bearer ${token}` } })).statusCode, 200);
      assert.equal((await s.app.inject({ url: '/', headers: { accept: 'text/html' } })).statusCode, 200);
    } finally {
      await s.close();
    }
  });

  it('is off beyond loopback without a token: no API, and / is the hub health check again', async () => {
    const s = await site({ host: '0.0.0.0' });
    try {
      assert.equal((await s.app.inject({ url: '/api/v1/overview' })).statusCode, 404);
      const root = await s.app.inject({ url: '/', headers: { accept: 'text/html' } });
      assert.equal(root.body, 'ok\n');
    } finally {
      await s.close();
    }
  });

  it('is off with enabled: false', async () => {
    const s = await site({ enabled: false });
    try {
      assert.equal((await s.app.inject({ url: '/api/v1/overview' })).statusCode, 404);
    } finally {
      await s.close();
    }
  });
});

describe('the demo site config', () => {
  it('loads, writes out every top-level key of the site schema with a comment, and turns the dashboard on', async () => {
    const text = readFileSync(join(dir, 'grapevine.yaml'), 'utf8');
    const { siteFileSchema } = await import('../../src/config/site.ts');
    for (const key of Object.keys(siteFileSchema.shape)) {
      assert.match(text, new RegExp(`^(# )?${key}:`, 'm'), `grapevine.yaml does not show ${key}`);
    }
    const settings = text.split('\n').filter((l) => /^[a-z][A-Za-z]*:/.test(l));
    for (const line of settings) {
      const at = text.indexOf(line);
      const before = text.slice(0, at).trimEnd().split('\n').at(-1) ?? '';
      assert.ok(before.startsWith('#') || line.includes('#'), `${line} has no comment`);
    }
    assert.equal(config.dashboard.enabled, true);
  });
});
