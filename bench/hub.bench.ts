/**
 * Gossip Hub benchmark (issue #4): add-signed-blob/s for new blobs and for
 * duplicates, get-proof-by-hash/s, against the node:crypto ceiling of one
 * ECDSA P-256 verify + one sign measured in the same run.
 *
 * Two ways, each on a SQLite file (WAL, synchronous=FULL) with its writes on
 * a writer thread (what servers run), on a SQLite file written on the event
 * loop (loopback only), and on in-memory SQLite (the CPU cost without fsync):
 * - loopback HTTP: the server (fastify, the hub, its sequencer and refresh
 *   timer) is this process, one JS thread (plus the SQLite writer thread
 *   where it says so); the load comes from a child
 *   process over keep-alive sockets on 127.0.0.1, so client work is not
 *   billed to the server's core;
 * - fastify inject(): the full route without sockets, the client's
 *   simulated requests running in the same process.
 * 64 requests in flight (`--in-flight=N`). Blobs are RFC 6962 STHs signed by
 * an ECDSA P-256 source key; the hub key is ECDSA P-256. Each figure is the
 * median of several rounds; the verify+sign ceiling is measured in this
 * process right before each round and before/after the whole run.
 *
 *   npm run bench -- hub            (--quick: fewer, smaller rounds)
 */
import { type ChildProcess, fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance as perfHooks } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';
import { encodeTreeHeadSignature } from '../src/codec/index.ts';
import { generatePrivateKey, signerFromPrivateKey, verifySignature } from '../src/crypto/index.ts';
import { makeSource } from '../src/hub/index.ts';
import { hashLeaf } from '../src/merkle/index.ts';
import { type OpenedHub, openHubs } from '../src/personalities/hub/index.ts';
import { startServer } from '../src/server/index.ts';
import { openStorage } from '../src/storage/index.ts';
import { fmt, type InjectRequest, injectRate, line, median, pct, signatureCeiling } from './lib.ts';

const quick = process.argv.includes('--quick');
const ROUNDS = quick ? 3 : 5;
const PER_ROUND = quick ? 1000 : 3000;
/** Requests in flight (`--in-flight=N`, default 64): also the most leaves one group commit can carry. */
const IN_FLIGHT = Number(process.argv.find((a) => a.startsWith('--in-flight='))?.split('=')[1] ?? 64);

const source = signerFromPrivateKey(generatePrivateKey('ecdsa-p256'));
const hubKey = signerFromPrivateKey(generatePrivateKey('ecdsa-p256'));
const SOURCE_ID = 'https://bench.example/log/';
let nextSize = 1;

/** `n` fresh add-signed-blob bodies (a new STH each), built before timing starts. */
function newBodies(n: number): string[] {
  return Array.from({ length: n }, () => {
    const size = nextSize++;
    const blob = encodeTreeHeadSignature({
      timestamp: 1_700_000_000_000 + size,
      treeSize: size,
      sha256RootHash: hashLeaf(Buffer.from(String(size))),
    });
    return JSON.stringify({
      source_id: SOURCE_ID,
      blob_data: blob.toString('base64'),
      src_signature: source.sign(blob).toString('base64'),
    });
  });
}

type App = FastifyInstance;
type Req = InjectRequest;
/** Runs requests with IN_FLIGHT concurrency; resolves with requests/s; any non-200 answer fails the run. */
type Driver = (reqs: Req[]) => Promise<number>;

function injectDriver(app: App): Driver {
  return (reqs) => injectRate(app, reqs, IN_FLIGHT);
}

/** Hands the requests to the load-generating child process (see `client()` below), which times them. */
function httpDriver(child: ChildProcess, origin: string): Driver {
  let id = 0;
  return (reqs) =>
    new Promise((resolve, reject) => {
      const my = ++id;
      const onMessage = (m: { id: number; rate?: number; error?: string }) => {
        if (m.id !== my) return;
        child.off('message', onMessage);
        if (m.error) reject(new Error(m.error));
        else resolve(m.rate as number);
      };
      child.on('message', onMessage);
      child.send({ id: my, origin, reqs });
    });
}

/** The load generator: a child process that fires what it is sent over keep-alive HTTP and reports the rate. */
function client(): void {
  const agent = new Agent({ keepAlive: true, maxSockets: IN_FLIGHT });
  const one = (origin: string, r: Req) =>
    new Promise<void>((resolve, reject) => {
      const req = request(
        `${origin}${r.url}`,
        { method: r.method, agent, headers: r.payload ? { 'content-type': 'application/json' } : {} },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`HTTP ${res.statusCode}: ${Buffer.concat(chunks)}`))));
        },
      );
      req.on('error', reject);
      req.end(r.payload);
    });
  process.on('message', async (m: { id: number; origin: string; reqs: Req[] }) => {
    try {
      let next = 0;
      const t0 = performance.now();
      await Promise.all(
        Array.from({ length: IN_FLIGHT }, async () => {
          while (next < m.reqs.length) await one(m.origin, m.reqs[next++]);
        }),
      );
      process.send?.({ id: m.id, rate: (m.reqs.length * 1000) / (performance.now() - t0) });
    } catch (err) {
      process.send?.({ id: m.id, error: String(err) });
    }
  });
}

async function settle(hub: OpenedHub, storage: Awaited<ReturnType<typeof openStorage>>): Promise<number> {
  for (;;) {
    if ((await storage.pendingCount(hub.log.tree.id)) === 0) {
      await hub.hub.processGetSth({ quotaUser: null });
      const served = hub.hub.servedHead();
      const core = await storage.latestHead(hub.log.tree.id);
      if (served && core && served.size === core.size) return served.size;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * One ECDSA P-256 verify + one sign, back to back, per second: the crypto an
 * add-signed-blob needs (the source's STH signature, the hub's SGT), on the
 * same key types and message sizes, measured for ~200 ms. Taken right before
 * each round, so a round and its ceiling share the machine's conditions.
 */
function verifySignRate(ms = 200): number {
  const blob = encodeTreeHeadSignature({ timestamp: 1, treeSize: 1, sha256RootHash: Buffer.alloc(32, 1) });
  const sig = source.sign(blob);
  const entry = Buffer.alloc(150, 2);
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < ms) {
    for (let i = 0; i < 20; i++) {
      if (!verifySignature(source.publicKey, blob, sig)) throw new Error('verify failed');
      hubKey.sign(entry);
    }
    n += 20;
  }
  return (n * 1000) / (performance.now() - t0);
}

interface Figures {
  /** Per round: add-signed-blob/s of new blobs, and the ratio to the verify+sign rate measured just before. */
  freshRatio: number[];
  /** Loopback HTTP only, over the verify+sign rate just before: new blobs per busy second of the JS thread… */
  freshPerBusy: number[];
  /** …and per CPU-second of the whole server process. */
  freshPerCpu: number[];
  fresh: number[];
  dups: number[];
  dupsUncached: number[];
  proofs: number[];
  size: number;
}

/** One full run on a storage URL: new blobs, exact duplicates, uncached duplicates, proofs. */
async function suite(url: string, mode: 'inject' | 'http', child: ChildProcess, writerThread = false): Promise<Figures> {
  const storage = await openStorage(url, { writerThread });
  const sources = [makeSource({ id: SOURCE_ID, kind: 'RFC6962STH', publicKey: source.publicKey })];
  const part = await openHubs([{ prefix: 'bench', signer: hubKey, sources }], { storage, createMissing: true });
  // A second instance answers duplicates without its SGT cache: the full path (verify, queue → dedup, sign) each time.
  const uncached = await openHubs([{ prefix: 'nocache', signer: hubKey, sources }], { storage, createMissing: true, sgtCacheSize: 0 });
  const hubs = part.hubs;
  const server = await startServer({
    host: '127.0.0.1',
    port: 0,
    parts: [part, uncached],
    registry: new Registry(),
    listen: mode === 'http',
  });
  const app = server.app;
  const drive: Driver = mode === 'http' ? httpDriver(child, server.url) : injectDriver(app);
  const add = (prefix: string) => `/${prefix}/gossip/v0/add-signed-blob`;
  // Warm-up (JIT, SQLite page cache, tile cache).
  await drive(newBodies(300).map((payload) => ({ method: 'POST' as const, url: add('bench'), payload })));

  const f: Figures = { freshRatio: [], freshPerBusy: [], freshPerCpu: [], fresh: [], dups: [], dupsUncached: [], proofs: [], size: 0 };
  const submitted: string[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const bodies = newBodies(PER_ROUND);
    const ceiling = verifySignRate();
    const cpu0 = process.cpuUsage();
    const elu0 = perfHooks.eventLoopUtilization();
    const rate = await drive(bodies.map((payload) => ({ method: 'POST' as const, url: add('bench'), payload })));
    const cpu = process.cpuUsage(cpu0);
    const elu = perfHooks.eventLoopUtilization(elu0);
    // Over HTTP this process is only the server, so its costs can be told apart from the load
    // generator's (which shares the machine's two cores): requests per second of the JS thread's
    // busy time, and per CPU-second of the whole process (every thread: writer, GC helpers, libuv).
    if (mode === 'http') {
      f.freshPerBusy.push((bodies.length * 1000) / elu.active / ceiling);
      f.freshPerCpu.push((bodies.length * 1e6) / (cpu.user + cpu.system) / ceiling);
    }
    f.fresh.push(rate);
    f.freshRatio.push(rate / ceiling);
    submitted.push(...bodies);
    f.dups.push(await drive(bodies.map((payload) => ({ method: 'POST' as const, url: add('bench'), payload }))));
  }
  const some = submitted.slice(0, PER_ROUND);
  await drive(some.map((payload) => ({ method: 'POST' as const, url: add('nocache'), payload })));
  for (let r = 0; r < ROUNDS; r++)
    f.dupsUncached.push(await drive(some.map((payload) => ({ method: 'POST' as const, url: add('nocache'), payload }))));

  f.size = await settle(hubs[0], storage);
  const leafHashes = (await storage.leavesByRange(hubs[0].log.tree.id, 0, f.size)).map((l) => l.leafHash);
  for (let r = 0; r < ROUNDS; r++) {
    const reqs = Array.from({ length: PER_ROUND }, (_, i) => {
      const h = leafHashes[(i * 7919 + r * 104729) % leafHashes.length];
      return {
        method: 'GET' as const,
        url: `/bench/gossip/v0/get-proof-by-hash?hash=${encodeURIComponent(h.toString('base64'))}&tree_size=${f.size}`,
      };
    });
    f.proofs.push(await drive(reqs));
  }
  await server.close();
  await storage.close();
  return f;
}

function report(what: string, f: Figures, ceiling: number): void {
  const n = median(f.fresh);
  console.log(`\n${what}`);
  line('  add-signed-blob, new blobs (/s)', `${fmt(n)}  = ${pct(n / ceiling)} of the run's verify+sign`);
  line('  new blobs / verify+sign measured just before (median)', `${pct(median(f.freshRatio))}  (target ≥ 50%)`);
  if (f.freshPerCpu.length > 0) {
    line('  new blobs per busy second of the JS thread / verify+sign', pct(median(f.freshPerBusy)));
    line('  new blobs per CPU-second of the server process / verify+sign', pct(median(f.freshPerCpu)));
  }
  line('  add-signed-blob, duplicates (/s)', `${fmt(median(f.dups))}  (target ≥ 10,000)`);
  line(
    '  duplicates with the SGT cache off (/s)',
    `${fmt(median(f.dupsUncached))}  = ${pct(median(f.dupsUncached) / ceiling)} of verify+sign`,
  );
  line(`  get-proof-by-hash, tree of ${fmt(f.size)} (/s)`, fmt(median(f.proofs)));
  line('  rounds: new', f.fresh.map(fmt).join(' '));
  line('  rounds: new / verify+sign', f.freshRatio.map(pct).join(' '));
  if (f.freshPerCpu.length > 0) {
    line('  rounds: new per JS-thread busy second / verify+sign', f.freshPerBusy.map(pct).join(' '));
    line('  rounds: new per process CPU-second / verify+sign', f.freshPerCpu.map(pct).join(' '));
  }
  line('  rounds: duplicates', f.dups.map(fmt).join(' '));
  line('  rounds: proofs', f.proofs.map(fmt).join(' '));
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'gv-bench-hub-'));
  console.log(`Gossip Hub: ${IN_FLIGHT} requests in flight, ${ROUNDS} rounds × ${PER_ROUND}, medians; the server is one process`);
  const child = fork(fileURLToPath(import.meta.url), ['--client', `--in-flight=${IN_FLIGHT}`], { stdio: 'inherit' });
  const before = signatureCeiling();
  const runs: [string, Figures][] = [];
  for (const [mode, what] of [
    ['http', 'loopback HTTP (load from a child process)'],
    ['inject', 'fastify inject() (client in the same process)'],
  ] as const) {
    nextSize = 1;
    runs.push([
      `${what}, SQLite file (WAL, synchronous=FULL), writes on a writer thread: what servers run`,
      await suite(`sqlite:${join(dir, `${mode}-thread.db`)}`, mode, child, true),
    ]);
    if (mode === 'http') {
      nextSize = 1;
      runs.push([
        `${what}, SQLite file (WAL, synchronous=FULL), writes and their fsyncs on the event loop`,
        await suite(`sqlite:${join(dir, `${mode}.db`)}`, mode, child),
      ]);
    }
    nextSize = 1;
    runs.push([`${what}, SQLite in memory (no fsync)`, await suite('sqlite::memory:', mode, child)]);
  }
  const after = signatureCeiling();
  child.kill();
  // The ceiling is measured before and after the suites; the median of both guards against a noisy neighbour.
  const ceiling = median([before.verifyPlusSign, after.verifyPlusSign]);
  line('ceiling: ECDSA P-256 verify/s (before, after)', `${fmt(before.ecdsaVerify)}, ${fmt(after.ecdsaVerify)}`);
  line('ceiling: ECDSA P-256 sign/s (before, after)', `${fmt(before.ecdsaSign)}, ${fmt(after.ecdsaSign)}`);
  line('ceiling: one verify + one sign (/s)', fmt(ceiling));
  for (const [what, f] of runs) report(what, f, ceiling);
  rmSync(dir, { recursive: true, force: true });
}

if (process.argv.includes('--client')) client();
else await main();
