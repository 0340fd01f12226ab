/**
 * The dashboard (issue 14 § Measure), against a real `grapevine serve` (the
 * built binary, the demo site of `npm start`, one certificate logged):
 *
 * 1. Page weight: the page and every asset it loads, as served (raw and
 *    gzipped). Target: under 300 KB in all.
 * 2. API latency with 10 clients polling once a second, each poll what an
 *    open page asks for (overview, sources, the proof-banner's incidents,
 *    and every fifth second the 15-minute plots), for `--seconds` (30;
 *    `--quick`: 10). Target: p99 under 50 ms. The ceiling, in the same run:
 *    the same 10 clients polling /healthz (a route that does nothing), so
 *    the ratio survives a loaded machine.
 * 3. With `--first-run`: the time from `git clone` to a dashboard showing a
 *    certificate logged and gossiped — `git clone` of this checkout, `npm ci`,
 *    `npm start` (with `-- --port 0`, so it never meets a busy 8080), the
 *    README's `npx grapevine ct add-chain`, until the dashboard's API shows
 *    the certificate in the CT log and the log's new head held by the hub and
 *    the gossip service. Uses the network (npm's registry, through npm's cache).
 *
 *   npm run bench -- dashboard [--quick] [--first-run]
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, stale } from '../scripts/build.mjs';
import { line } from './lib.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin/grapevine.js');
const QUICK = process.argv.includes('--quick');
const SECONDS = QUICK ? 10 : 30;
const CLIENTS = 10;
const PAGE_BUDGET = 300 * 1024;
const P99_BUDGET_MS = 50;

if (stale()) await build();

/** Spawns a server command and resolves with its URL once its banner says "serving at". */
function serving(cmd: string, args: readonly string[], cwd: string): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'], detached: false });
  let err = '';
  return new Promise((resolve, reject) => {
    child.stderr?.setEncoding('utf8').on('data', (s: string) => {
      err += s;
      const m = /serving at (http:\/\/[^\s/]+)/.exec(err);
      if (m) resolve({ url: m[1], child });
    });
    child.once('exit', (code) => reject(new Error(`${cmd} exited ${code} before serving: ${err}`)));
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const stuck = setTimeout(() => child.kill('SIGKILL'), 30_000);
  await exited;
  clearTimeout(stuck);
}

function cli(args: readonly string[], cwd: string): void {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`grapevine ${args.join(' ')}: ${r.stderr}`);
}

/** Bytes of a GET as sent on the wire (body only), with or without gzip. */
function wireBytes(url: string, gzip: boolean): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { accept: 'text/html,*/*', ...(gzip ? { 'accept-encoding': 'gzip' } : {}) } }, (res) => {
      let n = 0;
      res.on('data', (c: Buffer) => {
        n += c.length;
      });
      res.on('end', () => (res.statusCode === 200 ? resolve(n) : reject(new Error(`${url}: ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end();
  });
}

async function pageWeight(url: string): Promise<void> {
  const html = await (await fetch(`${url}/`, { headers: { accept: 'text/html' } })).text();
  // Everything the page loads (the <noscript> link to the API is not loaded).
  const assets = [...html.matchAll(/(?:src|href)="(\/[^"]+)"/g)].map((m) => m[1]).filter((a) => !a.startsWith('/api/'));
  let raw = await wireBytes(`${url}/`, false);
  let gz = await wireBytes(`${url}/`, true);
  for (const a of assets) {
    const r = await wireBytes(`${url}${a}`, false);
    const z = await wireBytes(`${url}${a}`, true);
    line(`  ${a}`, `${(r / 1024).toFixed(1)} KB (${(z / 1024).toFixed(1)} KB gzipped)`);
    raw += r;
    gz += z;
  }
  line('page weight: the page and all its assets', `${(raw / 1024).toFixed(1)} KB, ${(gz / 1024).toFixed(1)} KB gzipped`);
  line(`  target < ${PAGE_BUDGET / 1024} KB`, raw < PAGE_BUDGET ? 'met' : 'MISSED');
}

const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};

/** CLIENTS pollers, each once a second for SECONDS, asking `paths(second)`; latency of every request, ms. */
async function poll(url: string, paths: (second: number) => readonly string[]): Promise<Map<string, number[]>> {
  const out = new Map<string, number[]>();
  const client = async (offsetMs: number) => {
    await new Promise((r) => setTimeout(r, offsetMs));
    const start = performance.now();
    for (let s = 0; s < SECONDS; s++) {
      for (const p of paths(s)) {
        const t0 = performance.now();
        const r = await fetch(`${url}${p}`);
        await r.arrayBuffer();
        const ms = performance.now() - t0;
        if (r.status !== 200) throw new Error(`${p}: ${r.status}`);
        const key = p.split('?')[0];
        out.set(key, [...(out.get(key) ?? []), ms]);
      }
      const next = start + (s + 1) * 1000;
      await new Promise((r) => setTimeout(r, Math.max(0, next - performance.now())));
    }
  };
  await Promise.all(Array.from({ length: CLIENTS }, (_, i) => client((i * 1000) / CLIENTS)));
  return out;
}

function report(title: string, m: Map<string, number[]>): number {
  const all = [...m.values()].flat();
  for (const [k, xs] of m)
    line(`  ${k}`, `p50 ${percentile(xs, 50).toFixed(1)} ms, p99 ${percentile(xs, 99).toFixed(1)} ms (${xs.length})`);
  const p99 = percentile(all, 99);
  line(
    title,
    `p50 ${percentile(all, 50).toFixed(1)} ms, p99 ${p99.toFixed(1)} ms, max ${Math.max(...all).toFixed(1)} ms (${all.length} requests)`,
  );
  return p99;
}

async function apiLatency(url: string): Promise<void> {
  // Warm-up: the first calls of each route compile its code; a page open for a minute is past that.
  for (let i = 0; i < 20; i++) {
    for (const p of [
      '/healthz',
      '/api/v1/overview',
      '/api/v1/sources',
      '/api/v1/incidents?class=proof&limit=1',
      '/api/v1/plots?window=15m',
    ]) {
      await (await fetch(`${url}${p}`)).arrayBuffer();
    }
  }
  console.log(`\n${CLIENTS} clients polling once a second for ${SECONDS} s`);
  const ceiling = report('ceiling: /healthz (does nothing)', await poll(url, () => ['/healthz']));
  const api = report(
    'dashboard API, as an open page polls it',
    await poll(url, (s) => [
      '/api/v1/overview',
      '/api/v1/sources',
      '/api/v1/incidents?class=proof&limit=1',
      ...(s % 5 === 0 ? ['/api/v1/plots?window=15m'] : []),
    ]),
  );
  line(`  target p99 < ${P99_BUDGET_MS} ms`, `${api < P99_BUDGET_MS ? 'met' : 'MISSED'}; ${(api / ceiling).toFixed(1)}× the ceiling's p99`);
}

/** Until `done` holds (a stuck bound of 5 minutes). */
async function until(what: string, done: () => Promise<boolean>): Promise<void> {
  const limit = Date.now() + 300_000;
  while (!(await done().catch(() => false))) {
    if (Date.now() > limit) throw new Error(`stuck waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function firstRun(): Promise<void> {
  console.log('\nfirst run: git clone → npm ci → npm start → one certificate logged and gossiped, on the dashboard');
  const dir = mkdtempSync(join(tmpdir(), 'gv-first-run-'));
  const repo = join(dir, 'grapevine');
  const t0 = performance.now();
  const mark = (label: string, from: number) => {
    const now = performance.now();
    line(`  ${label}`, `${((now - from) / 1000).toFixed(1)} s`);
    return now;
  };
  try {
    const clone = spawnSync('git', ['clone', '--quiet', ROOT, repo], { encoding: 'utf8' });
    if (clone.status !== 0) throw new Error(`git clone: ${clone.stderr}`);
    let t = mark('git clone', t0);
    const ci = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: repo, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    if (ci.status !== 0) throw new Error(`npm ci: ${ci.stderr}`);
    t = mark('npm ci (builds dist/, and better-sqlite3 on Node 20)', t);
    const { url, child } = await serving('npm', ['start', '--', '--port', '0'], repo);
    try {
      t = mark('npm start, until it listens', t);
      const r = spawnSync(
        'npx',
        [
          'grapevine',
          'ct',
          'add-chain',
          '--url',
          url,
          '--chain',
          'grapevine-data/ca/leaf-chain.pem',
          '--log-key',
          'grapevine-data/keys/ct.pub.pem',
        ],
        { cwd: repo, encoding: 'utf8' },
      );
      if (r.status !== 0) throw new Error(`add-chain: ${r.stderr}`);
      await until('the dashboard showing the certificate logged and gossiped', async () => {
        const body = (await (await fetch(`${url}/api/v1/sources`)).json()) as {
          sources: { name: string; views: { observer: { kind: string }; head: { size: number } }[] }[];
        };
        const views = body.sources.find((s) => s.name === 'CT log ct')?.views ?? [];
        return ['log', 'hub', 'gossip'].every((k) => views.some((v) => v.observer.kind === k && v.head.size >= 1));
      });
      mark('npx grapevine ct add-chain → logged and gossiped on the dashboard', t);
      line('time to first useful screen, from git clone', `${((performance.now() - t0) / 1000).toFixed(1)} s`);
    } finally {
      await stop(child);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const dir = mkdtempSync(join(tmpdir(), 'gv-bench-dash-'));
const { url, child } = await serving(
  process.execPath,
  [BIN, 'serve', '--data', join(dir, 'data'), '--init-if-missing', '--port', '0', '--log-format', 'json'],
  dir,
);
try {
  cli(
    ['ct', 'add-chain', '--url', url, '--chain', join(dir, 'data/ca/leaf-chain.pem'), '--log-key', join(dir, 'data/keys/ct.pub.pem')],
    dir,
  );
  await pageWeight(url);
  await apiLatency(url);
} finally {
  await stop(child);
  rmSync(dir, { recursive: true, force: true });
}
if (process.argv.includes('--first-run')) await firstRun();
