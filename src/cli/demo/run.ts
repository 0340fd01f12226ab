/**
 * `grapevine demo`: the whole system on loopback, catching a split view.
 *
 *   honest-ct ──────────────┐
 *   split-ct ─ tree A ─ collector-a ─┬─ hub ─────────┐
 *            └ tree B ─ collector-b ─┼─ gossip-a ⇄ gossip-b ── auditor ── incident + evidence
 *                                    └──────────────┘
 *
 * split-ct is two real CT logs under one key behind a proxy that answers
 * collector-a from tree A and everyone else from tree B. The auditor sees
 * tree A through the hub's entries and both trees through the gossip
 * services, raises a fork incident, writes its evidence, and the evidence is
 * checked by running `grapevine evidence verify` on it. honest-ct must stay
 * quiet: every head and SCT of it audited, no incident.
 *
 * Exit 0 when the split view was caught with evidence that verifies and the
 * honest log raised nothing; 1 otherwise.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Logger, pino } from 'pino';
import { Registry } from 'prom-client';
import { parseAddChainResponse, parseGetSth } from '../../codec/index.ts';
import { exportPublicKeyPem, generatePrivateKey, signerFromPrivateKey } from '../../crypto/index.ts';
import { type Incident, sctPromise } from '../../evidence/index.ts';
import { EvidenceDir, IncidentMetrics, IncidentReporter, JsonLinesIncidentSink } from '../../incidents/index.ts';
import {
  Auditor,
  boundedFetch,
  Collector,
  GossipDestination,
  GossipFeed,
  HubDestination,
  JsonFileHeadStore,
  monitoredHub,
  monitoredLog,
} from '../../monitor/index.ts';
import { generateTestKeys, mintDemoSet, mintLeaf } from '../../x509/testca/index.ts';
import { startGossipPair } from './gossip.ts';
import { startCtLog, startHub, startProxy } from './servers.ts';

export interface DemoOptions {
  /** Where evidence, state and configs go (default: a new temp directory, kept). */
  readonly dir?: string;
  /** The grapevine binary to verify the evidence with (default: this process's script). */
  readonly bin?: string;
  readonly out?: (line: string) => void;
  readonly logger?: Logger;
}

const short = (b: Buffer) => `${b.toString('hex').slice(0, 12)}…`;

async function until(what: string, f: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await f())) {
    if (Date.now() > deadline) throw new Error(`demo stuck waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export async function runDemo(o: DemoOptions = {}): Promise<number> {
  const out = o.out ?? ((l: string) => process.stdout.write(`${l}\n`));
  const logger = o.logger ?? pino({ level: 'silent' });
  const dir = o.dir ?? mkdtempSync(join(tmpdir(), 'grapevine-demo-'));
  const closers: (() => Promise<void>)[] = [];
  const step = (n: number, text: string) => out(`${String(n).padStart(2)}. ${text}`);
  try {
    out(`grapevine demo — catching a split view, everything on loopback (files in ${dir})`);
    out('');
    const ca = await mintDemoSet();
    const leafKeys = await generateTestKeys();
    const key = () => signerFromPrivateKey(generatePrivateKey('ecdsa-p256'));
    const mmdMs = 2000;
    const honest = await startCtLog({ signer: key(), roots: [ca.root.der], mmdMs });
    closers.push(() => honest.close());
    const splitKey = key();
    const treeA = await startCtLog({ signer: splitKey, roots: [ca.root.der], mmdMs });
    const treeB = await startCtLog({ signer: splitKey, roots: [ca.root.der], mmdMs });
    closers.push(
      () => treeA.close(),
      () => treeB.close(),
    );
    const proxy = await startProxy((_req, view) => ({ upstream: view === 'collector-a' ? treeA.url : treeB.url }));
    closers.push(() => proxy.close());
    step(1, `Two CT logs: honest-ct (${honest.url}) and split-ct, which signs two different trees with one key and`);
    out('    shows tree A to collector-a and tree B to everyone else.');

    const honestLog = monitoredLog({ name: 'honest-ct', type: 'rfc6962', url: honest.url, publicKey: honest.publicKey, mmdMs });
    const splitSpec = { name: 'split-ct', type: 'rfc6962' as const, publicKey: splitKey.publicKey, mmdMs };
    const logsByName = new Map([
      ['honest-ct', honestLog],
      ['split-ct', monitoredLog(splitSpec)],
    ]);
    const hubServer = await startHub({
      signer: key(),
      sources: [...logsByName.values()].map((l) => l.hubSource(l.name)),
      mmdMs,
      prefix: 'hub',
    });
    closers.push(() => hubServer.close());
    const hub = monitoredHub(
      {
        name: 'hub',
        url: hubServer.url,
        publicKey: hubServer.signer.publicKey,
        mmdMs,
        sources: [...logsByName.keys()].map((n) => ({ id: n, log: n })),
      },
      logsByName,
    );
    const gossip = await startGossipPair(
      dir,
      ['gossip-a', 'gossip-b'],
      [
        { name: 'honest-ct', key: honest.publicKey, url: `${honest.url}/` },
        { name: 'split-ct', key: splitKey.publicKey },
      ],
      logger,
    );
    closers.push(async () => {
      for (const g of gossip) await g.close();
    });
    step(2, `A Gossip Hub (${hubServer.url}) tracking both logs, and two gossip services, gossip-a and gossip-b, peered.`);

    // Traffic: the same number of certificates into each of split-ct's trees, different ones.
    const submit = async (url: string, n: number, tag: string) => {
      const scts = [];
      for (let i = 0; i < n; i++) {
        const leaf = await mintLeaf(ca.intermediate, { dnsNames: [`${tag}-${i}.demo.grapevine.test`], keys: leafKeys });
        const chain = [leaf.der, ca.intermediate.der].map((b) => Buffer.from(b).toString('base64'));
        const res = await fetch(`${url}/ct/v1/add-chain`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ chain }),
        });
        if (res.status !== 200) throw new Error(`add-chain to ${url}: HTTP ${res.status}`);
        scts.push({
          sct: parseAddChainResponse(Buffer.from(await res.arrayBuffer())),
          entry: { entryType: 'x509_entry' as const, certificate: Buffer.from(leaf.der) },
        });
      }
      await until(
        `${tag} sequenced`,
        async () => parseGetSth(Buffer.from(await (await fetch(`${url}/ct/v1/get-sth`)).arrayBuffer())).treeSize >= n,
      );
      return scts;
    };
    const honestScts = await submit(honest.url, 6, 'honest');
    await submit(treeA.url, 5, 'tree-a');
    await submit(treeB.url, 5, 'tree-b');
    step(3, 'Traffic: 6 certificates into honest-ct; 5 into each of split-ct’s trees (different certificates).');

    // Incidents: evidence files and a JSON-lines file in the demo directory.
    const raised: Incident[] = [];
    const reporter = new IncidentReporter({
      observer: 'auditor',
      sinks: [new JsonLinesIncidentSink(join(dir, 'incidents.jsonl'))],
      evidenceDir: new EvidenceDir(join(dir, 'evidence')),
      metrics: new IncidentMetrics(new Registry()),
    });
    reporter.onRaised((i) => raised.push(i));
    const ctxOf = (by: string) => ({ by, fetch: boundedFetch({ timeoutMs: 10_000, maxBytes: 4 << 20 }), now: Date.now });
    const auditor = new Auditor({
      logs: [...logsByName.values()],
      hubs: [hub],
      ctx: ctxOf('auditor'),
      reporter,
      store: new JsonFileHeadStore(join(dir, 'audit-state')),
    });
    closers.push(() => auditor.stop());
    for (const s of honestScts) auditor.addPromise('honest-ct', sctPromise(s.sct, s.entry, { by: 'demo', atMs: Date.now() }));
    const feeds = gossip.map(
      (g) =>
        new GossipFeed({ path: g.peerPath as string }, [...logsByName.values()], ctxOf('auditor'), (log, seen) =>
          auditor.observe(log.name, seen),
        ),
    );
    for (const f of feeds) f.start();
    closers.push(async () => {
      for (const f of feeds) await f.stop();
    });

    const timing = { intervalMs: 60_000, minIntervalMs: 0, jitter: 0, maxBackoffMs: 60_000 };
    const viewFor = (who: string) => monitoredLog({ ...splitSpec, url: `${proxy.url}/${who}` });
    const sgt = (h: typeof hub, p: Parameters<typeof auditor.addPromise>[1]) => void auditor.addPromise(h.name, p);
    const collectors = [
      new Collector({
        polls: [
          { name: 'honest-ct', log: honestLog, timing },
          { name: 'split-ct', log: viewFor('collector-a'), timing },
        ],
        destinations: [
          new HubDestination(hub, ctxOf('collector-a'), sgt),
          new GossipDestination('gossip-a', { path: gossip[0].peerPath as string }),
        ],
        ctx: ctxOf('collector-a'),
      }),
      new Collector({
        polls: [{ name: 'split-ct', log: viewFor('collector-b'), timing }],
        destinations: [new GossipDestination('gossip-b', { path: gossip[1].peerPath as string })],
        ctx: ctxOf('collector-b'),
      }),
    ];
    closers.push(async () => {
      for (const c of collectors) await c.stop();
    });
    const seen: string[] = [];
    for (const [i, c] of collectors.entries()) {
      await c.pollOnce();
      const who = i === 0 ? 'collector-a' : 'collector-b';
      const s = await fetch(`${proxy.url}/${who}/ct/v1/get-sth`).then(async (r) => parseGetSth(Buffer.from(await r.arrayBuffer())));
      seen.push(`${who} polls split-ct and sees size ${s.treeSize}, root ${short(s.sha256RootHash)}`);
    }
    step(4, `${seen[0]};`);
    out('    it hands the signed head to the hub and to gossip-a.');
    out(`    ${seen[1]}; it hands it to gossip-b.`);
    await until('the hub logs the heads', async () => {
      const j = (await (await fetch(`${hubServer.url}/gossip/v0/get-sth`)).json()) as { head_data: string };
      return Buffer.from(j.head_data, 'base64').readBigUInt64BE(0) >= 2n;
    });

    step(5, 'The auditor audits the hub (every entry’s signature and inclusion), both logs, and what the gossip services bring in.');
    let rounds = 0;
    let fork: Incident | undefined;
    while (!fork && rounds < 20) {
      await auditor.round();
      rounds++;
      fork = raised.find((i) => i.category === 'fork' && i.log.name === 'split-ct');
      if (!fork) await new Promise((r) => setTimeout(r, 100));
    }
    if (!fork) {
      out(`    No split view caught in ${rounds} rounds.`);
      return 1;
    }
    out(`    Round ${rounds}: INCIDENT ${fork.id}`);
    out(`    ${fork.summary}`);
    const alsoBy = ['gossip-a', 'gossip-b'].filter((g) => existsSync(join(dir, `evidence-${g}`, `${fork.id}.json`)));
    if (alsoBy.length > 0)
      out(`    ${alsoBy.join(' and ')} caught it too, under the same incident id (ids come from what the evidence shows).`);
    const path = join(dir, 'evidence', `${fork.id}.json`);
    writeFileSync(join(dir, 'split-ct.pem'), exportPublicKeyPem(splitKey.publicKey));
    const bin = o.bin ?? process.argv[1];
    const v = spawnSync(process.execPath, [bin, 'evidence', 'verify', path, '--key', join(dir, 'split-ct.pem')], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    step(6, `Evidence: ${path}`);
    out(`    $ grapevine evidence verify ${path} --key ${join(dir, 'split-ct.pem')}`);
    out(`    ${(v.stdout || v.stderr).trim()}   (exit ${v.status})`);

    // The honest log: every SCT judged after its deadline, nothing raised.
    const last = Math.max(...honestScts.map((s) => s.sct.timestamp));
    await until('honest-ct signs a head after the SCTs’ deadline', async () => {
      return parseGetSth(Buffer.from(await (await fetch(`${honest.url}/ct/v1/get-sth`)).arrayBuffer())).timestamp > last + mmdMs;
    });
    await until('every promise judged', async () => {
      await auditor.round();
      return auditor.pendingPromises === 0;
    });
    const honestIncidents = raised.filter((i) => i.log.name === 'honest-ct');
    step(
      7,
      `honest-ct: its tree of ${auditor.latest('honest-ct')?.size ?? 0} entries audited, ${honestScts.length} SCTs found kept after their MMD, ${honestIncidents.length} incidents.`,
    );
    out('');
    const ok = v.status === 0 && honestIncidents.length === 0;
    out(
      ok
        ? `Caught: split-ct's split view, in ${rounds} audit round(s), through the hub and the gossip services; the evidence verifies on its own.`
        : 'FAILED: the evidence did not verify, or the honest log raised an incident.',
    );
    return ok ? 0 : 1;
  } finally {
    for (const c of closers.reverse()) await c().catch(() => {});
  }
}
