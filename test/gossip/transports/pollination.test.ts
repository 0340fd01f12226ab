/**
 * STH pollination (draft-ietf-trans-gossip) over real HTTP on loopback: our
 * server with the draft's original request body and the -05 shape, our
 * client against our server, and both against Google's 2016 Go server.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { rmSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { sthFromJson } from '../../../src/codec/index.ts';
import { GossipService } from '../../../src/gossip/service/index.ts';
import {
  OLD_POLLINATION_PATH,
  POLLINATION_PATH,
  type PollinationOptions,
  PollinationTransport,
} from '../../../src/gossip/transports/pollination/index.ts';
import { Command, type GossipMsg } from '../../../src/gossip/wire/index.ts';
import { createApp } from '../../../src/http/index.ts';
import { MemoryHeadStore } from '../../../src/storage/memory/head-store.ts';
import { tempDir } from '../../support/temp-dir.ts';
import { waitUntil } from '../../support/wait.ts';
import { CT_STHS, fixtureRegistry, hexLogId, signedSthJson, TEST_KEYS } from '../fixtures.ts';
import { counterValue, InboxPeer } from '../service/helpers.ts';
import { GO_SKIP, startGoServer } from './go-server.ts';

const HOUR = 3_600_000;
const root = (s: string) => createHash('sha256').update(s).digest();

interface Node {
  readonly service: GossipService;
  readonly transport: PollinationTransport;
  readonly app: FastifyInstance;
  readonly url: string;
  readonly peer: InboxPeer;
}

const nodes: Node[] = [];
after(async () => {
  for (const n of nodes) {
    await n.service.close();
    await n.app.close();
  }
});

async function node(
  o: { clock?: () => number; pools?: PollinationOptions['pools']; perResponse?: number; clientRate?: { rate: number; burst: number } } = {},
): Promise<Node> {
  const service = new GossipService({ logs: fixtureRegistry(), store: new MemoryHeadStore(), ...(o.clock ? { clock: o.clock } : {}) });
  const transport = new PollinationTransport({
    service,
    serve: true,
    pools: o.pools ?? [],
    intervalMs: 0,
    perRequest: 10,
    perResponse: o.perResponse ?? 10,
    maxSths: 100,
    maxTrials: 64,
    clientRate: o.clientRate ?? { rate: 1000, burst: 1000 },
    ...(o.clock ? { clock: o.clock } : {}),
  });
  const app = createApp();
  await transport.mount(app);
  await app.listen({ host: '127.0.0.1', port: 0 });
  service.registerTransport(transport);
  const peer = new InboxPeer('watcher');
  service.attachPeer(peer);
  const addr = app.server.address();
  const n = { service, transport, app, url: `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`, peer };
  nodes.push(n);
  return n;
}

async function post(url: string, body: unknown): Promise<{ status: number; json: Record<string, unknown[]> }> {
  const r = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: r.status, json: (await r.json()) as Record<string, unknown[]> };
}

describe('pollination server', () => {
  const original = CT_STHS.sth_pollination_request.body.sths as { timestamp: number; tree_size: number; log_id: string }[];
  const at2015 = () => Math.max(...original.map((s) => s.timestamp)) + HOUR;

  it('takes the original draft request body (Aviator, 2015) at the old path and answers in its shape, one STH per log per hour', async () => {
    const n = await node({ clock: at2015 });
    const r = await post(`${n.url}${OLD_POLLINATION_PATH}`, CT_STHS.sth_pollination_request.body);
    assert.equal(r.status, 200);
    assert.deepEqual(Object.keys(r.json), ['sths']);
    // The three STHs are 58.9 and 59.9 minutes apart: only the first and the third are an hour apart.
    const sizes = r.json.sths.map((s) => (s as { tree_size: number }).tree_size).sort();
    assert.deepEqual(sizes, [8285124, 8285192]);
    for (const s of r.json.sths as { log_id: string; sth_version: number }[]) {
      assert.equal(s.log_id, original[0].log_id);
      assert.equal(s.sth_version, 0);
    }
    // All three were valid gossip: every peer got them.
    const got = n.peer.inbox.filter((m): m is GossipMsg => m.command === Command.gossipMsg);
    assert.equal(got.length, 3);
    assert.ok(got.every((m) => m.source === 'pollination'));
  });

  it('answers nothing stale: the same body read 14 days later is discarded and the answer is empty', async () => {
    const n = await node({ clock: () => at2015() + 14 * 24 * HOUR });
    const r = await post(`${n.url}${POLLINATION_PATH}`, CT_STHS.sth_pollination_request.body);
    assert.deepEqual(r.json, { sths: [] });
    assert.equal(await counterValue(n.service.metrics.discarded, { reason: 'stale' }), 3);
  });

  it('takes -05 v1 STHs without log_id by trying the known keys, and answers v1 objects without log_id', async () => {
    const n = await node();
    const now = Date.now();
    const sths = [TEST_KEYS.m, TEST_KEYS.b].map((k, i) =>
      JSON.parse(signedSthJson(k, { size: 10 + i, root: root(`v1-${i}`), timestamp: now - 1000 }).json.toString()),
    );
    const r = await post(`${n.url}${POLLINATION_PATH}`, { v1: sths });
    assert.equal(r.status, 200);
    assert.deepEqual(Object.keys(r.json), ['v1']);
    assert.equal(r.json.v1.length, 2);
    for (const s of r.json.v1)
      assert.deepEqual(Object.keys(s as object).sort(), ['sha256_root_hash', 'timestamp', 'tree_head_signature', 'tree_size']);
  });

  it('refuses what is not a pollination body (400), too many STHs (400), and a client over its rate (429)', async () => {
    const n = await node({ clientRate: { rate: 0.001, burst: 4 } });
    assert.equal((await post(`${n.url}${POLLINATION_PATH}`, 'nope')).status, 400);
    assert.equal((await post(`${n.url}${POLLINATION_PATH}`, { other: [] })).status, 400);
    assert.equal((await post(`${n.url}${POLLINATION_PATH}`, { v1: Array.from({ length: 101 }, () => ({})) })).status, 400);
    assert.equal((await post(`${n.url}${POLLINATION_PATH}`, { v1: [] })).status, 200);
    assert.equal((await post(`${n.url}${POLLINATION_PATH}`, { v1: [] })).status, 429);
    assert.equal((await fetch(`${n.url}${POLLINATION_PATH}`)).status, 404);
  });

  it('answers refusals alike over a socket (the fast path) and through fastify (inject): one {error, message} shape', async () => {
    const n = await node({ clientRate: { rate: 0.001, burst: 2 } });
    const overSocket = async (body: string) => {
      const r = await fetch(`${n.url}${POLLINATION_PATH}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      return { status: r.status, retryAfter: r.headers.get('retry-after'), body: (await r.json()) as { error: string; message: string } };
    };
    const injected = async (body: string) => {
      const r = await n.app.inject({
        method: 'POST',
        url: POLLINATION_PATH,
        headers: { 'content-type': 'application/json' },
        payload: body,
      });
      return { status: r.statusCode, retryAfter: r.headers['retry-after'] ?? null, body: r.json() as { error: string; message: string } };
    };
    for (const send of [overSocket, injected]) {
      const bad = await send('nope');
      assert.equal(bad.status, 400);
      assert.equal(bad.body.error, 'BAD_BODY');
      assert.match(bad.body.message, /^not JSON/);
    }
    // Both are client 127.0.0.1 (inject's default address), whose burst of 2 the two refusals above spent.
    for (const send of [overSocket, injected]) {
      const over = await send('{"v1":[]}');
      assert.equal(over.status, 429);
      assert.equal(over.body.error, 'EXHAUSTED');
      assert.ok(Number(over.retryAfter) >= 1, `Retry-After: ${over.retryAfter}`);
    }
  });

  it('discards an STH of no known log and a malformed one, counted, and keeps the rest', async () => {
    const n = await node();
    const stranger = (await import('../../../src/crypto/index.ts')).generatePrivateKey('ecdsa-p256');
    const good = JSON.parse(signedSthJson(TEST_KEYS.m, { size: 3, root: root('g'), timestamp: Date.now() }, true).json.toString());
    const unknown = JSON.parse(signedSthJson(stranger, { size: 3, root: root('u'), timestamp: Date.now() }).json.toString());
    const r = await post(`${n.url}${POLLINATION_PATH}`, { v1: [good, unknown, { tree_size: 'x' }] });
    assert.equal(r.status, 200);
    assert.equal(r.json.v1.length, 1);
    assert.equal(await counterValue(n.service.metrics.discarded, { reason: 'unknown-log' }), 1);
    assert.equal(await counterValue(n.service.metrics.discarded, { reason: 'malformed' }), 1);
  });

  it('answers the Go server’s own test request (its -00 body at its path) in the shape its decoder reads (c-t-go gossip/types.go)', async () => {
    const n = await node({
      clock: () => Math.max(...(CT_STHS.sth_pollination_request.body.sths as { timestamp: number }[]).map((s) => s.timestamp)) + HOUR,
    });
    const r = await post(`${n.url}${OLD_POLLINATION_PATH}`, CT_STHS.sth_pollination_request.body);
    // c-t-go gossip/types.go STHPollination: {"sths":[ct.SignedTreeHead]} with sth_version, log_id, base64 fields.
    for (const s of r.json.sths as Record<string, unknown>[]) {
      assert.deepEqual(Object.keys(s).sort(), [
        'log_id',
        'sha256_root_hash',
        'sth_version',
        'timestamp',
        'tree_head_signature',
        'tree_size',
      ]);
    }
  });
});

describe('pollination client', () => {
  it('sends fresh STHs to a pool and takes in what it answers (both ours)', async () => {
    const b = await node();
    const a = await node({ pools: [{ url: `${b.url}${POLLINATION_PATH}`, shape: 'v1' }] });
    const now = Date.now();
    const fromA = signedSthJson(TEST_KEYS.m, { size: 20, root: root('a'), timestamp: now - 2000 }).json;
    const fromB = signedSthJson(TEST_KEYS.b, { size: 30, root: root('b'), timestamp: now - 2000 }).json;
    a.service.fromPeer('p', { command: Command.gossipMsg, logId: hexLogId(TEST_KEYS.m), gossipData: fromA });
    b.service.fromPeer('p', { command: Command.gossipMsg, logId: hexLogId(TEST_KEYS.b), gossipData: fromB });
    await a.transport.round();
    const sizes = (n: Node) => [...n.service.pool.select(100, Date.now(), () => true)].map((e) => e.head.size).sort();
    assert.deepEqual(sizes(b), [20, 30]);
    assert.deepEqual(sizes(a), [20, 30]);
  });
});

describe('interop with Google’s 2016 Go gossip server', { skip: GO_SKIP }, () => {
  const dir = tempDir('go-gossip-');
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('our client deposits STHs the Go server verifies and hands out, and takes in the STHs it hands us', async () => {
    const go = await startGoServer(dir, [TEST_KEYS.m.publicKey, TEST_KEYS.b.publicKey]);
    try {
      const now = Date.now();
      // A third party deposits an STH of log b with the Go server, in its own (-00) shape.
      const theirs = signedSthJson(TEST_KEYS.b, { size: 77, root: root('go-b'), timestamp: now - 5000 }, true);
      assert.equal((await post(`${go.url}${OLD_POLLINATION_PATH}`, { sths: [JSON.parse(theirs.json.toString())] })).status, 200);
      // Our service holds an STH of log m and pollinates the Go server as a client.
      const us = await node({ pools: [{ url: `${go.url}${OLD_POLLINATION_PATH}`, shape: 'sths' }] });
      const ours = signedSthJson(TEST_KEYS.m, { size: 55, root: root('ours'), timestamp: now - 5000 }).json;
      us.service.fromPeer('p', { command: Command.gossipMsg, logId: hexLogId(TEST_KEYS.m), gossipData: ours });
      await us.transport.round();
      // Direction 1: the Go server verified and stored ours — another client now gets it back.
      const seen = await post(`${go.url}${OLD_POLLINATION_PATH}`, { sths: [] });
      const sizes = seen.json.sths.map((s) => (s as { tree_size: number }).tree_size).sort();
      assert.deepEqual(sizes, [55, 77]);
      for (const s of seen.json.sths) sthFromJson(s);
      // Direction 2: the Go server's answer (the third party's STH) came into our service, validated, to our peers.
      await waitUntil('the Go STH in our pool', () => us.service.pool.select(10, Date.now(), (e) => e.head.size === 77).length === 1, {
        stuckMs: 30_000,
      });
      assert.ok(us.peer.inbox.some((m) => m.command === Command.gossipMsg && m.source === 'pollination'));
      // The Go server refuses what it cannot verify: a forged STH never comes back.
      const forged = JSON.parse(ours.toString());
      forged.tree_size = 56;
      await post(`${go.url}${OLD_POLLINATION_PATH}`, {
        sths: [{ ...forged, sth_version: 0, log_id: Buffer.from(hexLogId(TEST_KEYS.m), 'hex').toString('base64') }],
      });
      const again = await post(`${go.url}${OLD_POLLINATION_PATH}`, { sths: [] });
      assert.ok(!again.json.sths.some((s) => (s as { tree_size: number }).tree_size === 56));
    } finally {
      await go.stop();
    }
  });
});
