/**
 * CT log benchmark (issue #5): add-chain/s (new certificates and
 * resubmissions), add-pre-chain/s, and get-entries entries/s, against the
 * node:crypto ECDSA P-256 sign/s and verify/s measured in the same run.
 *
 * Measured through fastify inject() (the full route: body parse, X.509
 * parsing, chain verification, quota, storage, SCT signing, serialization;
 * no sockets), 64 requests in flight, on one JS thread: the sequencer and
 * the MMD watchdog run in the same process, on a real SQLite file (WAL,
 * synchronous=FULL) written by its writer thread, as servers run it. Chains are leaf + intermediate under an ECDSA P-256
 * test CA (the root is omitted, as most submitters do); the log key is
 * ECDSA P-256. Certificates are minted before timing. Each figure is the
 * median of several rounds.
 *
 * The crypto floor of one new add-chain is one ECDSA verify (the leaf's
 * signature; the intermediate ← root link is verified once and remembered)
 * plus one ECDSA sign (the SCT), so the "ceiling" printed beside it is
 * 1 / (1/verify + 1/sign). Besides the full ceiling at the start, a short
 * one is measured before each round, and ratios are the median of each
 * round's rate over its own ceiling, so load that comes and goes on a shared
 * machine moves both sides of a ratio together.
 *
 * "harness floor" is what this harness allows at best: a route on the same
 * app factory that only parses the JSON body, decodes the base64 chain,
 * verifies one ECDSA signature and signs one, driven the same way. The gap
 * between it and the ceiling is fastify inject(), JSON and base64; the gap
 * between add-chain and it is the log's own work (X.509, storage, SCT).
 *
 * "with a per-issuer quota" submits the same new certificates to a second
 * log that has one, as servers configured with `quota.perIssuer` run: each
 * submission's identity is then looked up in storage before the issuers'
 * buckets are charged (new entries only pay them).
 *
 * "over loopback HTTP" is what servers run: `grapevine ct serve` from the
 * built dist/ as a process of its own (SQLite file, writer thread, its
 * sequencer in the same process; submissions on the fast path ahead of
 * fastify's router), loaded with 64 requests in flight from this process
 * (bench/http-load.ts, as the hub's benchmark). Its ratios are to one
 * verify + one sign measured on this thread just before each round: per wall
 * second, and per CPU-second of the server's main thread (what limits it,
 * and what a busy machine steals least).
 *
 *   npm run bench -- ct            (--quick: fewer, smaller rounds)
 */
import 'reflect-metadata';
import { generateKeyPairSync, sign, verify } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';
import { encodePem, exportPrivateKeyPem, generatePrivateKey, signerFromPrivateKey } from '../src/crypto/index.ts';
import type { Part } from '../src/http/index.ts';
import { type CtLogPart, openCtLog } from '../src/personalities/ct/index.ts';
import { type Server, startServer } from '../src/server/index.ts';
import { openStorage } from '../src/storage/index.ts';
import { mintDemoSet, mintLeaf, mintPrecert, type TestCert } from '../src/x509/testca/index.ts';
import { closeAgents, httpRate, type Req, round, rounds, spawnServer, stopServer } from './http-load.ts';
import { fmt, type InjectRequest, injectRate, line, median, pct, rate, signatureCeiling } from './lib.ts';

const BIN = new URL('../bin/grapevine.js', import.meta.url).pathname;

const quick = process.argv.includes('--quick');
const ROUNDS = quick ? 3 : 5;
const PER_ROUND = quick ? 500 : 2000;
const IN_FLIGHT = 64;
const PAGE = 1000;

type App = FastifyInstance;

/** Runs the requests with IN_FLIGHT concurrency; returns requests/s and checks every status. */
const drive = (app: App, reqs: InjectRequest[]) => injectRate(app, reqs, IN_FLIGHT);

const body = (chain: Buffer[]) => JSON.stringify({ chain: chain.map((c) => c.toString('base64')) });

async function mint(n: number, f: (i: number) => Promise<TestCert>): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for (let i = 0; i < n; i++) out.push((await f(i)).der);
  return out;
}

/** A short ECDSA P-256 verify + sign ceiling (about 0.6 s), measured before each round. */
function roundCeiling(): number {
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const msg = Buffer.alloc(100, 1);
  const sig = sign('sha256', msg, ec.privateKey);
  const v = median([0, 1, 2].map(() => rate(() => verify('sha256', msg, ec.publicKey, sig), 100)));
  const s = median([0, 1, 2].map(() => rate(() => sign('sha256', msg, ec.privateKey), 100)));
  return 1 / (1 / v + 1 / s);
}

/** The harness floor route (see the header) as a server part: JSON + base64 + one verify + one sign per request, body read as ctRoutes does. */
const floorPart: Part = {
  name: 'floor',
  readiness: () => [],
  mount: async (app) => floorRoute(app),
  start: async () => {},
  stop: async () => {},
};

function floorRoute(app: App): void {
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const msg = Buffer.alloc(100, 1);
  const sig = sign('sha256', msg, ec.privateKey);
  app.register(async (sub) => {
    sub.removeAllContentTypeParsers();
    sub.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, b, done) => done(null, b));
    sub.post('/floor', async (req, reply) => {
      const chain = (JSON.parse(String(req.body)) as { chain: string[] }).chain.map((c) => Buffer.from(c, 'base64'));
      if (!verify('sha256', msg, ec.publicKey, sig)) throw new Error('floor: verify failed');
      const out = sign('sha256', chain[0].subarray(0, 100), ec.privateKey);
      return reply.type('application/json').send(JSON.stringify({ sct_version: 0, signature: out.toString('base64') }));
    });
  });
}

async function waitMerged(o: CtLogPart, size: number): Promise<void> {
  while ((await o.log.latestHead()).size < size) await new Promise((r) => setTimeout(r, 20));
}

/** add-chain of new certificates against `grapevine ct serve` (dist/), a process of its own, over loopback HTTP. */
async function overHttp(root: Buffer, intermediate: Buffer, leaves: Buffer[]): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'gv-bench-ct-http-'));
  writeFileSync(join(dir, 'ct.pem'), exportPrivateKeyPem(generatePrivateKey('ecdsa-p256')), { mode: 0o600 });
  writeFileSync(join(dir, 'roots.pem'), encodePem('CERTIFICATE', root));
  writeFileSync(
    join(dir, 'ct.yaml'),
    'listen: 127.0.0.1:0\ndatabase: sqlite:ct.db\ntree: bench\nkeyFile: ct.pem\nroots: [roots.pem]\nmmd: 10s\nlogLevel: warn\n',
  );
  const { child, url } = await spawnServer([BIN, 'ct', 'serve', '--config', join(dir, 'ct.yaml'), '--create-trees'], dir);
  try {
    const post = (l: Buffer): Req => ({ method: 'POST', url: '/ct/v1/add-chain', payload: body([l, intermediate]) });
    await httpRate(url, leaves.slice(0, PER_ROUND).map(post), IN_FLIGHT); // warm-up: JIT, page cache
    const add = rounds();
    for (let r = 1; r <= ROUNDS; r++) {
      await round(add, child.pid as number, url, leaves.slice(r * PER_ROUND, (r + 1) * PER_ROUND).map(post), IN_FLIGHT);
    }
    line(`add-chain, new certificates (/s)`, `${fmt(median(add.rate))}  rounds: ${add.rate.map(fmt).join(' ')}`);
    line('  / verify+sign, wall (target ≥ 40%)', `${pct(median(add.wall))}  rounds: ${add.wall.map(pct).join(' ')}`);
    if (add.main.length > 0) {
      line('  per main-thread CPU-s / verify+sign per CPU-s', `${pct(median(add.main))}  rounds: ${add.main.map(pct).join(' ')}`);
      line('  per process CPU-s / verify+sign per CPU-s', `${pct(median(add.proc))}  rounds: ${add.proc.map(pct).join(' ')}`);
    }
  } finally {
    closeAgents();
    await stopServer(child);
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'gv-bench-ct-'));
  const storage = await openStorage(`sqlite:${join(dir, 'ct.db')}`, { writerThread: true });
  let server: Server | null = null;
  try {
    const c = signatureCeiling();
    line('machine ceiling: ECDSA P-256 sign (node:crypto)', `${fmt(c.ecdsaSign)} /s`);
    line('machine ceiling: ECDSA P-256 verify (node:crypto)', `${fmt(c.ecdsaVerify)} /s`);
    line('  one verify + one sign (an add-chain floor)', `${fmt(c.verifyPlusSign)} /s`);

    const d = await mintDemoSet();
    console.log(`minting ${ROUNDS * PER_ROUND} leaves and ${ROUNDS * (PER_ROUND / 4)} precertificates …`);
    let serial = 0;
    const leaves = await mint(ROUNDS * PER_ROUND, () => mintLeaf(d.intermediate, { dnsNames: [`l${serial++}.bench.grapevine.test`] }));
    const precerts = await mint(ROUNDS * (PER_ROUND / 4), () =>
      mintPrecert(d.intermediate, { dnsNames: [`p${serial++}.bench.grapevine.test`] }),
    );

    const opened = await openCtLog(
      {
        tree: 'bench',
        signer: signerFromPrivateKey(generatePrivateKey('ecdsa-p256')),
        roots: [d.root.der],
        mmdMs: 10_000,
        maxGetEntries: PAGE,
      },
      { storage, createMissing: true },
    );
    const withQuota = await openCtLog(
      {
        tree: 'bench-quota',
        prefix: '/q',
        signer: signerFromPrivateKey(generatePrivateKey('ecdsa-p256')),
        roots: [d.root.der],
        mmdMs: 10_000,
      },
      { storage, createMissing: true, quotas: { perIssuer: { write: { rate: 1e9, burst: 1e9 } } } },
    );
    server = await startServer({
      host: '127.0.0.1',
      port: 0,
      parts: [opened, withQuota, floorPart],
      registry: new Registry(),
      listen: false,
    });
    const app = server.app;

    // Warm-up (JIT, caches), not counted.
    const warm = await mint(200, () => mintLeaf(d.intermediate, { dnsNames: [`w${serial++}.bench.grapevine.test`] }));
    await drive(
      app,
      warm.map((l) => ({ method: 'POST', url: '/ct/v1/add-chain', payload: body([l, d.intermediate.der]) })),
    );

    const add: number[] = [];
    const dup: number[] = [];
    const pre: number[] = [];
    const addQuota: number[] = [];
    const floor: number[] = [];
    const ceilings: number[] = [];
    const ratio = { add: [] as number[], pre: [] as number[], addQuota: [] as number[], floor: [] as number[] };
    for (let r = 0; r < ROUNDS; r++) {
      const ceiling = roundCeiling();
      ceilings.push(ceiling);
      const chains = leaves.slice(r * PER_ROUND, (r + 1) * PER_ROUND).map((l) => body([l, d.intermediate.der]));
      const batch = chains.map((payload) => ({ method: 'POST' as const, url: '/ct/v1/add-chain', payload }));
      add.push(await drive(app, batch));
      ratio.add.push(add[r] / ceiling);
      dup.push(await drive(app, batch));
      const pbatch = precerts.slice(r * (PER_ROUND / 4), (r + 1) * (PER_ROUND / 4));
      pre.push(
        await drive(
          app,
          pbatch.map((p) => ({ method: 'POST' as const, url: '/ct/v1/add-pre-chain', payload: body([p, d.intermediate.der]) })),
        ),
      );
      ratio.pre.push(pre[r] / ceiling);
      // The same certificates are new to the second log.
      addQuota.push(
        await drive(
          app,
          chains.map((payload) => ({ method: 'POST' as const, url: '/q/ct/v1/add-chain', payload })),
        ),
      );
      ratio.addQuota.push(addQuota[r] / ceiling);
      floor.push(
        await drive(
          app,
          chains.map((payload) => ({ method: 'POST' as const, url: '/floor', payload })),
        ),
      );
      ratio.floor.push(floor[r] / ceiling);
    }
    line('one verify + one sign, median of the per-round ceilings', `${fmt(median(ceilings))} /s`);
    line('harness floor: JSON + base64 + verify + sign route', `${fmt(median(floor))} /s`);
    line('  ratio to one verify + one sign (per-round ceilings)', pct(median(ratio.floor)));
    const addRate = median(add);
    line(`add-chain, new certificates (${IN_FLIGHT} in flight)`, `${fmt(addRate)} /s`);
    line('  ratio to ECDSA sign', pct(addRate / c.ecdsaSign));
    line('  ratio to one verify + one sign (per-round ceilings)', pct(median(ratio.add)));
    line('add-chain, resubmissions (original SCT timestamp)', `${fmt(median(dup))} /s`);
    line('add-pre-chain, new precertificates', `${fmt(median(pre))} /s`);
    line('  ratio to one verify + one sign (per-round ceilings)', pct(median(ratio.pre)));
    line('add-chain, new certificates, with a per-issuer quota', `${fmt(median(addQuota))} /s`);
    line('  ratio to one verify + one sign (per-round ceilings)', pct(median(ratio.addQuota)));

    const total = 200 + ROUNDS * PER_ROUND + ROUNDS * (PER_ROUND / 4);
    await waitMerged(opened, total);
    const pages = Math.floor(total / PAGE);
    const reads: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const reqs = Array.from({ length: pages }, (_, p) => ({
        method: 'GET' as const,
        url: `/ct/v1/get-entries?start=${p * PAGE}&end=${p * PAGE + PAGE - 1}`,
      }));
      reads.push((await drive(app, reqs)) * PAGE);
    }
    line(`get-entries, ${PAGE}-entry pages over ${fmt(total)} entries`, `${fmt(median(reads))} entries/s`);
    line('  ratio to ECDSA sign (for scale; no signing involved)', pct(median(reads) / c.ecdsaSign));

    console.log('\nover loopback HTTP: grapevine ct serve (dist/), a process of its own, 64 requests in flight');
    const httpLeaves = await mint((ROUNDS + 1) * PER_ROUND, () =>
      mintLeaf(d.intermediate, { dnsNames: [`h${serial++}.bench.grapevine.test`] }),
    );
    await overHttp(d.root.der, d.intermediate.der, httpLeaves);
  } finally {
    await server?.close();
    await storage.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
