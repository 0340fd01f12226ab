/**
 * The hub transport against a real Gossip Hub on loopback HTTP (the hub
 * personality on SQLite, started by the server builder): heads go in with
 * add-signed-blob and their SGTs verify; another observer's later head comes
 * back as incoming gossip; a hub signing with another key is refused.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { generatePrivateKey } from '../../../src/crypto/index.ts';
import { GossipService } from '../../../src/gossip/service/index.ts';
import { blobOfHead, HubTransport, headOfBlob } from '../../../src/gossip/transports/hub/index.ts';
import { Command, type GossipMsg } from '../../../src/gossip/wire/index.ts';
import { HubClient, makeSource } from '../../../src/hub/index.ts';
import { MemoryHeadStore } from '../../../src/storage/memory/head-store.ts';
import { type HubEnv, hubEnv, settle } from '../../hub/fixtures.ts';
import { waitUntil } from '../../support/wait.ts';
import { fixtureRegistry, hexLogId, signedSthJson, TEST_KEYS } from '../fixtures.ts';
import { counterValue, InboxPeer } from '../service/helpers.ts';

const M = hexLogId(TEST_KEYS.m);
const root = (s: string) => createHash('sha256').update(s).digest();

describe('hub transport', () => {
  let env: HubEnv;
  before(async () => {
    env = await hubEnv({ listen: true, sources: [makeSource({ id: 'test-m', kind: 'RFC6962STH', publicKey: TEST_KEYS.m.publicKey })] });
  });
  after(async () => {
    await env.close();
  });

  function gossip(hubKey = env.signer.publicKey) {
    const service = new GossipService({ logs: fixtureRegistry(), store: new MemoryHeadStore(), limits: { backoffMs: 60_000 } });
    const transport = new HubTransport({
      service,
      hubs: [{ name: 'gamut', client: new HubClient({ url: env.url, hubKey }), sources: new Map([[M, 'test-m']]) }],
      pollMs: 0,
    });
    service.registerTransport(transport);
    const peer = new InboxPeer('w');
    service.attachPeer(peer);
    return { service, transport, peer };
  }

  it('rebuilds the heads it submits: STH → TreeHeadSignature + signature → the same get-sth JSON', () => {
    const log = fixtureRegistry().get(M);
    assert.ok(log);
    const { json } = signedSthJson(TEST_KEYS.m, { size: 9, root: root('r'), timestamp: Date.now() });
    const b = blobOfHead('rfc6962-sth', json, log);
    assert.ok(b);
    assert.equal(b.blob.length, 50);
    assert.deepEqual(JSON.parse((headOfBlob(b.blob, b.signature, log) as Buffer).toString()), JSON.parse(json.toString()));
  });

  it('submits a peer’s head to the hub (SGT verified) and brings another observer’s later head back to the peers', async () => {
    const { service, transport, peer } = gossip();
    const ours = signedSthJson(TEST_KEYS.m, { size: 40, root: root('ours'), timestamp: Date.now() - 10_000 }).json;
    service.fromPeer('p', { command: Command.gossipMsg, logId: M, gossipData: ours, destination: ['hub'] });
    const client = new HubClient({ url: env.url, hubKey: env.signer.publicKey });
    await settle(env);
    await waitUntil('the hub taking the head', async () => (await client.getLatestForSource('test-m')) !== null, { stuckMs: 30_000 });
    // Another observer submits a later head of m to the hub directly.
    const theirs = signedSthJson(TEST_KEYS.m, { size: 41, root: root('theirs'), timestamp: Date.now() - 5_000 });
    const log = service.logs.get(M);
    assert.ok(log);
    const b = blobOfHead('rfc6962-sth', theirs.json, log);
    assert.ok(b);
    await client.addSignedBlob('test-m', b.blob, b.signature);
    await settle(env);
    await transport.poll();
    const got = peer.inbox.filter((m): m is GossipMsg => m.command === Command.gossipMsg && m.source === 'hub');
    assert.equal(got.length, 1);
    assert.equal(JSON.parse(got[0].gossipData.toString()).tree_size, 41);
    await service.close();
  });

  it('counts a hub whose SGT does not verify under the configured key as a failure', async () => {
    const { service } = gossip(generatePrivateKey('ecdsa-p256').publicKey);
    const sth = signedSthJson(TEST_KEYS.m, { size: 50, root: root('x'), timestamp: Date.now() }).json;
    service.fromPeer('p', { command: Command.gossipMsg, logId: M, gossipData: sth, destination: ['hub'] });
    await waitUntil('the failure', async () => (await counterValue(service.metrics.transportFailures, { transport: 'hub' })) >= 1, {
      stuckMs: 30_000,
    });
    await service.close();
  });
});
