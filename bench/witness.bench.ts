/**
 * Witness benchmark (issue 12): add-checkpoint/s, each request doing all a
 * witness does — parse the body, verify the log's Ed25519 note signature,
 * check the RFC 6962 consistency proof from the last cosigned size, make the
 * cosignature/v1, and compare-and-swap the cosigned checkpoint into the
 * state, persisted before the answer — beside the ceiling of one Ed25519
 * verify + one Ed25519 sign (node:crypto, same message sizes) measured right
 * before each round. Target: ≥ 50% of the ceiling on SQLite with durability
 * on (WAL, synchronous=FULL).
 *
 * Load: ORIGINS logs, each submitting its checkpoints in order (one request
 * per log in flight, as a log does), `--in-flight=N` logs at a time (default
 * 256), so swaps of different origins group-commit. Checkpoints, proofs and
 * log signatures are made before timing starts.
 *
 *   state     sqlite+thread  SQLite file, swaps on the writer thread (what `witness serve` runs)
 *             sqlite         SQLite file, swaps group-committed on the event loop
 *             memory         no storage: the CPU cost alone
 *   path      service        WitnessService.processAddCheckpoint(body)
 *             inject         fastify inject() through the routes (sqlite+thread only)
 *
 * Each figure is the median of the rounds; "per CPU-second" divides the
 * requests by the CPU time this process used (all threads) in the round, over
 * the same ceiling, so it holds on a machine other work is also using.
 *
 *   npm run bench -- witness          (--quick: fewer, smaller rounds)
 */
import { generateKeyPairSync, sign, verify } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import type { HeadStore } from '../src/audit/index.ts';
import { formatCheckpoint } from '../src/checkpoint/index.ts';
import { CompactRange, hashLeaf, TILE_WIDTH } from '../src/merkle/index.ts';
import { cosignatureV1Signer, ed25519NoteSigner, ed25519SignerFromSeed, signNote } from '../src/note/index.ts';
import { startServer } from '../src/server/index.ts';
import { type ClosableHeadStore, MemoryHeadStore, openHeadStore } from '../src/storage/index.ts';
import { TileHashReader } from '../src/tiles/index.ts';
import { formatAddCheckpointRequest, LogList, WitnessPart, WitnessService, witnessLog } from '../src/witness/index.ts';
import { fmt, line, median, pct } from './lib.ts';

const quick = process.argv.includes('--quick');
const ROUNDS = quick ? 3 : 5;
const ORIGINS = quick ? 1000 : 2000;
/** Checkpoints per log and round. */
const PER_LOG = quick ? 2 : 3;
const IN_FLIGHT = Number(process.argv.find((a) => a.startsWith('--in-flight='))?.split('=')[1] ?? 256);
/** Leaves each log grows by between two checkpoints. */
const STEP = 37;

/**
 * One Ed25519 verify (a checkpoint's note signature) + one sign (a cosignature message) per second, ~200 ms:
 * per second of wall time (`wall`) and per CPU-second of this process (`cpu`).
 */
function ceilings(ms = 200): { wall: number; cpu: number } {
  const k = generateKeyPairSync('ed25519');
  const note = Buffer.from(`bench.example/log-0001\n${123456}\n${Buffer.alloc(32, 3).toString('base64')}\n`);
  const sig = sign(null, note, k.privateKey);
  const cosig = Buffer.concat([Buffer.from('cosignature/v1\ntime 1800000000\n'), note]);
  let n = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  while (performance.now() - t0 < ms) {
    for (let i = 0; i < 20; i++) {
      if (!verify(null, note, k.publicKey, sig)) throw new Error('verify failed');
      sign(null, cosig, k.privateKey);
    }
    n += 20;
  }
  const cpu = process.cpuUsage(cpu0);
  return { wall: (n * 1000) / (performance.now() - t0), cpu: (n * 1e6) / (cpu.user + cpu.system) };
}

interface BenchLog {
  readonly origin: string;
  readonly vkey: string;
  /** Request bodies in submission order: first from 0 (empty proof), then each from the previous size. */
  readonly bodies: Buffer[];
}

/** ORIGINS logs with `checkpoints` checkpoints each, STEP leaves apart, signed and proven before timing. */
async function makeLogs(checkpoints: number): Promise<BenchLog[]> {
  const out: BenchLog[] = [];
  for (let i = 0; i < ORIGINS; i++) {
    const origin = `bench.example/log-${String(i).padStart(5, '0')}`;
    const signer = ed25519NoteSigner(origin, ed25519SignerFromSeed(Buffer.alloc(32, (i % 250) + 1)));
    // The log's hash tiles, as a log keeps them, for its consistency proofs.
    const rows: Buffer[][] = [[]];
    const c = CompactRange.empty();
    const reader = new TileHashReader(async (level, index, width) =>
      Buffer.concat((rows[level] ?? []).slice(index * TILE_WIDTH, index * TILE_WIDTH + width)),
    );
    const bodies: Buffer[] = [];
    for (let k = 0; k < checkpoints; k++) {
      for (let j = 0; j < STEP; j++) {
        const h = hashLeaf(Buffer.from(`${origin}/${k}/${j}`));
        rows[0].push(h);
        c.append(h, (level, _x, hash) => {
          if (level > 0 && level % 8 === 0) {
            rows[level / 8] = rows[level / 8] ?? [];
            rows[level / 8].push(hash);
          }
        });
      }
      const size = (k + 1) * STEP;
      const note = signNote(formatCheckpoint({ origin, size, rootHash: c.root(), extensions: [] }), signer);
      const old = k * STEP;
      const proof = old === 0 ? [] : await reader.consistencyProof(old, size);
      bodies.push(formatAddCheckpointRequest({ oldSize: old, proof, checkpoint: note }));
    }
    out.push({ origin, vkey: signer.vkey, bodies });
  }
  return out;
}

/** Submits body `from`..`to`-1 of every log, IN_FLIGHT logs at a time, each log's in order; returns requests/s. */
async function drive(logs: BenchLog[], from: number, to: number, submit: (body: Buffer) => Promise<void>): Promise<number> {
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(IN_FLIGHT, logs.length) }, async () => {
      while (next < logs.length) {
        const l = logs[next++];
        for (let k = from; k < to; k++) await submit(l.bodies[k]);
      }
    }),
  );
  return (logs.length * (to - from) * 1000) / (performance.now() - t0);
}

async function suite(name: string, open: () => Promise<HeadStore>, path: 'service' | 'inject'): Promise<void> {
  const total = 1 + ROUNDS * PER_LOG;
  const logs = await makeLogs(total);
  const store = await open();
  const service = new WitnessService({
    logs: new LogList(logs.map((l) => witnessLog({ origin: l.origin, vkeys: [l.vkey] }))),
    cosigners: [cosignatureV1Signer('bench.example/witness', ed25519SignerFromSeed(Buffer.alloc(32, 255)))],
    store,
  });
  let submit = async (body: Buffer) => {
    await service.processAddCheckpoint(body);
  };
  let close = async () => {};
  if (path === 'inject') {
    const server = await startServer({
      host: '127.0.0.1',
      port: 0,
      parts: [new WitnessPart({ service, store, prefix: '' })],
      registry: new Registry(),
      listen: false,
    });
    submit = async (body: Buffer) => {
      const r = await server.app.inject({ method: 'POST', url: '/add-checkpoint', payload: body });
      if (r.statusCode !== 200) throw new Error(`HTTP ${r.statusCode}: ${r.body}`);
    };
    close = () => server.close();
  }
  // Warm-up: every log's first checkpoint (TOFU from 0), JIT and page cache.
  await drive(logs, 0, 1, submit);
  const rates: number[] = [];
  const ratios: number[] = [];
  const perCpu: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const c = ceilings();
    const cpu0 = process.cpuUsage();
    const rate = await drive(logs, 1 + r * PER_LOG, 1 + (r + 1) * PER_LOG, submit);
    const cpu = process.cpuUsage(cpu0);
    rates.push(rate);
    ratios.push(rate / c.wall);
    // Per CPU-second of the whole process (every thread), over the ceiling per CPU-second: robust to other load.
    perCpu.push((logs.length * PER_LOG * 1e6) / (cpu.user + cpu.system) / c.cpu);
  }
  line(
    `${name} (${path})`,
    `${fmt(median(rates))} add-checkpoint/s  ${pct(median(ratios))} of verify+sign  (per CPU-second: ${pct(median(perCpu))})`,
  );
  await close();
  await (store as Partial<ClosableHeadStore>).close?.();
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'gv-bench-witness-'));
  try {
    const c = [ceilings(), ceilings(), ceilings()];
    line('ceiling: Ed25519 verify + sign', `${fmt(median(c.map((x) => x.wall)))} /s  (${fmt(median(c.map((x) => x.cpu)))} per CPU-second)`);
    line('load', `${fmt(ORIGINS)} logs, ${IN_FLIGHT} in flight, ${PER_LOG} checkpoints per log and round, ${ROUNDS} rounds`);
    await suite('sqlite+thread', () => openHeadStore(`sqlite:${join(dir, 'thread.db')}`, { writerThread: true }), 'service');
    await suite('sqlite', () => openHeadStore(`sqlite:${join(dir, 'main.db')}`), 'service');
    await suite('memory', async () => new MemoryHeadStore(), 'service');
    await suite('sqlite+thread', () => openHeadStore(`sqlite:${join(dir, 'inject.db')}`, { writerThread: true }), 'inject');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
