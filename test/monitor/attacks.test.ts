/**
 * Attacks on real servers on loopback, each caught by the auditor within two
 * rounds of the moment the evidence is there to be seen (judged by the
 * auditor's round count, never by wall clock), with evidence that the
 * `grapevine evidence verify` binary accepts (exit 0).
 *
 * Misbehaving servers are real CT logs and hubs used the way a dishonest
 * operator would: two trees under one key behind a proxy that picks the tree
 * per client, a proxy that re-signs an old head, and proxies that answer a
 * submission with a promise signed by the real key but never store it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startProxy } from '../../src/cli/demo/servers.ts';
import { encodeHubTimestampedEntry, formatAddChainResponse, formatGetSth, parseGetSth, type SignedEntry } from '../../src/codec/index.ts';
import { signSth } from '../../src/crypto/index.ts';
import { signSct } from '../../src/ct/index.ts';
import type { Incident } from '../../src/evidence/index.ts';
import { formatAddSignedBlobResponse } from '../../src/hub/index.ts';
import { type Auditor, type MonitoredLog, monitoredLog } from '../../src/monitor/index.ts';
import { generateTestKeys } from '../../src/x509/testca/index.ts';
import { demoSet } from '../ct/fixtures.ts';
import { grapevine } from '../support/cli.ts';
import { waitUntil } from '../support/wait.ts';
import { ct, hub, newKey, sctOf, submitCert, timing, type World, world } from './world.ts';

const getSth = async (url: string) => parseGetSth(Buffer.from(await (await fetch(`${url}/ct/v1/get-sth`)).arrayBuffer()));
const hubSize = async (url: string) => {
  const j = (await (await fetch(`${url}/gossip/v0/get-sth`)).json()) as { head_data: string };
  return Number(Buffer.from(j.head_data, 'base64').readBigUInt64BE(0));
};

let leafKeys: CryptoKeyPair | undefined;
/** Adds `n` certificates to a CT log and waits until its signed head covers them. */
async function certs(url: string, tag: string, n: number) {
  leafKeys ??= await generateTestKeys();
  const start = (await getSth(url)).treeSize;
  const out = [];
  for (let i = 0; i < n; i++) out.push(await submitCert(url, `${tag}-${i}`, leafKeys));
  await waitUntil(`${url} sequences ${start + n}`, async () => (await getSth(url)).treeSize >= start + n);
  return out;
}

/** Runs auditor rounds until an incident of `kind` is raised; returns it and the rounds it took (at most `max`). */
async function caught(w: World, auditor: Auditor, kind: string, max = 2): Promise<Incident> {
  for (let r = 1; r <= max; r++) {
    await auditor.round();
    const i = w.sink.incidents.find((x) => x.category === kind);
    if (i) return i;
  }
  assert.fail(`no ${kind} incident within ${max} rounds; got ${JSON.stringify(w.sink.incidents.map((i) => i.summary))}`);
}

/** The incident's evidence file passes `grapevine evidence verify` with the log key pinned. */
function verifiesWithCli(w: World, i: Incident): void {
  const path = `${w.dir}/evidence/${i.id}.json`;
  const r = grapevine(['evidence', 'verify', path]);
  assert.equal(r.code, 0, `${r.stdout}${r.stderr}`);
  assert.match(r.stdout, new RegExp(`^PROOF of ${i.category}: `));
}

/** A second view of a log: same name and key, another URL. */
const viewOf = (log: MonitoredLog, url: string): MonitoredLog => monitoredLog({ ...log.spec, url });

describe('monitor: attacks are caught', () => {
  it('same-size fork: a CT log shows one tree of size 5 to the collector and another to the auditor', async () => {
    const w = world();
    try {
      const key = newKey();
      const a = await ct(w, 'ct1', { signer: key });
      const b = await ct(w, 'ct1', { signer: key });
      await certs(a.server.url, 'a', 5);
      await certs(b.server.url, 'b', 5);
      const proxy = await startProxy((_req, view) => ({ upstream: view === 'a' ? a.server.url : b.server.url }));
      w.closers.push(() => proxy.close());
      const seenByCollector = viewOf(a.log, `${proxy.url}/a`);
      const seenByAuditor = viewOf(a.log, `${proxy.url}/b`);
      const h = await hub(w, 'hub1', [seenByCollector]);
      const auditor = w.auditor({ logs: [seenByAuditor], hubs: [h.hub] });
      const collector = w.collector({ polls: [{ name: 'ct1', log: seenByCollector, timing }], destinations: [w.hubDestination(h.hub)] });
      await collector.pollOnce();
      await waitUntil('the hub sequences the head', async () => (await hubSize(h.server.url)) >= 1);
      const i = await caught(w, auditor, 'fork');
      assert.equal(i.class, 'proof');
      assert.match(i.summary, /two different trees of size 5/);
      verifiesWithCli(w, i);
    } finally {
      await w.close();
    }
  });

  for (const [small, large] of [
    [5, 7],
    [4, 7],
  ]) {
    it(`fork at different sizes (${small} and ${large}${small === 4 ? ', a power of two: proven by the inclusion of leaf 3' : ''})`, async () => {
      const w = world();
      try {
        const key = newKey();
        const a = await ct(w, 'ct1', { signer: key });
        const b = await ct(w, 'ct1', { signer: key });
        await certs(a.server.url, 'a', small);
        await certs(b.server.url, 'b', large);
        const proxy = await startProxy((_req, view) => ({ upstream: view === 'a' ? a.server.url : b.server.url }));
        w.closers.push(() => proxy.close());
        const h = await hub(w, 'hub1', [viewOf(a.log, `${proxy.url}/a`)]);
        const auditor = w.auditor({ logs: [viewOf(a.log, `${proxy.url}/b`)], hubs: [h.hub] });
        const collector = w.collector({
          polls: [{ name: 'ct1', log: viewOf(a.log, `${proxy.url}/a`), timing }],
          destinations: [w.hubDestination(h.hub)],
        });
        await collector.pollOnce();
        await waitUntil('the hub sequences the head', async () => (await hubSize(h.server.url)) >= 1);
        const i = await caught(w, auditor, 'inconsistent');
        assert.equal(
          (i.evidence as { consistency: { method: string } }).consistency.method,
          small === 4 ? 'inclusion-proof' : 'consistency-proof',
        );
        verifiesWithCli(w, i);
      } finally {
        await w.close();
      }
    });
  }

  it('rollback: the log serves its old tree again, re-signed with a fresh timestamp', async () => {
    const w = world();
    try {
      const c = await ct(w, 'ct1');
      await certs(c.server.url, 'r', 3);
      const old = await getSth(c.server.url);
      await certs(c.server.url, 's', 6);
      let rolledBack = false;
      const proxy = await startProxy((req) => {
        if (rolledBack && req.url?.endsWith('/ct/v1/get-sth')) {
          const sth = signSth(c.server.signer, { treeSize: old.treeSize, timestamp: Date.now(), sha256RootHash: old.sha256RootHash });
          return { answer: (res) => res.writeHead(200, { 'content-type': 'application/json' }).end(formatGetSth(sth)) };
        }
        return { upstream: c.server.url };
      });
      w.closers.push(() => proxy.close());
      const auditor = w.auditor({ logs: [viewOf(c.log, `${proxy.url}/x`)], hubs: [] });
      await auditor.round();
      assert.equal(auditor.latest('ct1')?.size, 9);
      rolledBack = true;
      const i = await caught(w, auditor, 'rollback');
      assert.match(i.summary, /signed size 9 at .*, then a smaller tree of size 3 at/);
      verifiesWithCli(w, i);
    } finally {
      await w.close();
    }
  });

  it('a CT log that drops an entry it signed an SCT for', async () => {
    const w = world();
    try {
      const mmdMs = 2000; // near the shortest MMD a server accepts (src/log/timing.ts)
      const c = await ct(w, 'ct1', { mmdMs });
      const d = await demoSet();
      leafKeys ??= await generateTestKeys();
      let dropped: { sct: ReturnType<typeof signSct>; entry: SignedEntry } | undefined;
      const proxy = await startProxy((req, _view, body) => {
        if (req.url?.endsWith('/add-chain') && body.includes('"drop"')) {
          // The operator signs the SCT with the log key and never queues the entry.
          const chain = (JSON.parse(body.toString()) as { chain: string[] }).chain;
          const entry: SignedEntry = { entryType: 'x509_entry', certificate: Buffer.from(chain[0], 'base64') };
          const sct = signSct(c.server.signer, Buffer.from(c.log.id, 'hex'), {
            timestamp: Date.now(),
            signedEntry: entry,
            extensions: Buffer.alloc(0),
          });
          dropped = { sct, entry };
          return { answer: (res) => res.writeHead(200, { 'content-type': 'application/json' }).end(formatAddChainResponse(sct)) };
        }
        return { upstream: c.server.url };
      });
      w.closers.push(() => proxy.close());
      const log = viewOf(c.log, `${proxy.url}/x`);
      await certs(c.server.url, 'kept', 3);
      // The dropped certificate goes through the proxy; a marker in the body tells the proxy which one.
      const { mintLeaf } = await import('../../src/x509/testca/index.ts');
      const leaf = await mintLeaf(d.intermediate, { dnsNames: ['dropped.monitor.grapevine.test'], keys: leafKeys });
      await fetch(`${proxy.url}/x/ct/v1/add-chain`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ chain: [leaf.der, d.intermediate.der].map((x) => Buffer.from(x).toString('base64')), drop: 1 }),
      });
      assert.ok(dropped);
      const auditor = w.auditor({ logs: [log], hubs: [] });
      assert.equal(auditor.addPromise('ct1', sctOf(dropped)), true);
      await certs(c.server.url, 'after', 5);
      // The log's own clock decides: wait until it has signed a head after the deadline.
      await waitUntil(
        'a head signed after the deadline',
        async () => (await getSth(c.server.url)).timestamp > dropped!.sct.timestamp + mmdMs,
      );
      const i = await caught(w, auditor, 'broken-promise');
      assert.match(i.summary, /does not contain/);
      verifiesWithCli(w, i);
    } finally {
      await w.close();
    }
  });

  it('a hub that omits an entry it signed an SGT for', async () => {
    const w = world();
    try {
      const mmdMs = 2000; // near the shortest MMD a server accepts (src/log/timing.ts)
      const c = await ct(w, 'ct1');
      await certs(c.server.url, 'h', 2);
      const h = await hub(w, 'hub1', [c.log], { mmdMs });
      let promised: Buffer | undefined;
      const proxy = await startProxy((req, _view, body) => {
        if (req.url?.endsWith('/add-signed-blob')) {
          // Signs the SGT with the hub key, stores nothing.
          const b = JSON.parse(body.toString()) as { source_id: string; blob_data: string; src_signature: string };
          const value = encodeHubTimestampedEntry({
            sourceId: b.source_id,
            blobData: Buffer.from(b.blob_data, 'base64'),
            sourceSignature: Buffer.from(b.src_signature, 'base64'),
            hubTimestamp: BigInt(Date.now()) * 1_000_000n,
          });
          const sig = h.server.signer.sign(value);
          promised = value;
          return {
            answer: (res) =>
              res
                .writeHead(200, { 'content-type': 'application/json' })
                .end(formatAddSignedBlobResponse({ data: value, hubSignature: sig })),
          };
        }
        return { upstream: h.server.url };
      });
      w.closers.push(() => proxy.close());
      const hubSeen = { ...h.hub, spec: { ...h.hub.spec, url: `${proxy.url}/x` } };
      const auditor = w.auditor({ logs: [c.log], hubs: [hubSeen] });
      // The collector submits through the lying proxy; the SGT it gets back goes to the auditor.
      const collector = w.collector({ polls: [{ name: 'ct1', log: c.log, timing }], destinations: [w.hubDestination(hubSeen, auditor)] });
      await collector.pollOnce();
      assert.ok(promised);
      assert.equal(auditor.pendingPromises, 1);
      // Honest traffic through the real hub until the hub itself signs a head after the deadline (its clock decides).
      const tsNs = promised.readBigUInt64BE(promised.length - 8);
      const honest = w.collector({ polls: [{ name: 'ct1', log: c.log, timing }], destinations: [w.hubDestination(h.hub)] });
      await waitUntil('a hub head signed after the deadline', async () => {
        const j = (await (await fetch(`${h.server.url}/gossip/v0/get-sth`)).json()) as { head_data: string };
        if (Buffer.from(j.head_data, 'base64').readBigUInt64BE(8) > tsNs + BigInt(mmdMs) * 1_000_000n) return true;
        await certs(c.server.url, `more-${Date.now()}`, 1);
        await honest.pollOnce();
        return false;
      });
      const i = await caught(w, auditor, 'broken-promise');
      assert.equal(i.log.id, h.hub.id);
      verifiesWithCli(w, i);
    } finally {
      await w.close();
    }
  });

  it('a hub that forks its own tree', async () => {
    const w = world();
    try {
      const c = await ct(w, 'ct1');
      const key = newKey();
      const ha = await hub(w, 'hub1', [c.log], { signer: key });
      const hb = await hub(w, 'hub1', [c.log], { signer: key });
      let view = ha.server.url;
      const proxy = await startProxy(() => ({ upstream: view }));
      w.closers.push(() => proxy.close());
      const seen = { ...ha.hub, spec: { ...ha.hub.spec, url: `${proxy.url}/x` } };
      const auditor = w.auditor({ logs: [], hubs: [seen] });
      // Tree A: 3 heads of the CT log; tree B: 5 other heads.
      for (const [target, tag, n] of [
        [ha, 'a', 3],
        [hb, 'b', 5],
      ] as const) {
        const collector = w.collector({ polls: [{ name: 'ct1', log: c.log, timing }], destinations: [w.hubDestination(target.hub)] });
        for (let k = 0; k < n; k++) {
          await certs(c.server.url, `${tag}${k}`, 1);
          await collector.pollOnce();
        }
        await waitUntil(`hub ${tag} sequences`, async () => (await hubSize(target.server.url)) >= n);
      }
      await auditor.round();
      assert.equal(auditor.hubSize('hub1'), 3);
      view = hb.server.url;
      const i = await caught(w, auditor, 'inconsistent');
      assert.equal(i.log.id, ha.hub.id);
      verifiesWithCli(w, i);
    } finally {
      await w.close();
    }
  });
});
