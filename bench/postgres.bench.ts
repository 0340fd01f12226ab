/**
 * Log-core benchmark on PostgreSQL, with SQLite in the same run (issue #3):
 *   - sequencing rate (leaves/s) of the real Sequencer, PostgreSQL vs SQLite, and the ratio;
 *   - queueing rate (storage.queueLeaves in 20k-leaf batches), for context;
 *   - the machine's raw SHA-256 rate (node:crypto, 64-byte inputs) and our ratio to it.
 * Each figure is the median of RUNS runs, each on a fresh tree of N leaves;
 * the backends alternate run by run, and ratios are medians of the pairs, so
 * background load on a shared machine hits both alike.
 *
 * Needs GRAPEVINE_TEST_PG_URL (a server where it may create a database, as
 * .ci/run starts); without it, says so and exits 0. Flags: --quick (fewer,
 * smaller runs), --batch=N (sequencer batch size, default 4096: the
 * production default).
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { parsePrivateKey, signerFromPrivateKey } from '../src/crypto/index.ts';
import { Log, type LogStorage, type NewLeaf, Sequencer } from '../src/log/index.ts';
import { hashLeaf } from '../src/merkle/index.ts';
import { openStorage } from '../src/storage/index.ts';
import { fmt, line, median, pct, sha256Ceiling } from './lib.ts';

const quick = process.argv.includes('--quick');
const batchArg = process.argv.find((a) => a.startsWith('--batch='));
const BATCH = batchArg ? Number(batchArg.slice('--batch='.length)) : 4096;
const N = quick ? 50_000 : 200_000;
const RUNS = quick ? 3 : 5;
const PG_URL = process.env.GRAPEVINE_TEST_PG_URL ?? '';

const pem = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
const signer = signerFromPrivateKey(parsePrivateKey(pem));

function leaves(run: number, from: number, to: number): NewLeaf[] {
  const out: NewLeaf[] = [];
  for (let j = from; j < to; j++) {
    const value = Buffer.from(`bench run ${run} leaf ${j} ................................`);
    const leafHash = hashLeaf(value);
    out.push({ identityHash: leafHash, leafHash, value, extraData: null, label: null, queuedAt: j });
  }
  return out;
}

interface RunResult {
  queued: number;
  sequenced: number;
}

/** Queues N leaves into a fresh tree, then times the Sequencer draining them. */
async function run(storage: LogStorage, i: number): Promise<RunResult> {
  const name = `bench-${i}-${randomBytes(4).toString('hex')}`;
  await Log.create(storage, name, 'log', signer);
  const tree = (await storage.getTree(name))!;
  let t0 = performance.now();
  for (let at = 0; at < N; at += 20_000) await storage.queueLeaves(tree.id, leaves(i, at, Math.min(N, at + 20_000)));
  const queued = (N * 1000) / (performance.now() - t0);
  const seq = new Sequencer({ storage, tree, signer, batchSize: BATCH, maxRootAgeMs: 0 });
  t0 = performance.now();
  let done = 0;
  for (;;) {
    const n = await seq.runOnce();
    if (n === 0) break;
    done += n;
  }
  if (done !== N) throw new Error(`sequenced ${done} leaves, want ${N}`);
  return { queued, sequenced: (N * 1000) / (performance.now() - t0) };
}

/**
 * Runs the two backends alternately (SQLite, PostgreSQL, SQLite, …) so that
 * both see the same background load, and takes the ratio within each pair.
 */
async function measure(sqlite: LogStorage, postgres: LogStorage) {
  const s: RunResult[] = [];
  const p: RunResult[] = [];
  for (let i = 0; i < RUNS; i++) {
    s.push(await run(sqlite, i));
    p.push(await run(postgres, i));
    process.stderr.write(`  run ${i + 1}/${RUNS}: SQLite ${fmt(s[i].sequenced)}, PostgreSQL ${fmt(p[i].sequenced)} leaves/s sequenced\n`);
  }
  const med = (rs: RunResult[]) => ({ queued: median(rs.map((r) => r.queued)), sequenced: median(rs.map((r) => r.sequenced)) });
  return {
    s: med(s),
    p: med(p),
    seqRatio: median(p.map((r, i) => r.sequenced / s[i].sequenced)),
    queueRatio: median(p.map((r, i) => r.queued / s[i].queued)),
  };
}

async function main(): Promise<void> {
  if (!PG_URL) {
    console.log('PostgreSQL benchmark NOT RUN: GRAPEVINE_TEST_PG_URL is not set (run .ci/run, or start a server and export it).');
    return;
  }
  const dbName = `gv_bench_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  try {
    await admin.connect();
  } catch (err) {
    console.log(`PostgreSQL benchmark NOT RUN: cannot connect to GRAPEVINE_TEST_PG_URL (${(err as Error).message}).`);
    return;
  }
  await admin.query(`CREATE DATABASE ${dbName}`);
  const dir = mkdtempSync(join(tmpdir(), 'gv-bench-pg-'));
  try {
    const u = new URL(PG_URL);
    u.pathname = `/${dbName}`;
    const ceiling = sha256Ceiling();
    line('machine ceiling: SHA-256, 64-byte inputs', `${fmt(ceiling)} hashes/s`);
    line(`workload`, `${RUNS} runs × ${fmt(N)} leaves, sequencer batch ${BATCH}`);

    const sqlite = await openStorage(`sqlite:${join(dir, 'bench.db')}`);
    const postgres = await openStorage(u.toString());
    const { s, p, seqRatio, queueRatio } = await measure(sqlite, postgres);
    await sqlite.close();
    await postgres.close();

    line('SQLite: queue (20k-leaf calls), median', `${fmt(s.queued)} leaves/s`);
    line('SQLite: sequencing, median', `${fmt(s.sequenced)} leaves/s  (${pct(s.sequenced / ceiling)} of SHA-256)`);
    line('PostgreSQL: queue (20k-leaf calls), median', `${fmt(p.queued)} leaves/s`);
    line('PostgreSQL: sequencing, median', `${fmt(p.sequenced)} leaves/s  (${pct(p.sequenced / ceiling)} of SHA-256; target ≥ 30,000)`);
    line('ratio PostgreSQL / SQLite, sequencing (median of pairs)', seqRatio.toFixed(2));
    line('ratio PostgreSQL / SQLite, queueing (median of pairs)', queueRatio.toFixed(2));
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch(() => {});
    await admin.end();
  }
}

await main();
