/**
 * How long `grapevine` takes as users run it: whole processes of
 * bin/grapevine.js (the build in dist/, rebuilt first when stale), each
 * case timed from spawn to exit (or, for `serve`, to the first 200 from
 * /readyz on an existing data directory). Runs alternate with the baseline,
 * `node -e 0`, so a machine that slows down mid-run slows both; the table
 * prints medians, min–max and each case's median over the baseline's.
 *
 * Targets (issue 8 §2.1): --version ≤ 150 ms, proof verify-inclusion
 * ≤ 250 ms, serve ready ≤ 1 s.
 *
 *   npm run bench -- cli            10 runs of each (after one warm-up)
 *   npm run bench -- cli --quick    3 runs
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, stale } from '../scripts/build.mjs';
import { hashChildren, hashLeaf } from '../src/merkle/index.ts';
import { line, median } from './lib.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin/grapevine.js');
const RUNS = process.argv.includes('--quick') ? 3 : 10;

if (stale()) await build();

/** Wall ms of one whole process, spawn to exit; throws unless it exits 0. */
function timeProcess(args: readonly string[]): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return ms;
}

/** Wall ms from spawning `grapevine serve` on `data` to its first /readyz 200; the server is stopped (SIGTERM) after. */
async function timeServeReady(data: string, extra: readonly string[] = []): Promise<number> {
  const t0 = performance.now();
  const child = spawn(process.execPath, [BIN, 'serve', '--data', data, '--port', '0', ...extra], { stdio: ['ignore', 'ignore', 'pipe'] });
  try {
    let stderr = '';
    const url = await new Promise<string>((resolve, reject) => {
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (s: string) => {
        stderr += s;
        const m = /serving at (http:\/\/[^\s]+)/.exec(stderr);
        if (m) resolve(m[1]);
      });
      child.on('exit', (code) => reject(new Error(`serve exited ${code} before listening: ${stderr}`)));
    });
    for (;;) {
      const res = await fetch(`${url}/readyz`).catch(() => null);
      if (res?.status === 200) return performance.now() - t0;
      await res?.arrayBuffer();
      if (performance.now() - t0 > 60_000) throw new Error(`not ready after 60 s: ${stderr}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  } finally {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
}

/** A valid inclusion proof for leaf 0 of a 2-leaf tree, as `proof verify-inclusion` arguments. */
function proofArgs(): string[] {
  const a = hashLeaf(Buffer.from('a'));
  const b = hashLeaf(Buffer.from('b'));
  const root = hashChildren(a, b).toString('hex');
  return [
    'verify-inclusion',
    '--leaf-hash',
    a.toString('hex'),
    '--index',
    '0',
    '--size',
    '2',
    '--root',
    root,
    '--proof',
    b.toString('hex'),
  ];
}

interface Case {
  readonly label: string;
  readonly targetMs: number | null;
  run(): number | Promise<number>;
}

const data = mkdtempSync(join(tmpdir(), 'grapevine-cli-bench-'));
try {
  // The existing data directory: a demo site created (trees included) by a first start.
  await timeServeReady(join(data, 'site'), ['--init-if-missing']);
  const cases: Case[] = [
    { label: 'node -e 0 (baseline)', targetMs: null, run: () => timeProcess(['-e', '0']) },
    { label: 'grapevine --version', targetMs: 150, run: () => timeProcess([BIN, '--version']) },
    { label: 'grapevine --help', targetMs: null, run: () => timeProcess([BIN, '--help']) },
    { label: 'grapevine proof verify-inclusion', targetMs: 250, run: () => timeProcess([BIN, 'proof', ...proofArgs()]) },
    { label: 'grapevine serve → /readyz 200', targetMs: 1000, run: () => timeServeReady(join(data, 'site')) },
  ];
  const times = new Map<Case, number[]>(cases.map((c) => [c, []]));
  for (const c of cases) await c.run(); // warm-up: disk cache, first compile cache
  for (let i = 0; i < RUNS; i++) for (const c of cases) times.get(c)?.push(await c.run());

  console.log(`whole processes of bin/grapevine.js (dist/), ${RUNS} runs each, interleaved; node ${process.version}`);
  const base = median(times.get(cases[0]) ?? []);
  for (const c of cases) {
    const t = times.get(c) ?? [];
    const m = median(t);
    const target = c.targetMs === null ? '' : `  target ≤ ${c.targetMs} ms: ${m <= c.targetMs ? 'met' : 'MISSED'}`;
    line(
      c.label,
      `median ${m.toFixed(0)} ms (min ${Math.min(...t).toFixed(0)}, max ${Math.max(...t).toFixed(0)}), ${(m / base).toFixed(2)}× baseline${target}`,
    );
  }
  if (base > 120) {
    console.log(
      `note: the baseline took ${base.toFixed(0)} ms, where an idle machine starts node in well under 100 ms: the machine is busy, so judge by the ratios`,
    );
  }
} finally {
  rmSync(data, { recursive: true, force: true });
}
