/**
 * The gossip loop (src/gossip/loop.ts), on a driven clock: a head goes to
 * each transport when its tree changed, and an unchanged one at most once
 * per idle interval (issue 8 §4: an idle CT log re-signs its STH every MMD,
 * and submitting each of those grew a hub by ~8,600 entries a day).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { Registry } from 'prom-client';
import type { ObservedHead } from '../../src/audit/index.ts';
import { DEFAULT_IDLE_INTERVAL_MS, GossipLoop, type GossipTransport } from '../../src/gossip/index.ts';

const root = (n: number) => createHash('sha256').update(`root ${n}`).digest();

function world() {
  let now = 1_700_000_000_000;
  let head: ObservedHead = {
    log: 'aa',
    format: 'rfc6962-sth',
    size: 1,
    rootHash: root(1),
    timestampMs: now,
    signed: Buffer.from('{}'),
    observer: 'local',
    observedAtMs: now,
  };
  const sent: { to: string; size: number; timestampMs: number | null }[] = [];
  let failing = false;
  const transport = (to: string): GossipTransport => ({
    send: async (h) => {
      if (failing && to === 'b') throw new Error('b is down');
      sent.push({ to, size: h.size, timestampMs: h.timestampMs });
    },
  });
  const registry = new Registry();
  const loop = new GossipLoop({
    source: async () => head,
    targets: [
      { name: 'a', transport: transport('a') },
      { name: 'b', transport: transport('b') },
    ],
    intervalMs: 0,
    clock: () => now,
    registry,
  });
  return {
    loop,
    sent,
    registry,
    /** The log re-signs its unchanged tree (a new timestamp, same size and root). */
    resign: (ms: number) => {
      now += ms;
      head = { ...head, timestampMs: now, observedAtMs: now };
    },
    grow: (ms: number) => {
      now += ms;
      head = { ...head, size: head.size + 1, rootHash: root(head.size + 1), timestampMs: now, observedAtMs: now };
    },
    fail: (v: boolean) => {
      failing = v;
    },
  };
}

describe('GossipLoop', () => {
  it('sends a head to every transport once, then again only when the tree changed', async () => {
    const w = world();
    assert.equal(await w.loop.runOnce(), 2);
    w.resign(10_000);
    assert.equal(await w.loop.runOnce(), 0, 'a re-signed, unchanged tree is not sent');
    w.grow(1000);
    assert.equal(await w.loop.runOnce(), 2);
    assert.deepEqual(
      w.sent.map((s) => [s.to, s.size]),
      [
        ['a', 1],
        ['b', 1],
        ['a', 2],
        ['b', 2],
      ],
    );
  });

  it('sends an unchanged head again once the idle interval (default one hour) has passed', async () => {
    const w = world();
    await w.loop.runOnce();
    // An idle log with a 10 s MMD: 359 re-signed heads in the hour, none sent.
    for (let i = 0; i < 359; i++) {
      w.resign(10_000);
      assert.equal(await w.loop.runOnce(), 0);
    }
    w.resign(DEFAULT_IDLE_INTERVAL_MS - 359 * 10_000);
    assert.equal(await w.loop.runOnce(), 2);
    assert.equal(w.sent.length, 4);
  });

  it('tries a transport that failed again on the next round, and counts both outcomes', async () => {
    const w = world();
    w.fail(true);
    assert.equal(await w.loop.runOnce(), 1);
    w.fail(false);
    w.resign(1000);
    assert.equal(await w.loop.runOnce(), 1, 'only b, which has not taken this tree yet');
    assert.deepEqual(
      w.sent.map((s) => s.to),
      ['a', 'b'],
    );
    const text = await w.registry.metrics();
    assert.match(text, /grapevine_gossip_submissions_total\{transport="b",result="error"\} 1/);
    assert.match(text, /grapevine_gossip_submissions_total\{transport="b",result="ok"\} 1/);
  });

  it('sends to every transport when forced', async () => {
    const w = world();
    await w.loop.runOnce();
    assert.equal(await w.loop.runOnce(true), 2);
  });
});
