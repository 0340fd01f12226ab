/**
 * MergeWatchdog (src/log/watchdog.ts), stepped by hand on a driven clock:
 * when a personality may promise a new entry, and the MMD metrics.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { LogMetrics, MergeWatchdog, StorageError } from '../../src/log/index.ts';

const MMD = 10_000;

function watch(o: { probe: () => Promise<number | null>; fatal?: () => unknown; now?: () => number }) {
  const registry = new Registry();
  const sequencer = {
    get fatal() {
      return o.fatal?.() ?? null;
    },
  };
  const wd = new MergeWatchdog({
    tree: 't',
    mmdMs: MMD,
    intervalMs: 3_600_000,
    probe: o.probe,
    sequencer,
    clock: o.now ?? (() => 1_000_000),
    metrics: new LogMetrics(registry),
  });
  const violations = async () => (await registry.getSingleMetric('grapevine_log_mmd_violations_total')?.get())?.values[0]?.value ?? 0;
  const age = async () => (await registry.getSingleMetric('grapevine_log_oldest_unmerged_seconds')?.get())?.values[0]?.value;
  return { wd, violations, age };
}

describe('MergeWatchdog', () => {
  it('accepts while the oldest unmerged entry is at most MMD/2 old, refuses above, and counts violations past the MMD', async () => {
    const now = 1_000_000;
    let oldest: number | null = null;
    const { wd, violations, age } = watch({ probe: async () => oldest });
    await wd.check();
    assert.equal(await wd.refusal(), null);
    oldest = now - MMD / 2;
    await wd.check();
    assert.equal(wd.accepting, true);
    assert.equal(await age(), 5);
    oldest = now - MMD / 2 - 1;
    await wd.check();
    assert.equal(wd.accepting, false);
    assert.equal((await wd.refusal())?.reason, 'backlog');
    assert.equal(await violations(), 0);
    oldest = now - MMD - 1;
    await wd.check();
    assert.equal(await violations(), 1);
    assert.equal((await wd.refusal())?.reason, 'backlog');
    assert.equal(await violations(), 1, 'the re-probe of a refusal counts no violation (the timer does)');
  });

  it('ends a backlog refusal as soon as its cause ends: a refusal probes again first', async () => {
    let oldest: number | null = 1_000_000 - MMD;
    let probes = 0;
    const { wd } = watch({
      probe: async () => {
        probes++;
        return oldest;
      },
    });
    await wd.check();
    assert.equal(wd.accepting, false);
    oldest = null; // the sequencer caught up; the timer has not run since
    assert.equal(await wd.refusal(), null);
    assert.equal(wd.accepting, true);
    const before = probes;
    assert.equal(await wd.refusal(), null);
    assert.equal(probes, before, 'no I/O while accepting');
  });

  it('shares one probe among concurrent refusals', async () => {
    let release: () => void = () => {};
    let probes = 0;
    const { wd } = watch({
      probe: () => {
        probes++;
        return probes === 1 ? Promise.resolve(0) : new Promise((r) => (release = () => r(0)));
      },
    });
    await wd.check();
    assert.equal(wd.accepting, false);
    const all = Promise.all([wd.refusal(), wd.refusal(), wd.refusal()]);
    await new Promise((r) => setImmediate(r));
    release();
    const got = await all;
    assert.equal(probes, 2);
    for (const r of got) assert.equal(r?.reason, 'backlog');
  });

  it('keeps its state when a probe fails', async () => {
    let fail = false;
    const { wd } = watch({
      probe: async () => {
        if (fail) throw new StorageError('UNAVAILABLE', 'down');
        return 0;
      },
    });
    await wd.check();
    assert.equal(wd.accepting, false);
    fail = true;
    await wd.check();
    assert.equal(wd.accepting, false);
    assert.equal((await wd.refusal())?.reason, 'backlog');
  });

  it('refuses at once and for good once the sequencer stopped on a fatal error, whatever the backlog', async () => {
    let fatal: unknown = null;
    const { wd } = watch({ probe: async () => null, fatal: () => fatal });
    await wd.check();
    assert.equal(await wd.refusal(), null);
    fatal = new StorageError('CORRUPT', 'a tile disagrees with the compact range');
    const r = await wd.refusal();
    assert.equal(r?.reason, 'stopped');
    assert.match(r?.message ?? '', /fatal error \(CORRUPT\)/);
    assert.ok(wd.stopped);
  });

  it('refuses nothing without a probe and without a fatal sequencer', async () => {
    const wd = new MergeWatchdog({ tree: 't', mmdMs: MMD, intervalMs: 1000, probe: null });
    await wd.start();
    assert.equal(await wd.refusal(), null);
    await wd.stop();
  });
});
