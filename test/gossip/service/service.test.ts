import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { verifyEvidence } from '../../../src/evidence/index.ts';
import { GossipService, type GossipServiceOptions } from '../../../src/gossip/service/index.ts';
import { EchoTransport } from '../../../src/gossip/transports/echo/index.ts';
import { evidenceKeysOf, validateGossipData } from '../../../src/gossip/validate/index.ts';
import { Command, type GossipMessage, type GossipMsg } from '../../../src/gossip/wire/index.ts';
import { MemoryHeadStore } from '../../../src/storage/memory/head-store.ts';
import { fixtureRegistry, hexLogId, signedSthJson, TEST_KEYS } from '../fixtures.ts';
import { counterValue, InboxPeer, RecordingTransport } from './helpers.ts';

const NOW = Date.UTC(2026, 2, 1);
const root = (s: string) => createHash('sha256').update(s).digest();
const M = hexLogId(TEST_KEYS.m);

function service(opts: Partial<GossipServiceOptions> = {}): GossipService {
  let t = NOW;
  return new GossipService({ logs: fixtureRegistry(), store: new MemoryHeadStore(), clock: () => t++, ...opts });
}

const sth = (size: number, r: string, ts = NOW - 60_000) => signedSthJson(TEST_KEYS.m, { size, root: root(r), timestamp: ts }).json;
const msg = (data: Buffer, extra: Partial<GossipMsg> = {}): GossipMsg => ({
  command: Command.gossipMsg,
  logId: M,
  gossipData: data,
  ...extra,
});
const gossipOf = (m: GossipMessage[]) => m.filter((x): x is GossipMsg => x.command === Command.gossipMsg);

describe('GossipService routing (draft §6.5)', () => {
  it('answers enumerate-transports with the registered names and the tag', () => {
    const s = service();
    s.registerTransport(new EchoTransport());
    s.registerTransport(new RecordingTransport('https'));
    assert.deepEqual(s.fromPeer('p', { command: Command.enumerateTransportsRequest, tag: 'q1' }), [
      { command: Command.enumerateTransportsResponse, transports: ['echo', 'https'], tag: 'q1' },
    ]);
  });

  it('echo: loops a valid message back to its sender alone, tag kept, timestamp and source set by the service', async () => {
    const s = service();
    s.registerTransport(new EchoTransport());
    const [a, b] = [new InboxPeer('a'), new InboxPeer('b')];
    s.attachPeer(a);
    s.attachPeer(b);
    const data = sth(5, 'x');
    assert.deepEqual(s.fromPeer('a', msg(data, { destination: ['echo'], tag: 't7', timestamp: 1 })), []);
    await new Promise((r) => setImmediate(r));
    assert.equal(b.inbox.length, 0);
    const [back] = gossipOf(a.inbox);
    assert.equal(back.tag, 't7');
    assert.equal(back.source, 'echo');
    assert.deepEqual(back.gossipData, data);
    assert.ok(back.timestamp !== undefined && back.timestamp >= NOW, 'the service sets the timestamp');
  });

  it('forwards a peer message to every named transport ("all" too) and none other', async () => {
    const s = service();
    const [x, y] = [new RecordingTransport('x'), new RecordingTransport('y')];
    s.registerTransport(x);
    s.registerTransport(y);
    s.fromPeer('p', msg(sth(5, 'a'), { destination: ['x'] }));
    s.fromPeer('p', msg(sth(6, 'b'), { destination: ['all'] }));
    s.fromPeer('p', msg(sth(7, 'c')));
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(
      x.sent.map((m) => m.kind),
      ['rfc6962-sth', 'rfc6962-sth'],
    );
    assert.equal(y.sent.length, 1);
    assert.equal(y.sent[0].fromPeer, 'p');
  });

  it('refuses a destination naming no registered transport, and counts it', async () => {
    const s = service();
    s.registerTransport(new EchoTransport());
    const [r] = s.fromPeer('p', msg(sth(5, 'a'), { destination: ['echo', 'gossip-transport-tbd'], tag: 'z' }));
    assert.equal(r.command, Command.error);
    assert.equal(r.command === Command.error && r.code, 'unknown-transport');
    assert.equal(r.tag, 'z');
    assert.equal(await counterValue(s.metrics.refusals, { code: 'unknown-transport' }), 1);
  });

  it('refuses authenticate on the peer socket (not-allowed)', () => {
    const s = service();
    const [r] = s.fromPeer('p', { command: Command.authenticateRequest, sharedSecret: Buffer.from('x') });
    assert.equal(r.command === Command.error && r.code, 'not-allowed');
  });

  it('silently discards a message that does not validate (§5.1), forwarding nothing, counting the reason', async () => {
    const s = service();
    const x = new RecordingTransport('x');
    s.registerTransport(x);
    const peer = new InboxPeer('p');
    s.attachPeer(peer);
    const bad = Buffer.from(
      sth(5, 'a')
        .toString()
        .replace(/"tree_size":5/, '"tree_size":6'),
    );
    assert.deepEqual(s.fromPeer('p', msg(bad, { destination: ['all'] })), []);
    assert.deepEqual(s.fromPeer('p', msg(sth(5, 'a'), { logId: '00'.repeat(32), destination: ['all'] })), []);
    assert.equal(x.deliver({ logId: M, gossipData: bad }), true);
    await new Promise((r) => setImmediate(r));
    assert.equal(x.sent.length, 0);
    assert.equal(peer.inbox.length, 0);
    assert.equal(await counterValue(s.metrics.discarded, { reason: 'bad-signature' }), 1);
    assert.equal(await counterValue(s.metrics.discarded, { reason: 'unknown-log' }), 1);
    assert.equal(await counterValue(s.metrics.discarded, { reason: 'repeat' }), 1);
  });

  it("forwards a transport's message to every peer once; a repeat is dropped as duplicate", async () => {
    const s = service();
    const x = new RecordingTransport('x');
    s.registerTransport(x);
    const peers = ['a', 'b', 'c'].map((id) => new InboxPeer(id));
    for (const p of peers) s.attachPeer(p);
    const data = sth(9, 'q');
    x.deliver({ logId: M, gossipData: data, tag: 'k' });
    x.deliver({ logId: M, gossipData: data });
    for (const p of peers) {
      assert.equal(p.inbox.length, 1);
      assert.equal((p.inbox[0] as GossipMsg).source, 'x');
    }
    assert.equal(await counterValue(s.metrics.dropped, { reason: 'duplicate' }), 1);
  });

  it('drops for a peer that cannot take more, and still serves the others', async () => {
    const s = service();
    const x = new RecordingTransport('x');
    s.registerTransport(x);
    const [slow, fast] = [new InboxPeer('slow'), new InboxPeer('fast')];
    slow.accept = false;
    s.attachPeer(slow);
    s.attachPeer(fast);
    x.deliver({ logId: M, gossipData: sth(3, 'r') });
    assert.equal(fast.inbox.length, 1);
    assert.equal(await counterValue(s.metrics.dropped, { reason: 'slow-peer' }), 1);
  });

  it('rate-limits a peer past its burst and keeps serving another', async () => {
    const s = service({ limits: { peerRate: { rate: 0.001, burst: 3 } } });
    const refusals = [];
    for (let i = 0; i < 5; i++) refusals.push(...s.fromPeer('greedy', msg(sth(5, 'a'))));
    assert.equal(refusals.length, 2);
    assert.ok(refusals.every((r) => r.command === Command.error && r.code === 'rate-limited'));
    assert.deepEqual(s.fromPeer('modest', msg(sth(5, 'a'))), []);
  });

  it('backs off a failing transport while the others keep receiving', async () => {
    const s = service({ limits: { backoffMs: 60_000 } });
    const [bad, good] = [new RecordingTransport('bad'), new RecordingTransport('good')];
    bad.failWith = new Error('connection refused');
    s.registerTransport(bad);
    s.registerTransport(good);
    for (let i = 0; i < 5; i++) s.fromPeer('p', msg(sth(10 + i, 'b'), { destination: ['all'] }));
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(good.sent.length, 5);
    assert.ok((await counterValue(s.metrics.transportFailures, { transport: 'bad' })) >= 1);
    await s.close();
  });

  it('refuses a second transport of one name', () => {
    const s = service();
    assert.equal(s.registerTransport(new RecordingTransport('x')), true);
    assert.equal(s.registerTransport(new RecordingTransport('x')), false);
  });
});

describe('GossipService split-view detection', () => {
  it('catches a fork seen from two transports, and tells every peer with evidence that proves it', async () => {
    const s = service();
    const [x, y] = [new RecordingTransport('x'), new RecordingTransport('y')];
    s.registerTransport(x);
    s.registerTransport(y);
    const peer = new InboxPeer('watcher');
    s.attachPeer(peer);
    x.deliver({ logId: M, gossipData: sth(100, 'left') });
    y.deliver({ logId: M, gossipData: sth(100, 'right') });
    await s.settled();
    assert.equal(s.incidents().length, 1);
    assert.equal(s.incidents()[0].category, 'fork');
    const ev = gossipOf(peer.inbox).find((m) => m.source === '');
    assert.ok(ev, 'no evidence message reached the peer');
    const log = s.logs.get(M);
    assert.ok(log);
    const verdict = verifyEvidence(ev.gossipData, { keys: evidenceKeysOf(log) });
    assert.equal(verdict.proves, true, verdict.line);
    assert.equal(verdict.keySource, 'supplied');
    // The evidence is itself valid gossip.
    assert.ok(validateGossipData(M, ev.gossipData, { logs: s.logs, nowMs: NOW, maxAgeMs: 1, maxFutureMs: 1 }).ok);
    assert.equal(await counterValue(s.metrics.incidents, { category: 'fork' }), 1);
  });

  it('catches a fork against the stored latest head once the pool no longer holds the other side', async () => {
    const store = new MemoryHeadStore();
    const first = service({ store });
    first.fromPeer('p', msg(sth(50, 'one')));
    await first.settled();
    // A new service process with the same store: its pool is empty.
    const second = service({ store });
    second.fromPeer('p', msg(sth(50, 'two')));
    await second.settled();
    assert.deepEqual(
      second.incidents().map((i) => i.category),
      ['fork'],
    );
  });

  it('raises one incident for a fork seen many times', async () => {
    const s = service();
    const x = new RecordingTransport('x');
    s.registerTransport(x);
    for (let i = 0; i < 3; i++) {
      x.deliver({ logId: M, gossipData: sth(100, 'left', NOW - 1000 - i) });
      x.deliver({ logId: M, gossipData: sth(100, 'right', NOW - 2000 - i) });
    }
    await s.settled();
    assert.equal(s.incidents().length, 1);
  });
});
