import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ENTRY_OVERHEAD, GossipPool } from '../../../src/gossip/service/index.ts';

const HOUR = 3_600_000;
const WINDOW = 14 * 24 * HOUR;
const NOW = Date.UTC(2026, 2, 1);

function entry(
  i: number,
  o: { log?: string; size?: number; ts?: number | null; bytes?: number; kind?: 'rfc6962-sth' | 'checkpoint' } = {},
) {
  return {
    key: `k${i}`,
    logId: o.log ?? 'L',
    kind: o.kind ?? ('rfc6962-sth' as const),
    data: Buffer.alloc(o.bytes ?? 100, i),
    head: { size: o.size ?? i, rootHash: Buffer.alloc(32, i), timestampMs: o.ts === undefined ? NOW - i * HOUR : o.ts },
    receivedAtMs: NOW,
    from: 'peer:t',
  };
}

const pool = (maxBytes: number, randomInt = (n: number) => Math.floor(Math.random() * n)) =>
  new GossipPool({ maxBytes, windowMs: WINDOW, randomInt });
const cost = 100 + ENTRY_OVERHEAD;

describe('GossipPool', () => {
  it('holds at most maxBytes and refuses a fresh head rather than flushing fresh ones (draft §10.3)', () => {
    const p = pool(cost * 3);
    for (let i = 1; i <= 3; i++) assert.equal(p.add(entry(i), NOW), 'added');
    assert.equal(p.add(entry(4), NOW), 'full');
    assert.equal(p.size, 3);
    assert.ok(p.bytes <= cost * 3);
    assert.equal(p.add(entry(1), NOW), 'duplicate');
  });

  it('makes room by sweeping stale heads first, then resolved ones, never suspicious ones', () => {
    const p = pool(cost * 3);
    p.add(entry(1, { ts: NOW - WINDOW - 1 }), NOW);
    p.add(entry(2), NOW);
    p.add(entry(3), NOW);
    assert.equal(p.add(entry(4), NOW), 'added', 'the stale head went');
    assert.equal(p.has('k1'), false);
    p.markResolved('k2');
    assert.equal(p.add(entry(5), NOW), 'added', 'the resolved head went');
    assert.equal(p.has('k2'), false);
    assert.equal(p.add(entry(6), NOW), 'full', 'fresh unresolved heads stay');
    // A suspicious head moves to its own budget, making room in the main one.
    assert.equal(p.markSuspicious('k3'), true);
    assert.equal(p.suspiciousBytes, cost);
    assert.equal(p.add(entry(6), NOW), 'added');
    assert.equal(p.has('k3'), true);
    // Suspicious heads outlive the window too.
    assert.equal(p.sweep(NOW + 2 * WINDOW), 3);
    assert.equal(p.has('k3'), true);
  });

  it('indexes heads by log and size for fork checks', () => {
    const p = pool(cost * 10);
    p.add(entry(1, { size: 7 }), NOW);
    p.add(entry(2, { size: 7 }), NOW);
    p.add(entry(3, { size: 7, log: 'other' }), NOW);
    assert.deepEqual(
      p.sameSize('L', 7).map((e) => e.key),
      ['k1', 'k2'],
    );
    assert.deepEqual(p.sameSize('L', 8), []);
  });

  it('pollinates at most one head per log per hour (draft §2.4, the 336-per-window bound)', () => {
    const p = pool(cost * 100);
    const times = [0, 10 * 60_000, 59 * 60_000, 60 * 60_000, 61 * 60_000, 200 * 60_000];
    times.forEach((t, i) => {
      p.add(entry(i + 1, { ts: NOW - 300 * 60_000 + t }), NOW);
    });
    const picked = p.select(100, NOW, (e) => e.pollinate).map((e) => e.head.timestampMs);
    assert.equal(picked.length, 3);
    p.add(entry(50, { log: 'M', ts: NOW - 5 }), NOW);
    assert.equal(p.select(100, NOW, (e) => e.pollinate).length, 4);
  });

  it('selects uniformly among the fresh heads that pass the filter, each at most once', () => {
    const p = pool(cost * 100, (n) => n - 1);
    for (let i = 1; i <= 10; i++) p.add(entry(i, { ts: NOW - i * 2 * HOUR }), NOW);
    const sel = p.select(4, NOW, () => true);
    assert.equal(sel.length, 4);
    assert.equal(new Set(sel.map((e) => e.key)).size, 4);
    assert.equal(p.select(50, NOW, () => true).length, 10);
    assert.equal(p.select(50, NOW + WINDOW, () => true).length, 0, 'stale heads are never handed out');
  });
});
