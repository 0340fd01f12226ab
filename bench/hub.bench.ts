/**
 * Gossip Hub benchmark (issue 8 §2.3): add-signed-blob/s of new blobs
 * against the ceiling of one ECDSA P-256 verify + one sign (the crypto a new
 * blob needs: the source's signature, the hub's SGT), measured in this run.
 *
 * What servers run: `grapevine hub serve` from the built dist/ as a process
 * of its own (a SQLite file, WAL, synchronous=FULL, writes on its writer
 * thread; its sequencer and refresh timer in the same process), loaded over
 * keep-alive loopback HTTP from this process with 64 requests in flight
 * (`--in-flight=N`). Blobs are RFC 6962 STHs signed by an ECDSA P-256
 * source key, built before timing; the hub key is ECDSA P-256.
 *
 * Every figure is set beside a ceiling measured the same way just before
 * its round, and the median of the rounds' ratios is printed, so load that
 * comes and goes on a shared machine moves both sides of a ratio:
 * - wall: requests/s over verify+sign/s of this thread (the target: ≥ 50%);
 * - per main-thread CPU-second of the server (Linux: /proc/PID/task/PID)
 *   over verify+sign per CPU-second of this thread: the server's JS thread
 *   is what limits it, and CPU time is what a busy machine steals least;
 * - per CPU-second of the whole server process (writer thread, GC, libuv).
 *
 * The harness floor is the same measurement of a server that does only what
 * any add-signed-blob must (bench/hub-floor-server.ts: Node's HTTP, fastify
 * through the same server builder, JSON, base64, one verify, one sign): the
 * gap between it and the ceiling is the harness; the gap between the hub
 * and it is the hub's own work. The in-process section repeats both through
 * fastify inject() (the driver of earlier reports and of the CT bench) and
 * adds duplicates with the SGT cache off (verify, dedup in storage, sign).
 *
 *   npm run bench -- hub            (--quick: fewer, smaller rounds)
 */
import { generateKeyPairSync, sign, verify } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';
import { encodeTreeHeadSignature } from '../src/codec/index.ts';
import { exportPrivateKeyPem, generatePrivateKey, signerFromPrivateKey } from '../src/crypto/index.ts';
import type { Part } from '../src/http/index.ts';
import { makeSource } from '../src/hub/index.ts';
import { hashLeaf } from '../src/merkle/index.ts';
import { openHubs } from '../src/personalities/hub/index.ts';
import { startServer } from '../src/server/index.ts';
import { openStorage } from '../src/storage/index.ts';
import {
  closeAgents,
  httpRate as httpRateOf,
  type Req,
  type Rounds,
  round as roundOf,
  rounds,
  spawnServer,
  stopServer,
  verifySignRate,
} from './http-load.ts';
import { fmt, type InjectRequest, injectRate, line, median, pct, signatureCeiling } from './lib.ts';

const httpRate = (origin: string, reqs: readonly Req[]) => httpRateOf(origin, reqs, IN_FLIGHT);
const round = (r: Rounds, pid: number, origin: string, reqs: readonly Req[]) => roundOf(r, pid, origin, reqs, IN_FLIGHT);

const quick = process.argv.includes('--quick');
const ROUNDS = quick ? 3 : 5;
const PER_ROUND = quick ? 1000 : 3000;
const IN_FLIGHT = Number(process.argv.find((a) => a.startsWith('--in-flight='))?.split('=')[1] ?? 64);
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin', 'grapevine.js');

const sourceKey = generatePrivateKey('ecdsa-p256');
const source = signerFromPrivateKey(sourceKey);
const hubKey = generatePrivateKey('ecdsa-p256');
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

interface ServerFigures {
  readonly fresh: Rounds;
  readonly dups: number[];
  readonly proofs: number[];
}

/** `grapevine hub serve` from dist/: new blobs, exact duplicates, proofs. */
async function distServer(dir: string): Promise<ServerFigures> {
  writeFileSync(join(dir, 'hub.pem'), exportPrivateKeyPem(hubKey), { mode: 0o600 });
  writeFileSync(
    join(dir, 'hub.yaml'),
    `listen: 127.0.0.1:0
database: sqlite:hub.db
logLevel: warn
instances:
  - prefix: bench
    privateKeyFile: hub.pem
    sources:
      - { id: "${SOURCE_ID}", kind: RFC6962STH, publicKey: "${source.publicKey.spki.toString('base64')}" }
`,
  );
  const { child, url } = await spawnServer([BIN, 'hub', 'serve', '--config', join(dir, 'hub.yaml'), '--create-trees'], dir);
  try {
    const add = '/bench/gossip/v0/add-signed-blob';
    const post = (payload: string): Req => ({ method: 'POST', url: add, payload });
    await httpRate(url, newBodies(PER_ROUND).map(post)); // warm-up (one round's worth): JIT, page cache
    const fresh = rounds();
    const dups: number[] = [];
    const submitted: string[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const bodies = newBodies(PER_ROUND);
      await round(fresh, child.pid as number, url, bodies.map(post));
      submitted.push(...bodies);
      dups.push(await httpRate(url, bodies.map(post)));
    }
    // Proofs once everything is merged: read the served size from get-sth.
    let size = 0;
    for (let i = 0; i < 600 && size < submitted.length + PER_ROUND; i++) {
      const sth = await fetch(`${url}/bench/gossip/v0/get-sth`).then((r) => r.json() as Promise<{ head_data: string }>);
      size = Number(Buffer.from(sth.head_data, 'base64').readBigUInt64BE(0));
      if (size < submitted.length + PER_ROUND) await new Promise((r) => setTimeout(r, 100));
    }
    const entries = await fetch(`${url}/bench/gossip/v0/get-entries?start=0&end=999`).then(
      (r) => r.json() as Promise<{ entries: string[] }>,
    );
    const hashes = entries.entries.map((e) => hashLeaf(Buffer.from(e, 'base64')).toString('base64'));
    const proofs: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const reqs = Array.from({ length: PER_ROUND }, (_, i): Req => {
        const h = hashes[(i * 7919 + r * 104729) % hashes.length];
        return { method: 'GET', url: `/bench/gossip/v0/get-proof-by-hash?hash=${encodeURIComponent(h)}&tree_size=${size}` };
      });
      proofs.push(await httpRate(url, reqs));
    }
    return { fresh, dups, proofs };
  } finally {
    await stopServer(child);
  }
}

/** The harness floor server (bench/hub-floor-server.ts) with the same load. */
async function floorServer(): Promise<Rounds> {
  const { child, url } = await spawnServer(
    ['--import', 'tsx', join(ROOT, 'bench', 'hub-floor-server.ts'), source.publicKey.spki.toString('base64')],
    ROOT,
  );
  try {
    const post = (payload: string): Req => ({ method: 'POST', url: '/floor/gossip/v0/add-signed-blob', payload });
    await httpRate(url, newBodies(PER_ROUND).map(post)); // warm-up, as for the hub
    const r = rounds();
    for (let i = 0; i < ROUNDS; i++) await round(r, child.pid as number, url, newBodies(PER_ROUND).map(post));
    return r;
  } finally {
    await stopServer(child);
  }
}

/** The floor route as a part of an in-process server, for inject(). */
function floorPart(): Part {
  const keys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    name: 'floor',
    readiness: () => [],
    start: async () => {},
    stop: async () => {},
    mount: async (app: FastifyInstance) => {
      app.removeAllContentTypeParsers();
      app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, b, done) => done(null, b));
      app.post('/floor/gossip/v0/add-signed-blob', async (req, reply) => {
        const o = JSON.parse(String(req.body)) as { source_id: string; blob_data: string; src_signature: string };
        const blob = Buffer.from(o.blob_data, 'base64');
        const sig = Buffer.from(o.src_signature, 'base64');
        if (!verify('sha256', blob, source.publicKey.key, sig)) throw new Error('floor: verify failed');
        const entry = Buffer.concat([Buffer.from(o.source_id), blob, sig, Buffer.alloc(8)]);
        const out = sign('sha256', entry, keys.privateKey);
        return reply
          .type('application/json')
          .send(JSON.stringify({ timestamped_entry: entry.toString('base64'), hub_signature: out.toString('base64') }));
      });
    },
  };
}

interface InjectFigures {
  readonly fresh: number[];
  readonly floor: number[];
  readonly dupsUncached: number[];
}

/** fastify inject() in this process: new blobs and the floor route, per-round wall ratios; duplicates without the SGT cache. */
async function injected(dir: string): Promise<InjectFigures> {
  const storage = await openStorage(`sqlite:${join(dir, 'inject.db')}`, { writerThread: true });
  const signer = signerFromPrivateKey(hubKey);
  const sources = [makeSource({ id: SOURCE_ID, kind: 'RFC6962STH', publicKey: source.publicKey })];
  const hubs = await openHubs([{ prefix: 'bench', signer, sources }], { storage, createMissing: true });
  const nocache = await openHubs([{ prefix: 'nocache', signer, sources }], { storage, createMissing: true, sgtCacheSize: 0 });
  const server = await startServer({
    host: '127.0.0.1',
    port: 0,
    parts: [hubs, nocache, floorPart()],
    registry: new Registry(),
    listen: false,
  });
  const drive = (reqs: InjectRequest[]) => injectRate(server.app, reqs, IN_FLIGHT);
  const post =
    (prefix: string) =>
    (payload: string): InjectRequest => ({ method: 'POST', url: `/${prefix}/gossip/v0/add-signed-blob`, payload });
  try {
    await drive(newBodies(300).map(post('bench')));
    await drive(newBodies(300).map(post('floor')));
    const f: InjectFigures = { fresh: [], floor: [], dupsUncached: [] };
    let some: string[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const bodies = newBodies(PER_ROUND);
      some = bodies;
      let c = verifySignRate();
      f.fresh.push((await drive(bodies.map(post('bench')))) / c.wall);
      c = verifySignRate();
      f.floor.push((await drive(newBodies(PER_ROUND).map(post('floor')))) / c.wall);
    }
    await drive(some.map(post('nocache')));
    for (let r = 0; r < ROUNDS; r++) f.dupsUncached.push(await drive(some.map(post('nocache'))));
    return f;
  } finally {
    await server.close();
    await storage.close();
  }
}

function reportRounds(label: string, r: Rounds): void {
  line(`  ${label} (/s)`, `${fmt(median(r.rate))}  rounds: ${r.rate.map(fmt).join(' ')}`);
  line('    / verify+sign, wall (target ≥ 50%)', `${pct(median(r.wall))}  rounds: ${r.wall.map(pct).join(' ')}`);
  if (r.main.length > 0) {
    line('    per main-thread CPU-s / verify+sign per CPU-s', `${pct(median(r.main))}  rounds: ${r.main.map(pct).join(' ')}`);
    line('    per process CPU-s / verify+sign per CPU-s', `${pct(median(r.proc))}  rounds: ${r.proc.map(pct).join(' ')}`);
  }
}

async function main() {
  const { stale, build } = await import('../scripts/build.mjs');
  if (stale()) {
    console.log('building dist/ (what servers run) …');
    await build();
  }
  const dir = mkdtempSync(join(tmpdir(), 'gv-bench-hub-'));
  try {
    console.log(`Gossip Hub: ${IN_FLIGHT} requests in flight, ${ROUNDS} rounds × ${PER_ROUND}, medians of per-round ratios`);
    const before = signatureCeiling();
    const hub = await distServer(dir);
    const floor = await floorServer();
    const inj = await injected(dir);
    const after = signatureCeiling();
    const ceiling = median([before.verifyPlusSign, after.verifyPlusSign]);
    line('ceiling: ECDSA P-256 verify/s (before, after)', `${fmt(before.ecdsaVerify)}, ${fmt(after.ecdsaVerify)}`);
    line('ceiling: ECDSA P-256 sign/s (before, after)', `${fmt(before.ecdsaSign)}, ${fmt(after.ecdsaSign)}`);
    line('ceiling: one verify + one sign (/s)', fmt(ceiling));

    console.log('\nloopback HTTP, the server a process of its own');
    reportRounds('grapevine hub serve (dist/): add-signed-blob, new blobs', hub.fresh);
    reportRounds('harness floor: HTTP + fastify + JSON + base64 + verify + sign', floor);
    const gap = (a: number[], b: number[]) => (a.length > 0 && b.length > 0 ? pct(median(a) / median(b)) : 'n/a');
    line('  the hub / the floor: wall, main-thread CPU', `${gap(hub.fresh.wall, floor.wall)}, ${gap(hub.fresh.main, floor.main)}`);
    line('  add-signed-blob, exact duplicates (/s)', `${fmt(median(hub.dups))}  (target ≥ 10,000)`);
    line('  get-proof-by-hash (/s)', fmt(median(hub.proofs)));

    console.log('\nfastify inject(), the client in the same process (SQLite file, writer thread)');
    line('  add-signed-blob, new blobs / verify+sign, wall', `${pct(median(inj.fresh))}  rounds: ${inj.fresh.map(pct).join(' ')}`);
    line('  harness floor (inject + JSON + base64 + verify + sign)', `${pct(median(inj.floor))}  rounds: ${inj.floor.map(pct).join(' ')}`);
    line(
      '  duplicates with the SGT cache off (/s)',
      `${fmt(median(inj.dupsUncached))}  = ${pct(median(inj.dupsUncached) / ceiling)} of verify+sign`,
    );
  } finally {
    closeAgents();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
