/**
 * Several gossip services on loopback, each with several peers on its peer
 * socket and an external transport registered over its transport socket,
 * linked by the peer transport (A ↔ B ↔ C). A relay peer on each re-sends
 * what arrives to the peer transport (gossip policy belongs to peers, §6).
 * Real heads travel (the 2015 Aviator STHs, under the real key), and a log
 * forked between A's and C's sources is caught by C, which saw only one side
 * locally.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { generatePrivateKey } from '../../src/crypto/index.ts';
import { verifyEvidence } from '../../src/evidence/index.ts';
import { GossipClient } from '../../src/gossip/client.ts';
import { GossipService } from '../../src/gossip/service/index.ts';
import { PeerSocket, TransportSocket } from '../../src/gossip/sockets/index.ts';
import { PeerTransport, rawEd25519 } from '../../src/gossip/transports/peer/index.ts';
import { evidenceKeysOf } from '../../src/gossip/validate/index.ts';
import type { GossipMsg } from '../../src/gossip/wire/index.ts';
import { MemoryHeadStore } from '../../src/storage/memory/head-store.ts';
import { freePort } from '../support/ports.ts';
import { tempDir } from '../support/temp-dir.ts';
import { waitUntil } from '../support/wait.ts';
import { CT_STHS, fixtureRegistry, hexLogId, signedSthJson, TEST_KEYS } from './fixtures.ts';

const SECRET = Buffer.from('network test shared secret');
const AVIATOR = CT_STHS.sth_pollination_request.body.sths as { timestamp: number; tree_size: number; log_id: string }[];
const NOW = Math.max(...AVIATOR.map((s) => s.timestamp)) + 3_600_000;
const M = hexLogId(TEST_KEYS.m);
const root = (s: string) => createHash('sha256').update(s).digest();

interface Node {
  readonly name: string;
  readonly service: GossipService;
  readonly peers: PeerSocket;
  readonly transports: TransportSocket;
  readonly peerTransport: PeerTransport;
  readonly peerPath: string;
  readonly transportPath: string;
  relay?: GossipClient;
  watchers: GossipClient[];
  ext?: GossipClient;
  /** Everything the watchers received. */
  seen: GossipMsg[][];
}

describe('three gossip services on loopback', () => {
  const dir = tempDir('gossip-net-');
  const keys = ['a', 'b', 'c'].map(() => generatePrivateKey('ed25519'));
  const nodes: Node[] = [];
  const clients: GossipClient[] = [];

  before(async () => {
    const ports = [await freePort(), await freePort(), await freePort()];
    const names = ['a', 'b', 'c'];
    for (const [i, name] of names.entries()) {
      const service = new GossipService({
        logs: fixtureRegistry(),
        store: new MemoryHeadStore(),
        clock: () => NOW,
        observer: `gossip-${name}`,
      });
      // A ↔ B ↔ C: each pins its neighbours' keys; the right one dials the left one.
      const neighbours = [i - 1, i + 1].filter((j) => j >= 0 && j < names.length);
      const peerTransport = new PeerTransport({
        key: keys[i].key,
        listen: { host: '127.0.0.1', port: ports[i] },
        peers: neighbours.map((j) => ({
          name: names[j],
          key: rawEd25519(keys[j].key),
          ...(j === i - 1 ? { address: { host: '127.0.0.1', port: ports[j] } } : {}),
        })),
        reconnectMs: 50,
      });
      const n: Node = {
        name,
        service,
        peers: new PeerSocket(service),
        transports: new TransportSocket(service, { secret: SECRET }),
        peerTransport,
        peerPath: join(dir, `${name}-peer.sock`),
        transportPath: join(dir, `${name}-transport.sock`),
        watchers: [],
        seen: [],
      };
      await n.peers.listen({ path: n.peerPath });
      await n.transports.listen({ path: n.transportPath });
      service.registerTransport(peerTransport);
      nodes.push(n);
    }
    await waitUntil('sessions', () => nodes[0].peerTransport.connected().length === 1 && nodes[1].peerTransport.connected().length === 2, {
      stuckMs: 30_000,
    });

    for (const n of nodes) {
      // Two watchers and a relay on the peer socket; an external transport on the transport socket.
      for (let w = 0; w < 2; w++) {
        const c = await GossipClient.connect({ path: n.peerPath });
        clients.push(c);
        await c.transports();
        n.watchers.push(c);
        const box: GossipMsg[] = [];
        n.seen.push(box);
        void (async () => {
          for await (const m of c.incoming()) box.push(m);
        })();
      }
      const relay = await GossipClient.connect({ path: n.peerPath });
      clients.push(relay);
      n.relay = relay;
      void (async () => {
        for await (const m of relay.incoming()) {
          if (m.source === '') continue; // incidents are for people; the relay passes on gossip
          relay.send({ command: 'gossip-msg-0', logId: m.logId, gossipData: m.gossipData, destination: ['peer'] });
        }
      })();
      const ext = await GossipClient.connect({ path: n.transportPath }, { transport: true });
      clients.push(ext);
      await ext.authenticate(SECRET, 'ext');
      n.ext = ext;
    }
  });

  after(async () => {
    for (const c of clients) c.close();
    for (const n of nodes) {
      await n.service.close();
      await n.peers.close();
      await n.transports.close();
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists the peer and the external transport on every service', async () => {
    for (const n of nodes) assert.deepEqual((await n.watchers[0].transports()).sort(), ['ext', 'peer']);
  });

  it('carries the real Aviator STHs from A’s external transport to every watcher of B and C, once each', async () => {
    const a = nodes[0];
    for (const s of AVIATOR)
      a.ext?.send({
        command: 'gossip-msg-0',
        logId: Buffer.from(s.log_id, 'base64').toString('hex'),
        gossipData: Buffer.from(JSON.stringify(s)),
      });
    const sizes = (box: GossipMsg[]) =>
      box
        .map((m) => JSON.parse(m.gossipData.toString()).tree_size as number)
        .filter((x) => x > 8_000_000)
        .sort();
    await waitUntil('every watcher seeing three STHs', () => nodes.every((n) => n.seen.every((box) => sizes(box).length >= 3)));
    for (const n of nodes) for (const box of n.seen) assert.deepEqual(sizes(box), AVIATOR.map((s) => s.tree_size).sort());
    assert.equal(nodes[2].seen[0].find((m) => JSON.parse(m.gossipData.toString()).tree_size > 8_000_000)?.source, 'peer');
  });

  it('C catches a fork of log m it saw one side of locally, and its watchers get evidence that proves it', async () => {
    const [a, , c] = nodes;
    const left = signedSthJson(TEST_KEYS.m, { size: 1000, root: root('left'), timestamp: NOW - 60_000 }).json;
    const right = signedSthJson(TEST_KEYS.m, { size: 1000, root: root('right'), timestamp: NOW - 60_000 }).json;
    c.ext?.send({ command: 'gossip-msg-0', logId: M, gossipData: right });
    await waitUntil('C holding its side', () => c.service.pool.sameSize(M, 1000).length === 1, { stuckMs: 30_000 });
    a.ext?.send({ command: 'gossip-msg-0', logId: M, gossipData: left });
    await waitUntil('C raising the fork', () => c.service.incidents().length > 0);
    const incident = c.service.incidents()[0];
    assert.equal(incident.category, 'fork');
    const log = c.service.logs.get(M);
    assert.ok(log);
    for (const box of c.seen) {
      await waitUntil('evidence reaching the watcher', () => box.some((m) => m.source === ''), { stuckMs: 30_000 });
      const ev = box.find((m) => m.source === '') as GossipMsg;
      const verdict = verifyEvidence(ev.gossipData, { keys: evidenceKeysOf(log) });
      assert.equal(verdict.proves, true, verdict.line);
    }
  });
});
