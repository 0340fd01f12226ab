/**
 * A loopback world for the monitor tests: real CT logs and hubs
 * (src/cli/demo/servers.ts), a collector and an auditor wired as
 * `grapevine collect` / `grapevine audit` wire them, incidents into memory.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { type LoopbackCt, type LoopbackHub, startCtLog, startHub } from '../../src/cli/demo/servers.ts';
import { parseAddChainResponse, type SignedCertificateTimestamp, type SignedEntry } from '../../src/codec/index.ts';
import { generatePrivateKey, type Signer, signerFromPrivateKey } from '../../src/crypto/index.ts';
import { type Incident, type SignedPromise, sctPromise } from '../../src/evidence/index.ts';
import { EvidenceDir, IncidentReporter, type IncidentSink } from '../../src/incidents/index.ts';
import {
  Auditor,
  boundedFetch,
  Collector,
  type Destination,
  HubDestination,
  JsonFileHeadStore,
  type MonitoredHub,
  type MonitoredLog,
  monitoredHub,
  monitoredLog,
  type PollSpec,
} from '../../src/monitor/index.ts';
import { mintLeaf, type TestCert } from '../../src/x509/testca/index.ts';
import { demoSet } from '../ct/fixtures.ts';
import { tempDir } from '../support/temp-dir.ts';

export const newKey = (): Signer => signerFromPrivateKey(generatePrivateKey('ecdsa-p256'));

export class MemorySink implements IncidentSink {
  readonly name = 'memory';
  readonly incidents: Incident[] = [];
  async report(i: Incident) {
    this.incidents.push(i);
  }
  async close() {}
  proofs(): Incident[] {
    return this.incidents.filter((i) => i.class === 'proof');
  }
}

export const timing = { intervalMs: 60_000, minIntervalMs: 0, jitter: 0, maxBackoffMs: 60_000 };

/** Submits a fresh certificate to a CT log (URL before /ct/v1); the SCT and its signed entry. */
export async function submitCert(
  url: string,
  n: string,
  keys?: CryptoKeyPair,
): Promise<{ sct: SignedCertificateTimestamp; entry: SignedEntry; leaf: TestCert }> {
  const d = await demoSet();
  const leaf = await mintLeaf(d.intermediate, { dnsNames: [`${n}.monitor.grapevine.test`], ...(keys ? { keys } : {}) });
  const chain = [leaf.der, d.intermediate.der].map((b) => Buffer.from(b).toString('base64'));
  for (let attempt = 0; ; attempt++) {
    const res = await fetch(`${url}/ct/v1/add-chain`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ chain }),
    });
    const body = Buffer.from(await res.arrayBuffer());
    // 503: the log's backlog guard on a loaded machine; try again.
    if (res.status === 503 && attempt < 100) {
      await new Promise((r) => setTimeout(r, 100));
      continue;
    }
    if (res.status !== 200) throw new Error(`add-chain: HTTP ${res.status}: ${body}`);
    return { sct: parseAddChainResponse(body), entry: { entryType: 'x509_entry', certificate: Buffer.from(leaf.der) }, leaf };
  }
}

export const sctOf = (s: { sct: SignedCertificateTimestamp; entry: SignedEntry }): SignedPromise =>
  sctPromise(s.sct, s.entry, { by: 'test', atMs: Date.now() });

export interface World {
  readonly dir: string;
  readonly sink: MemorySink;
  readonly reporter: IncidentReporter;
  readonly stateDir: string;
  auditor(o: { logs: MonitoredLog[]; hubs: MonitoredHub[]; proofAttempts?: number; pollLogs?: boolean }): Auditor;
  collector(o: { polls: PollSpec[]; destinations: Destination[]; onPromise?: boolean; auditor?: Auditor }): Collector;
  hubDestination(hub: MonitoredHub, auditor?: Auditor): HubDestination;
  close(): Promise<void>;
  readonly closers: (() => Promise<void>)[];
}

export const ctx = (by: string) => ({ by, fetch: boundedFetch({ timeoutMs: 10_000, maxBytes: 4 << 20 }), now: Date.now });

export function world(): World {
  const dir = tempDir('grapevine-monitor-');
  const sink = new MemorySink();
  const reporter = new IncidentReporter({ observer: 'test-auditor', sinks: [sink], evidenceDir: new EvidenceDir(join(dir, 'evidence')) });
  const closers: (() => Promise<void>)[] = [];
  const stateDir = join(dir, 'state');
  const w: World = {
    dir,
    sink,
    reporter,
    stateDir,
    closers,
    auditor: (o) =>
      new Auditor({
        ...o,
        ...(process.env.MONITOR_DEBUG ? { log: consoleLog } : {}),
        ctx: ctx('test-auditor'),
        reporter,
        store: new JsonFileHeadStore(stateDir),
        proofAttempts: o.proofAttempts ?? 2,
      }),
    hubDestination: (hub, auditor) =>
      new HubDestination(hub, ctx('test-collector'), auditor ? (h, p) => void auditor.addPromise(h.name, p) : undefined),
    collector: (o) => new Collector({ polls: o.polls, destinations: o.destinations, ctx: ctx('test-collector') }),
    close: async () => {
      for (const c of closers.reverse()) await c().catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return w;
}

/** A CT log on loopback with its monitored descriptor. */
export async function ct(
  w: World,
  name: string,
  o: { signer?: Signer; mmdMs?: number; database?: string } = {},
): Promise<{ server: LoopbackCt; log: MonitoredLog }> {
  const d = await demoSet();
  const server = await startCtLog({
    signer: o.signer ?? newKey(),
    roots: [d.root.der],
    mmdMs: o.mmdMs ?? 10_000,
    ...(o.database ? { database: o.database } : {}),
  });
  w.closers.push(() => server.close());
  return {
    server,
    log: monitoredLog({
      name,
      type: 'rfc6962',
      url: server.url,
      publicKey: server.publicKey,
      mmdMs: o.mmdMs ?? 10_000,
      origin: `${name}.example`,
    }),
  };
}

/** A hub on loopback that tracks the given logs (source id = log name). */
export async function hub(
  w: World,
  name: string,
  logs: MonitoredLog[],
  o: { signer?: Signer; mmdMs?: number; url?: (url: string) => string } = {},
): Promise<{ server: LoopbackHub; hub: MonitoredHub }> {
  const server = await startHub({
    signer: o.signer ?? newKey(),
    sources: logs.map((l) => l.hubSource(l.name)),
    mmdMs: o.mmdMs ?? 10_000,
    prefix: name,
  });
  w.closers.push(() => server.close());
  const byName = new Map(logs.map((l) => [l.name, l]));
  return {
    server,
    hub: monitoredHub(
      {
        name,
        url: o.url ? o.url(server.url) : server.url,
        publicKey: server.signer.publicKey,
        mmdMs: o.mmdMs ?? 10_000,
        sources: logs.map((l) => ({ id: l.name, log: l.name })),
      },
      byName,
    ),
  };
}

const consoleLog = {
  error: (o: object, m: string) => console.error('ERROR', m, JSON.stringify(o)),
  warn: (o: object, m: string) => console.error('WARN', m, JSON.stringify(o)),
  info: (o: object, m: string) => console.error('INFO', m, JSON.stringify(o)),
};
