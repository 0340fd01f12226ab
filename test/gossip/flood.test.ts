/**
 * Floods: a peer or transport can make the service do bounded work and hold
 * bounded memory, and honest gossip still flows. Bounds are asserted on what
 * the service holds (pool bytes, dedup entries, queues, buffers), not on the
 * process's RSS, which a loaded machine makes noisy.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GossipClient } from '../../src/gossip/client.ts';
import { ENTRY_OVERHEAD, GossipService } from '../../src/gossip/service/index.ts';
import { PeerSocket, TransportSocket } from '../../src/gossip/sockets/index.ts';
import { EchoTransport } from '../../src/gossip/transports/echo/index.ts';
import { MemoryHeadStore } from '../../src/storage/memory/head-store.ts';
import { tempDir } from '../support/temp-dir.ts';
import { waitUntil } from '../support/wait.ts';
import { fixtureRegistry, hexLogId, signedSthJson, TEST_KEYS } from './fixtures.ts';
import { counterValue } from './service/helpers.ts';

const SECRET = Buffer.from('flood test secret, sixteen+');
const M = hexLogId(TEST_KEYS.m);
const POOL_BYTES = 64 * 1024;
const DEDUP = 2000;
const root = (s: string) => createHash('sha256').update(s).digest();
const sth = (i: number) => signedSthJson(TEST_KEYS.m, { size: 1_000_000 + i, root: root(`f${i}`), timestamp: Date.now() - 1000 }).json;

describe('floods', () => {
  const dir = tempDir('gossip-flood-');
  let service: GossipService;
  let peers: PeerSocket;
  let transports: TransportSocket;
  const peerPath = join(dir, 'p.sock');
  const transportPath = join(dir, 't.sock');
  const sockets: Socket[] = [];
  const clients: GossipClient[] = [];

  before(async () => {
    service = new GossipService({
      logs: fixtureRegistry(),
      store: new MemoryHeadStore(),
      limits: {
        poolBytes: POOL_BYTES,
        dedupEntries: DEDUP,
        peerRate: { rate: 200_000, burst: 200_000 },
        transportRate: { rate: 200_000, burst: 200_000 },
      },
    });
    service.registerTransport(new EchoTransport());
    peers = new PeerSocket(service, { limits: { maxMessageBytes: 8192, maxBufferedBytes: 64 * 1024 } });
    transports = new TransportSocket(service, { secret: SECRET });
    await peers.listen({ path: peerPath });
    await transports.listen({ path: transportPath });
  });

  after(async () => {
    for (const s of sockets) s.destroy();
    for (const c of clients) c.close();
    await peers.close();
    await transports.close();
    await service.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('garbage, oversized and badly signed messages from one peer cost it refusals; an honest peer’s echo still comes back', async () => {
    const flooder = connect(peerPath);
    sockets.push(flooder);
    flooder.resume();
    const bad = Buffer.from(sth(1).toString().replace('"tree_size":1000001', '"tree_size":1000002'));
    const chunk = [
      '{"command": nope}\n',
      'junk ) ( {\n',
      '{"command":"gossip-frob-0"}\n',
      `{"command":"gossip-msg-0","log-id":"${M}","gossip-data":"${'A'.repeat(10_000)}"}\n`,
      `{"command":"gossip-msg-0","log-id":"${M}","gossip-data":"${bad.toString('base64')}","destination":["echo"]}\n`,
    ].join('');
    const honest = await GossipClient.connect({ path: peerPath });
    clients.push(honest);
    let writes = 0;
    const pump = () => {
      while (writes < 2000 && flooder.write(chunk)) writes++;
      if (writes < 2000) flooder.once('drain', pump);
    };
    pump();
    for (let i = 0; i < 20; i++) {
      const data = sth(10 + i);
      await honest.gossip({ logId: M, gossipData: data, destination: ['echo'] });
      const back = await honest.next();
      assert.deepEqual(back.gossipData, data);
    }
    await waitUntil('the flood written', () => writes >= 2000);
    await waitUntil('the flood handled', async () => (await counterValue(service.metrics.discarded, { reason: 'repeat' })) > 100);
    const s = service.stats();
    assert.ok(s.seen <= DEDUP && s.forwarded <= DEDUP, JSON.stringify(s));
    assert.ok((await counterValue(service.metrics.refusals, { code: 'too-large' })) > 0);
    assert.ok(
      (await counterValue(service.metrics.discarded, { reason: 'bad-signature' })) === 1,
      'a bad message is verified once, then remembered',
    );
  });

  it('a transport flooding valid heads fills the pool to its bound and no further, and the heads still reach the peers', async () => {
    const t = await GossipClient.connect({ path: transportPath }, { transport: true });
    clients.push(t);
    await t.authenticate(SECRET, 'firehose');
    const watcher = await GossipClient.connect({ path: peerPath });
    clients.push(watcher);
    const n = 600; // 600 × (~270 bytes + overhead) is well past 64 KiB
    for (let i = 0; i < n; i++) t.send({ command: 'gossip-msg-0', logId: M, gossipData: sth(10_000 + i) });
    let got = 0;
    for await (const _m of watcher.incoming()) if (++got === n) break;
    const s = service.stats();
    assert.ok(s.poolBytes <= POOL_BYTES, `pool ${s.poolBytes} bytes`);
    assert.ok(s.poolEntries * ENTRY_OVERHEAD <= POOL_BYTES);
    assert.ok(
      (await counterValue(service.metrics.dropped, { reason: 'pool-full' })) > 0,
      'the full pool refused heads rather than flushing fresh ones',
    );
  });

  it('a peer that never reads is dropped from, not waited on: the others get everything', async () => {
    const stalled = connect(peerPath);
    sockets.push(stalled);
    stalled.pause();
    stalled.write('{"command":"gossip-enumerate-transports-request-0"}\n');
    const t = await GossipClient.connect({ path: transportPath }, { transport: true });
    clients.push(t);
    await t.authenticate(SECRET, 'firehose-2');
    const reader = await GossipClient.connect({ path: peerPath });
    clients.push(reader);
    const n = 1500;
    for (let i = 0; i < n; i++) t.send({ command: 'gossip-msg-0', logId: M, gossipData: sth(20_000 + i) });
    let got = 0;
    for await (const _m of reader.incoming()) if (++got === n) break;
    assert.equal(got, n);
    await waitUntil('drops for the stalled peer', async () => (await counterValue(service.metrics.dropped, { reason: 'slow-peer' })) > 0);
  });
});

describe('a peer over its rate', () => {
  it('gets rate-limited refusals while another peer is served', async () => {
    const dir = tempDir('gossip-rate-');
    const service = new GossipService({
      logs: fixtureRegistry(),
      store: new MemoryHeadStore(),
      limits: { peerRate: { rate: 0.001, burst: 5 } },
    });
    service.registerTransport(new EchoTransport());
    const peers = new PeerSocket(service);
    await peers.listen({ path: join(dir, 'p.sock') });
    const [greedy, modest] = [
      await GossipClient.connect({ path: join(dir, 'p.sock') }),
      await GossipClient.connect({ path: join(dir, 'p.sock') }),
    ];
    try {
      const data = sth(1);
      let refused = 0;
      for (let i = 0; i < 10; i++) {
        await greedy.gossip({ logId: M, gossipData: data, destination: ['echo'] }).catch((e) => {
          if (e.refusal === 'rate-limited') refused++;
        });
      }
      assert.equal(refused, 5);
      await modest.gossip({ logId: M, gossipData: data, destination: ['echo'] });
      assert.deepEqual((await modest.next()).gossipData, data);
    } finally {
      greedy.close();
      modest.close();
      await peers.close();
      await service.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
