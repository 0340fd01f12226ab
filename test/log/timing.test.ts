/**
 * treeTiming (src/log/timing.ts): every tree's sequencer interval, lease,
 * root age and watchdog period follow its MMD, and a timing whose worst-case
 * takeover does not fit the MMD with margin is refused.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isError, SetupError } from '../../src/errors.ts';
import { minimumMmdMs, TAKEOVER_RUN_ALLOWANCE_MS, treeTiming } from '../../src/log/index.ts';

describe('treeTiming', () => {
  const derived = [
    {
      desc: 'the default MMD (10 s)',
      mmd: 10_000,
      want: { intervalMs: 200, leaseTtlMs: 4800, maxRootAgeMs: 10_000, watchIntervalMs: 1000 },
    },
    // Issue 8 §4: with a fixed 5 s lease, killing the leader made SCTs of a 4 s MMD merge 5 s late.
    { desc: 'a 4 s MMD', mmd: 4000, want: { intervalMs: 200, leaseTtlMs: 1800, maxRootAgeMs: 4000, watchIntervalMs: 400 } },
    { desc: 'a 2 s MMD', mmd: 2000, want: { intervalMs: 200, leaseTtlMs: 800, maxRootAgeMs: 2000, watchIntervalMs: 200 } },
    {
      desc: 'a 1.8 s MMD (interval MMD/10)',
      mmd: 1800,
      want: { intervalMs: 180, leaseTtlMs: 620, maxRootAgeMs: 1800, watchIntervalMs: 180 },
    },
    { desc: 'a day', mmd: 86_400_000, want: { intervalMs: 200, leaseTtlMs: 5000, maxRootAgeMs: 86_400_000, watchIntervalMs: 1000 } },
  ];
  for (const tc of derived) {
    it(`derives interval, lease, root age and watchdog period from ${tc.desc}`, () => {
      const t = treeTiming(tc.mmd);
      assert.deepEqual(
        { intervalMs: t.intervalMs, leaseTtlMs: t.leaseTtlMs, maxRootAgeMs: t.maxRootAgeMs, watchIntervalMs: t.watchIntervalMs },
        tc.want,
      );
      assert.equal(t.takeoverMs, t.leaseTtlMs + t.intervalMs);
      assert.ok(t.takeoverMs <= tc.mmd - Math.max(TAKEOVER_RUN_ALLOWANCE_MS, tc.mmd / 2), 'the takeover leaves its margin');
    });
  }

  it('keeps overrides that fit', () => {
    const t = treeTiming(10_000, { intervalMs: 20, leaseTtlMs: 1500, maxRootAgeMs: 0, watchIntervalMs: 10 });
    assert.deepEqual([t.intervalMs, t.leaseTtlMs, t.maxRootAgeMs, t.watchIntervalMs, t.takeoverMs], [20, 1500, 0, 10, 1520]);
  });

  const refused = [
    { desc: 'an MMD of 0', mmd: 0, o: {} },
    { desc: 'a fractional MMD', mmd: 1000.5, o: {} },
    { desc: 'an MMD too short for any takeover (1 s)', mmd: 1000, o: {} },
    { desc: 'the old fixed 5 s lease under a 4 s MMD', mmd: 4000, o: { leaseTtlMs: 5000 } },
    { desc: 'a lease that leaves no room for the first run (10 s MMD, 4.9 s lease)', mmd: 10_000, o: { leaseTtlMs: 4900 } },
    { desc: 'an interval longer than half the MMD (hub config)', mmd: 2000, o: { intervalMs: 1000 } },
    { desc: 'a lease shorter than three intervals', mmd: 10_000, o: { intervalMs: 200, leaseTtlMs: 500 } },
    { desc: 'a negative interval', mmd: 10_000, o: { intervalMs: -1 } },
    { desc: 'a watchdog period of 0', mmd: 10_000, o: { watchIntervalMs: 0 } },
  ];
  for (const tc of refused) {
    it(`refuses ${tc.desc} with SetupError BAD_CONFIG`, () => {
      assert.throws(
        () => treeTiming(tc.mmd, tc.o),
        (e) => isError(e, SetupError, 'BAD_CONFIG'),
      );
    });
  }

  it('names the takeover, the lease, the interval and the budget when the MMD is too short', () => {
    assert.throws(
      () => treeTiming(4000, { leaseTtlMs: 5000 }),
      (e: Error) => /takeover takes up to 5200 ms \(lease 5000 ms \+ interval 200 ms\), want at most 2000 ms/.test(e.message),
    );
  });

  it('accepts every default from the tightest MMD up, and refuses the MMD just below it', () => {
    const min = minimumMmdMs();
    assert.ok(min > TAKEOVER_RUN_ALLOWANCE_MS && min < 2000, `tightest MMD ${min} ms`);
    assert.doesNotThrow(() => treeTiming(min));
    assert.throws(() => treeTiming(min - 1), SetupError);
    for (const mmd of [min + 1, min + 7, 2000, 2001, 3333, 10_000, 60_000]) assert.doesNotThrow(() => treeTiming(mmd), `${mmd} ms`);
  });
});
