/**
 * Auditor benchmark (issue 13): hub entries audited per second — each
 * entry's source signature verified (ECDSA P-256, an RFC 6962 STH of a
 * source log) and its inclusion under the hub's signed head proven (the tree
 * rebuilt from every leaf and its root compared) — beside the node:crypto
 * ceiling of ECDSA P-256 verifies per second measured in the same run.
 * Target: at least 50% of one verify per entry.
 *
 * Two figures:
 * - core: HubTree.append on entries already fetched (the auditor's work per
 *   entry: decode, verify, hash, append; the root compared at the end);
 * - end to end: one Auditor round over a real hub on loopback (get-sth,
 *   get-entries pages over HTTP, JSON and base64, the same checks), hub and
 *   auditor in this process on the same core.
 *
 *   npm run bench -- audit            (--quick: fewer entries and rounds)
 */
import { Registry } from 'prom-client';
import { startHub } from '../src/cli/demo/servers.ts';
import { encodeHubTimestampedEntry, encodeTreeHeadSignature } from '../src/codec/index.ts';
import { generatePrivateKey, signerFromPrivateKey } from '../src/crypto/index.ts';
import { IncidentReporter } from '../src/incidents/index.ts';
import { Auditor, boundedFetch, HubTree, MonitorMetrics, monitoredHub, monitoredLog } from '../src/monitor/index.ts';
import { MemoryHeadStore } from '../src/storage/index.ts';
import { fmt, line, median, pct, signatureCeiling } from './lib.ts';

const quick = process.argv.includes('--quick');
const N = quick ? 1000 : 4000;
const ROUNDS = quick ? 3 : 5;

const ctKey = signerFromPrivateKey(generatePrivateKey('ecdsa-p256'));
const log = monitoredLog({ name: 'ct', type: 'rfc6962', publicKey: ctKey.publicKey });
const blobs = Array.from({ length: N }, (_, i) => {
  const blob = encodeTreeHeadSignature({ treeSize: i + 1, timestamp: 1_750_000_000_000 + i, sha256RootHash: Buffer.alloc(32, i % 251) });
  return { blob, signature: ctKey.sign(blob) };
});

console.log(`${N} entries, ${ROUNDS} rounds; source and hub keys ECDSA P-256`);
const before = signatureCeiling();
line('ceiling: ECDSA P-256 verify/s (node:crypto)', fmt(before.ecdsaVerify));

// Core: the auditor's per-entry work on fetched entries.
const values = blobs.map((b, i) =>
  encodeHubTimestampedEntry({
    sourceId: 'ct',
    blobData: b.blob,
    sourceSignature: b.signature,
    hubTimestamp: BigInt(1_750_000_000_000 + i) * 1_000_000n,
  }),
);
const sources = new Map([['ct', log.hubSource('ct')]]);
const core = median(
  Array.from({ length: ROUNDS }, () => {
    const t0 = performance.now();
    const tree = new HubTree();
    const audited = tree.append(values, sources);
    tree.root();
    if (audited.some((e) => e.check.status !== 'ok')) throw new Error('an entry did not verify');
    return (N * 1000) / (performance.now() - t0);
  }),
);
line('core: hub entries audited/s (HubTree.append)', `${fmt(core)}  (${pct(core / before.ecdsaVerify)} of the verify ceiling)`);

// End to end: a real hub on loopback, one auditor round from an empty state.
const hubKey = signerFromPrivateKey(generatePrivateKey('ecdsa-p256'));
const hubServer = await startHub({ signer: hubKey, sources: [log.hubSource('ct')], prefix: 'bench', sequencerIntervalMs: 20 });
try {
  let next = 0;
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (next < N) {
        const b = blobs[next++];
        const res = await fetch(`${hubServer.url}/gossip/v0/add-signed-blob`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ source_id: 'ct', blob_data: b.blob.toString('base64'), src_signature: b.signature.toString('base64') }),
        });
        if (res.status !== 200) throw new Error(`add-signed-blob: HTTP ${res.status}`);
        await res.arrayBuffer();
      }
    }),
  );
  for (;;) {
    const j = (await (await fetch(`${hubServer.url}/gossip/v0/get-sth`)).json()) as { head_data: string };
    if (Number(Buffer.from(j.head_data, 'base64').readBigUInt64BE(0)) >= N) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const hub = monitoredHub(
    { name: 'bench', url: hubServer.url, publicKey: hubKey.publicKey, sources: [{ id: 'ct', log: 'ct' }] },
    new Map([['ct', log]]),
  );
  const e2e = [];
  for (let r = 0; r < ROUNDS; r++) {
    const auditor = new Auditor({
      logs: [],
      hubs: [hub],
      ctx: { by: 'bench', fetch: boundedFetch({ timeoutMs: 60_000, maxBytes: 16 << 20 }), now: Date.now },
      reporter: new IncidentReporter({ observer: 'bench', sinks: [] }),
      store: new MemoryHeadStore(),
      metrics: new MonitorMetrics(new Registry()),
      pollLogs: false,
    });
    const t0 = performance.now();
    await auditor.round();
    const ms = performance.now() - t0;
    if (auditor.hubSize('bench') !== N) throw new Error(`audited ${auditor.hubSize('bench')} of ${N}`);
    e2e.push((N * 1000) / ms);
  }
  const after = signatureCeiling();
  const ceiling = (before.ecdsaVerify + after.ecdsaVerify) / 2;
  const end = median(e2e);
  line('end to end: hub entries audited/s (loopback HTTP)', `${fmt(end)}  (${pct(end / ceiling)} of the verify ceiling)`);
  line('ceiling after the run', fmt(after.ecdsaVerify));
  line(
    'target',
    `≥ 50% of the ceiling: core ${core / ceiling >= 0.5 ? 'met' : 'NOT met'}, end to end ${end / ceiling >= 0.5 ? 'met' : 'NOT met'}`,
  );
} finally {
  await hubServer.close();
}
