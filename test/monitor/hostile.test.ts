/**
 * Hostile logs and hubs: huge or endless bodies, answers that never come or
 * drip, garbage, forged signatures, garbled proofs and entries. The collector
 * and the auditor finish every round (each request is bounded), keep serving
 * their honest sources in the same round, and never raise a proof incident
 * for any of it.
 */
import assert from 'node:assert/strict';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { startProxy } from '../../src/cli/demo/servers.ts';
import { formatGetSth, parseGetSth } from '../../src/codec/index.ts';
import { signSth } from '../../src/crypto/index.ts';
import { boundedFetch, Collector, MonitorError, monitoredLog, pollLog } from '../../src/monitor/index.ts';
import { waitUntil } from '../support/wait.ts';
import { ct, hub, newKey, submitCert, timing, type World, world } from './world.ts';

type Mode = (res: ServerResponse, url: string) => void;

const MODES: Record<string, Mode> = {
  huge: (res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    let sent = 0;
    const pump = () => {
      while (sent < 512 && res.write(chunk)) sent++;
      if (sent < 512) res.once('drain', pump);
      else res.end();
    };
    pump();
  },
  lying: (res) => res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(1 << 30) }).end('{}'),
  silent: () => {},
  drip: (res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    const t = setInterval(() => res.write(' '), 50);
    res.on('close', () => clearInterval(t));
  },
  garbage: (res) => res.writeHead(200).end(Buffer.from([0xff, 0xfe, 0x00, 0x7b, 0x22])),
  wrongTypes: (res) => res.writeHead(200).end('{"tree_size":"7","timestamp":-1,"sha256_root_hash":[],"tree_head_signature":null}'),
  status500: (res) => res.writeHead(500).end('no'),
};

async function hostileServer(w: World): Promise<string> {
  const server = createServer((req, res) => {
    const mode = (req.url ?? '/').split('/')[1];
    (MODES[mode] ?? MODES.garbage)(res, req.url ?? '/');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  w.closers.push(
    () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const limits = { timeoutMs: 400, maxBytes: 64 * 1024 };

describe('monitor: hostile servers', () => {
  it('every kind of bad answer fails its poll with a typed error, bounded in time and memory', async () => {
    const w = world();
    try {
      const url = await hostileServer(w);
      const key = newKey();
      const want: Record<string, string[]> = {
        huge: ['TOO_LARGE'],
        lying: ['TOO_LARGE'],
        silent: ['TIMEOUT'],
        drip: ['TIMEOUT'],
        garbage: ['BAD_RESPONSE'],
        wrongTypes: ['BAD_RESPONSE'],
        status500: ['HTTP'],
      };
      for (const [mode, codes] of Object.entries(want)) {
        const log = monitoredLog({ name: mode, type: 'rfc6962', url: `${url}/${mode}`, publicKey: key.publicKey });
        let caught: unknown;
        try {
          await pollLog(log, { by: 't', fetch: boundedFetch(limits), now: Date.now });
        } catch (err) {
          caught = err;
        }
        assert.ok(caught instanceof MonitorError, `${mode}: ${caught}`);
        assert.ok(codes.includes(caught.code), `${mode}: got ${caught.code}, want ${codes}`);
        assert.ok(!caught.message.includes('\n'), `${mode}: one line`);
      }
    } finally {
      await w.close();
    }
  });

  it('a collector keeps polling its honest source in the same round as seven hostile ones', async () => {
    const w = world();
    try {
      const url = await hostileServer(w);
      const honest = await ct(w, 'honest');
      await submitCert(honest.server.url, 'hostile-honest');
      const key = newKey();
      const polls = Object.keys(MODES).map((mode) => ({
        name: mode,
        log: monitoredLog({ name: mode, type: 'rfc6962', url: `${url}/${mode}`, publicKey: key.publicKey }),
        timing,
      }));
      const seen: string[] = [];
      const collector = new Collector({
        polls: [...polls, { name: 'honest', log: honest.log, timing }],
        destinations: [],
        ctx: { by: 't', fetch: boundedFetch(limits), now: Date.now },
        onHead: (_log, _s, poll) => seen.push(poll),
      });
      await collector.pollOnce();
      assert.deepEqual(seen, ['honest']);
      for (const p of polls) assert.ok(collector.lastError(p.name) instanceof MonitorError, p.name);
      assert.equal(collector.lastError('honest'), null);
      assert.equal(collector.pollCount('honest'), 1);
    } finally {
      await w.close();
    }
  });

  it('a log that stops answering is an unresponsive suspicion, once per outage, never proof', async () => {
    const w = world();
    try {
      const url = await hostileServer(w);
      const log = monitoredLog({ name: 'gone', type: 'rfc6962', url: `${url}/status500`, publicKey: newKey().publicKey });
      const auditor = w.auditor({ logs: [log], hubs: [] });
      for (let r = 0; r < 8; r++) await auditor.round();
      assert.deepEqual(
        w.sink.incidents.map((i) => `${i.category}/${i.class}`),
        ['unresponsive/suspicion'],
      );
      assert.match(
        w.sink.incidents[0].summary,
        /^SUSPICION only, not proof \(unresponsive\): log gone stopped answering: 5 failed attempt/,
      );
    } finally {
      await w.close();
    }
  });

  it('an STH with a forged signature, garbled proofs and garbled hub entries raise no proof incident', async () => {
    const w = world();
    try {
      const c = await ct(w, 'ct1');
      for (let i = 0; i < 5; i++) await submitCert(c.server.url, `g${i}`);
      const h = await hub(w, 'hub1', [c.log]);
      const impostor = newKey();
      let forge = false;
      // The proxy garbles every proof and entry; on request it serves an STH signed by another key.
      const proxy = await startProxy((req) => {
        const u = req.url ?? '';
        if (u.includes('get-sth-consistency') || u.includes('get-proof-by-hash') || u.includes('get-entry-and-proof')) {
          return {
            answer: (res) =>
              res.writeHead(200, { 'content-type': 'application/json' }).end(
                JSON.stringify({
                  consistency: [Buffer.alloc(32, 1).toString('base64')],
                  leaf_index: 0,
                  audit_path: [Buffer.alloc(32, 2).toString('base64')],
                }),
              ),
          };
        }
        if (u.includes('/gossip/v0/get-entries')) {
          return {
            answer: (res) =>
              res
                .writeHead(200, { 'content-type': 'application/json' })
                .end(JSON.stringify({ entries: [Buffer.from('not an entry').toString('base64')] })),
          };
        }
        if (forge && u.endsWith('/ct/v1/get-sth')) {
          const sth = signSth(impostor, { treeSize: 99, timestamp: Date.now(), sha256RootHash: Buffer.alloc(32, 9) });
          return { answer: (res) => res.writeHead(200, { 'content-type': 'application/json' }).end(formatGetSth(sth)) };
        }
        return { upstream: u.includes('/gossip/') ? h.server.url.replace(/\/hub1$/, '/hub1') : c.server.url };
      });
      w.closers.push(() => proxy.close());
      const log = monitoredLog({ ...c.log.spec, url: `${proxy.url}/ct` });
      const hubSeen = { ...h.hub, spec: { ...h.hub.spec, url: `${proxy.url}/hub1` } };
      // Real heads reach the hub (directly), so the auditor has pairs of heads to ask proofs for.
      const feeder = w.collector({ polls: [{ name: 'ct1', log: c.log, timing }], destinations: [w.hubDestination(h.hub)] });
      await waitUntil(
        'sequenced',
        async () => parseGetSth(Buffer.from(await (await fetch(`${c.server.url}/ct/v1/get-sth`)).arrayBuffer())).treeSize >= 1,
      );
      await feeder.pollOnce();
      await waitUntil(
        'sequenced',
        async () => parseGetSth(Buffer.from(await (await fetch(`${c.server.url}/ct/v1/get-sth`)).arrayBuffer())).treeSize >= 5,
      );
      const early = await pollLog(c.log, { by: 't', fetch, now: Date.now });
      for (let i = 5; i < 8; i++) await submitCert(c.server.url, `g${i}`);
      await waitUntil(
        'sequenced',
        async () => parseGetSth(Buffer.from(await (await fetch(`${c.server.url}/ct/v1/get-sth`)).arrayBuffer())).treeSize >= 8,
      );
      const auditor = w.auditor({ logs: [log], hubs: [hubSeen], proofAttempts: 2 });
      await auditor.round();
      assert.equal(auditor.latest('ct1')?.size, 8);
      // An older real head: the pair (5, 8) needs a proof, and every proof the log serves is garbage.
      auditor.observe('ct1', early);
      for (let r = 0; r < 3; r++) {
        if (r === 1) forge = true;
        await auditor.round();
      }
      assert.equal(auditor.latest('ct1')?.size, 8, 'the forged STH of size 99 was never accepted');
      assert.equal(auditor.hubSize('hub1'), 0, 'no garbage entry was accepted');
      assert.deepEqual(
        w.sink.incidents.map((i) => i.category),
        ['proof-refused'],
      );
      assert.deepEqual(
        w.sink.proofs().map((i) => i.summary),
        [],
      );
      // What the auditor could not prove it reports as a suspicion, never as proof.
      assert.ok(w.sink.incidents.every((i) => i.class === 'suspicion'));
    } finally {
      await w.close();
    }
  });
});
