/**
 * The https transport (draft-linus-trans-gossip-transport-https-00) over
 * real HTTP on loopback: a server builder whose every route is a pool
 * (TransGossipEnabled: Yes; TransGossip request headers come in as gossip),
 * a client that sends to pools that said Yes or nothing and never to one
 * that said No.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';
import { GossipService } from '../../../src/gossip/service/index.ts';
import { formatTransGossip, HttpsTransport, parseTransGossip } from '../../../src/gossip/transports/https/index.ts';
import { Command, type GossipMsg } from '../../../src/gossip/wire/index.ts';
import type { Part } from '../../../src/http/index.ts';
import { type Server, startServer } from '../../../src/server/index.ts';
import { MemoryHeadStore } from '../../../src/storage/memory/head-store.ts';
import { waitUntil } from '../../support/wait.ts';
import { fixtureRegistry, hexLogId, signedSthJson, TEST_KEYS } from '../fixtures.ts';
import { counterValue, InboxPeer } from '../service/helpers.ts';

const M = hexLogId(TEST_KEYS.m);
const root = (s: string) => createHash('sha256').update(s).digest();
const servers: Server[] = [];
after(async () => {
  for (const s of servers) await s.close();
});

function service() {
  const s = new GossipService({ logs: fixtureRegistry(), store: new MemoryHeadStore(), limits: { backoffMs: 60_000 } });
  const peer = new InboxPeer('w');
  s.attachPeer(peer);
  return { s, peer };
}

/** A server with one ordinary route (like a CT log's), made a pool by the https transport's root hooks. */
async function poolServer(answer?: 'No') {
  const { s, peer } = service();
  const carried = { count: 0 };
  const t = new HttpsTransport({
    service: s,
    pools: [],
    pool: answer === undefined,
    maxPerRequest: 4,
    maxHeaderBytes: 8192,
    recheckMs: 3_600_000,
  });
  s.registerTransport(t);
  const part: Part = {
    name: 'some-api',
    readiness: () => [],
    mountRoot: (app) => t.mountRoot(app),
    mount: async (app: FastifyInstance) => {
      app.get('/ct/v1/get-sth', async (req, reply) => {
        if (req.headers.transgossip !== undefined) carried.count++;
        if (answer) reply.header('TransGossipEnabled', answer);
        return { hello: 'world' };
      });
    },
    start: async () => {},
    stop: async () => {},
  };
  const server = await startServer({ host: '127.0.0.1', port: 0, parts: [part], registry: new Registry() });
  servers.push(server);
  return { service: s, peer, url: `${server.url}/ct/v1/get-sth`, carried };
}

describe('TransGossip headers', () => {
  it('format as 0:<log-id>:<base64> and parse back, comma-joined or not; bad items are counted, never thrown', () => {
    const m = { logId: M, gossipData: Buffer.from('{"a":1}') };
    const v = formatTransGossip(m);
    assert.match(v, /^0:[0-9a-f]{64}:[A-Za-z0-9+/=]+$/);
    const r = parseTransGossip([`${v}, ${v}`, v, `1:${M}:AAAA`, '0:abc:AAAA', `0:${M}:not base64!`, `0:${M}:AAAA:x`], 10);
    assert.equal(r.messages.length, 3);
    assert.deepEqual(r.messages[0], m);
    assert.equal(r.bad, 4);
    assert.equal(parseTransGossip([`${v},${v},${v}`], 2).bad, 1);
  });
});

describe('https transport', () => {
  it('every route of a pool server says TransGossipEnabled: Yes and hands TransGossip headers to the service', async () => {
    const pool = await poolServer();
    const sth = signedSthJson(TEST_KEYS.m, { size: 7, root: root('h'), timestamp: Date.now() }).json;
    const res = await fetch(pool.url, { headers: { TransGossip: formatTransGossip({ logId: M, gossipData: sth }) } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('transgossipenabled'), 'Yes');
    const got = pool.peer.inbox.filter((m): m is GossipMsg => m.command === Command.gossipMsg);
    assert.equal(got.length, 1);
    assert.equal(got[0].source, 'https');
    assert.deepEqual(got[0].gossipData, sth);
    // A bad header costs the sender nothing but a count.
    assert.equal((await fetch(pool.url, { headers: { TransGossip: 'garbage' } })).status, 200);
    assert.equal(await counterValue(pool.service.metrics.discarded, { reason: 'malformed' }), 1);
  });

  it('the client sends to a pool that said Yes and stops sending to one that said No', async () => {
    const yes = await poolServer();
    const no = await poolServer('No');
    const { s } = service();
    const t = new HttpsTransport({
      service: s,
      pools: [{ url: yes.url }, { url: no.url }],
      pool: false,
      maxPerRequest: 4,
      maxHeaderBytes: 8192,
      recheckMs: 3_600_000,
    });
    s.registerTransport(t);
    for (let i = 0; i < 3; i++) {
      const sth = signedSthJson(TEST_KEYS.m, { size: 20 + i, root: root(`c${i}`), timestamp: Date.now() }).json;
      s.fromPeer('p', { command: Command.gossipMsg, logId: M, gossipData: sth, destination: ['https'] });
      // One at a time, so the No is known before the next message.
      await waitUntil('delivery', () => t.poolState(no.url) === 'no' && yes.peer.inbox.length === i + 1, { stuckMs: 30_000 });
    }
    assert.equal(t.poolState(yes.url), 'yes');
    assert.equal(yes.peer.inbox.length, 3);
    // Only the first message went to the pool that said No (before it said so); none after (MUST NOT).
    assert.equal(no.carried.count, 1);
    assert.equal(yes.carried.count, 3);
    await s.close();
  });
});
