/**
 * `npm run bench -- gossip`: the gossip service's throughput, each figure
 * beside a ceiling measured in the same run, so ratios survive a noisy
 * machine.
 *
 * 1. gossip-msg-0 validated and forwarded per second: distinct STHs (one
 *    ECDSA P-256 verification each) from a peer to a transport — handed to
 *    the service in process, and written over the peer socket (JSON lines) —
 *    against ECDSA verify/s. Target: ≥ 50% of one verify per message.
 * 2. STH pollination requests per second, ours and Google's 2016 Go gossip
 *    server (GRAPEVINE_GO_GOSSIP_SERVER, as .ci/run builds it) side by side,
 *    the load from one child process over keep-alive loopback HTTP, 1 and 10
 *    distinct fresh STHs per request, medians of interleaved rounds.
 *    Targets: ≥ 5× Go with 1 STH, ≥ 2× with 10.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { sthToJson } from '../src/codec/index.ts';
import { parsePrivateKey, rfc6962LogId, signerFromPrivateKey, signSth } from '../src/crypto/index.ts';
import { GossipDaemon } from '../src/gossip/daemon.ts';
import { GossipService, type Outgoing, type Transport } from '../src/gossip/service/index.ts';
import { PeerSocket } from '../src/gossip/sockets/index.ts';
import { OLD_POLLINATION_PATH, PollinationTransport } from '../src/gossip/transports/pollination/index.ts';
import { LogRegistry } from '../src/gossip/validate/index.ts';
import { startServer } from '../src/server/index.ts';
import { MemoryHeadStore } from '../src/storage/index.ts';
import { startGoServer } from '../test/gossip/transports/go-server.ts';
import { loadTestdata } from '../test/testdata.ts';
import { fmt, line, median, pct, signatureCeiling } from './lib.ts';

const IN_FLIGHT = 16;
const ROUNDS = 3;
const KEY = parsePrivateKey(loadTestdata('ct-sths.json').sth_pairs[1].test_private_keys_pem.m);
const LOG_ID = rfc6962LogId(KEY.publicKey);
const signer = signerFromPrivateKey(KEY);
let serial = 0;

/** A fresh, distinct STH of test log m; `hoursAgo` spreads them over the pollination window. */
function freshSth(hoursAgo = 0) {
  const n = ++serial;
  return signSth(signer, {
    treeSize: 1_000_000 + n,
    timestamp: Date.now() - hoursAgo * 3_600_000 - (n % 1000),
    sha256RootHash: createHash('sha256').update(`bench ${n}`).digest(),
  });
}

const registry = () => new LogRegistry([{ name: 'test log m', key: KEY.publicKey }]);

/** A transport that counts what it is sent and resolves when `want` arrived. */
class Sink implements Transport {
  readonly name = 'sink';
  count = 0;
  #want = 0;
  #done: (() => void) | null = null;
  expect(want: number): Promise<void> {
    this.#want = want;
    return new Promise((r) => {
      this.#done = r;
    });
  }
  async send(_m: Outgoing): Promise<void> {
    if (++this.count >= this.#want) this.#done?.();
  }
}

function newService(): { service: GossipService; sink: Sink } {
  const service = new GossipService({
    logs: registry(),
    store: new MemoryHeadStore(),
    limits: { peerRate: { rate: 1e9, burst: 1e9 }, transportInFlight: 64, transportQueue: 100_000 },
  });
  const sink = new Sink();
  service.registerTransport(sink);
  return { service, sink };
}

/** Sends the child an instruction and waits for its answer. */
function ask(child: ChildProcess, msg: Record<string, unknown>): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    const on = (m: Record<string, unknown>) => {
      if (m.op !== msg.op) return;
      child.off('message', on);
      resolve(m);
    };
    child.on('message', on);
    child.send(msg);
  });
}

async function messageRates(child: ChildProcess): Promise<{ inProcess: number; socket: number }> {
  const N = 4000;
  const datas = () => Array.from({ length: N }, () => Buffer.from(JSON.stringify(sthToJson(freshSth()))));
  const logId = LOG_ID.toString('hex');
  const inProcess: number[] = [];
  const socket: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    {
      const { service, sink } = newService();
      const d = datas();
      const done = sink.expect(N);
      const t0 = performance.now();
      for (const gossipData of d) service.fromPeer('bench', { command: 'gossip-msg-0', logId, gossipData, destination: ['sink'] });
      await done;
      inProcess.push((N * 1000) / (performance.now() - t0));
      await service.close();
    }
    {
      const { service, sink } = newService();
      const dir = mkdtempSync(join(tmpdir(), 'gossip-bench-'));
      const peers = new PeerSocket(service, { limits: { maxPending: 4096, batch: 256 } });
      await peers.listen({ path: join(dir, 'p.sock') });
      // The peer is another process: it signs its STHs first, then writes them as fast as the socket takes them.
      await ask(child, { op: 'prepare', path: join(dir, 'p.sock'), n: N, logId });
      const done = sink.expect(N);
      const t0 = performance.now();
      child.send({ op: 'go' });
      await done;
      socket.push((N * 1000) / (performance.now() - t0));
      await ask(child, { op: 'close' });
      await peers.close();
      await service.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return { inProcess: median(inProcess), socket: median(socket) };
}

// ---- pollination ----

interface Req {
  readonly path: string;
  readonly body: string;
}

/** Requests of `k` distinct fresh STHs each, in the -00 body shape both servers read. */
function pollinationRequests(count: number, k: number): Req[] {
  return Array.from({ length: count }, (_, i) => ({
    path: OLD_POLLINATION_PATH,
    body: JSON.stringify({
      sths: Array.from({ length: k }, (_, j) => sthToJson({ ...freshSth((i * k + j) % 330), sthVersion: 0, logId: LOG_ID })),
    }),
  }));
}

/** The load generator (child process): fires what it is sent over keep-alive HTTP and reports requests/s. */
function client(): void {
  const agent = new Agent({ keepAlive: true, maxSockets: IN_FLIGHT });
  const one = (origin: string, r: Req) =>
    new Promise<void>((resolve, reject) => {
      const req = request(`${origin}${r.path}`, { method: 'POST', agent, headers: { 'content-type': 'application/json' } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`HTTP ${res.statusCode}: ${Buffer.concat(chunks)}`))));
      });
      req.on('error', reject);
      req.end(r.body);
    });
  // A keep-alive socket the server closed while this process was idle (between drives) resets: try once more.
  const retried = (origin: string, r: Req) =>
    one(origin, r).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ECONNRESET' || err.code === 'EPIPE') return one(origin, r);
      throw err;
    });
  let peer: Socket | null = null;
  let lines: string[] = [];
  process.on('message', async (m: { op?: string; path?: string; n?: number; logId?: string }) => {
    if (m.op === 'prepare') {
      lines = Array.from(
        { length: m.n as number },
        () =>
          `${JSON.stringify({ command: 'gossip-msg-0', destination: ['sink'], 'log-id': m.logId, 'gossip-data': Buffer.from(JSON.stringify(sthToJson(freshSth()))).toString('base64') })}\n`,
      );
      const s = connect(m.path as string);
      await new Promise((r) => s.once('connect', r));
      s.resume();
      peer = s;
      process.send?.({ op: 'prepare' });
    } else if (m.op === 'go' && peer) {
      const s = peer;
      let i = 0;
      const pump = () => {
        while (i < lines.length) if (!s.write(lines[i++])) return void s.once('drain', pump);
      };
      pump();
    } else if (m.op === 'close') {
      peer?.destroy();
      peer = null;
      process.send?.({ op: 'close' });
    }
  });
  process.on('message', async (m: { id: number; origin: string; reqs: Req[] }) => {
    if (m.id === undefined) return;
    try {
      let next = 0;
      let failed = 0;
      let lastError = '';
      const t0 = performance.now();
      await Promise.all(
        Array.from({ length: IN_FLIGHT }, async () => {
          while (next < m.reqs.length) {
            // A server that answers an error (Go's: "database is locked" under concurrent requests) loses the request.
            await retried(m.origin, m.reqs[next++]).catch((err: Error) => {
              failed++;
              lastError = err.message;
            });
          }
        }),
      );
      const ok = m.reqs.length - failed;
      process.send?.({ id: m.id, rate: (ok * 1000) / (performance.now() - t0), failed, lastError });
    } catch (err) {
      process.send?.({ id: m.id, error: String(err) });
    }
  });
}

/** Successful requests per second; failures are counted in `failures` (by origin). */
const failures = new Map<string, { count: number; last: string }>();

function drive(child: ChildProcess, origin: string, reqs: Req[]): Promise<number> {
  const id = Math.random();
  return new Promise((resolve, reject) => {
    const onMessage = (m: { id: number; rate?: number; error?: string; failed?: number; lastError?: string }) => {
      if (m.id !== id) return;
      child.off('message', onMessage);
      if (m.failed) {
        const f = failures.get(origin) ?? { count: 0, last: '' };
        failures.set(origin, { count: f.count + m.failed, last: m.lastError ?? '' });
      }
      if (m.error) reject(new Error(m.error));
      else resolve(m.rate as number);
    };
    child.on('message', onMessage);
    child.send({ id, origin, reqs });
  });
}

/** Our pollination server: the daemon with only the pollination transport, on the server builder. */
async function ourServer(dir: string) {
  const reg = new Registry();
  const logger = pino({ level: 'silent' });
  const daemon = new GossipDaemon({
    name: 'bench',
    logs: registry(),
    store: new MemoryHeadStore(),
    registry: reg,
    logger,
    limits: { transportRate: { rate: 1e9, burst: 1e9 } },
    peerSocket: { path: join(dir, 'bench-peer.sock') },
    transports: [
      (service) =>
        new PollinationTransport({
          service,
          serve: true,
          pools: [],
          intervalMs: 0,
          perRequest: 10,
          perResponse: 10,
          maxSths: 100,
          maxTrials: 64,
          clientRate: { rate: 1e9, burst: 1e9 },
        }),
    ],
  });
  return startServer({ host: '127.0.0.1', port: 0, parts: [daemon], registry: reg, logger });
}

async function pollinationRates(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'gossip-bench-poll-'));
  const child = fork(fileURLToPath(import.meta.url), ['--client'], { stdio: 'inherit' });
  const ours = await ourServer(dir);
  let go: Awaited<ReturnType<typeof startGoServer>> | null = null;
  if (process.env.GRAPEVINE_GO_GOSSIP_SERVER) go = await startGoServer(dir, [KEY.publicKey]);
  else console.log('  (Go gossip server not built: set GRAPEVINE_GO_GOSSIP_SERVER, as .ci/run does; ours alone below)');
  try {
    for (const [k, count, target] of [
      [1, 1500, 5],
      [10, 500, 2],
    ] as const) {
      // Warm-up: both servers see some STHs before the timed rounds.
      await drive(child, ours.url, pollinationRequests(100, k));
      if (go) await drive(child, go.url, pollinationRequests(100, k));
      const mine: number[] = [];
      const theirs: number[] = [];
      for (let r = 0; r < ROUNDS; r++) {
        mine.push(await drive(child, ours.url, pollinationRequests(count, k)));
        if (go) theirs.push(await drive(child, go.url, pollinationRequests(count, k)));
      }
      const failedNote = (origin: string) => {
        const f = failures.get(origin);
        failures.delete(origin);
        return f ? ` (${f.count} failed: ${f.last.slice(0, 60)})` : '';
      };
      line(
        `sth-pollination, ${k} STH/request, ours`,
        `${fmt(median(mine))} req/s (${fmt(median(mine) * k)} STHs/s)${failedNote(ours.url)}`,
      );
      if (go) {
        const ratio = median(mine) / median(theirs);
        line(`sth-pollination, ${k} STH/request, Go (c-t-go 2016)`, `${fmt(median(theirs))} req/s${failedNote(go.url)}`);
        line(`  ours / Go`, `${ratio.toFixed(2)}× (target ≥ ${target}×) ${ratio >= target ? 'ok' : 'BELOW TARGET'}`);
      }
    }
  } finally {
    child.kill();
    await ours.close();
    await go?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const ceiling = signatureCeiling();
  line('ceiling: ECDSA P-256 verify', `${fmt(ceiling.ecdsaVerify)}/s`);
  if (process.argv.includes('--pollination-only')) return pollinationRates();
  const child = fork(fileURLToPath(import.meta.url), ['--client'], { stdio: 'inherit' });
  let m: Awaited<ReturnType<typeof messageRates>>;
  try {
    m = await messageRates(child);
  } finally {
    child.kill();
  }
  line('gossip-msg-0 validated + forwarded, in process', `${fmt(m.inProcess)}/s = ${pct(m.inProcess / ceiling.ecdsaVerify)} of verify`);
  line(
    'gossip-msg-0 validated + forwarded, peer socket',
    `${fmt(m.socket)}/s = ${pct(m.socket / ceiling.ecdsaVerify)} of verify (target ≥ 50%)`,
  );
  await pollinationRates();
}

if (process.argv.includes('--client')) client();
else await main();
