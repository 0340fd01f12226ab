/**
 * The HeadStore contract suite (src/audit/head-store.ts), run against every
 * backend in head-store.test.ts: memory, SQLite, PostgreSQL.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type HeadRecord, type HeadStore, MAX_HEAD_BODY_BYTES } from '../../src/audit/index.ts';
import { isError } from '../../src/errors.ts';
import { StorageError } from '../../src/log/index.ts';
import { hashLeaf } from '../../src/merkle/index.ts';

export type OpenHeadStore = () => Promise<HeadStore & { close(): Promise<void> }>;

const rec = (size: number, tag = ''): HeadRecord => ({
  size,
  rootHash: hashLeaf(Buffer.from(`root ${size}${tag}`)),
  body: Buffer.from(`checkpoint of size ${size}${tag}`),
});

const same = (got: { size: number; rootHash: Uint8Array; body: Uint8Array } | null, want: HeadRecord) =>
  got !== null && got.size === want.size && Buffer.from(got.rootHash).equals(want.rootHash) && Buffer.from(got.body).equals(want.body);

/**
 * `reopen`, when the backend keeps data past close, opens another store on
 * the database the last `open` created (a restart, or a second process).
 * `callOrder`: the backend decides concurrent swaps in call order (the
 * contract allows it, memory and SQLite's group commit do it; PostgreSQL's
 * pooled connections race).
 */
export function headStoreContract(name: string, open: OpenHeadStore, opts: { reopen?: OpenHeadStore; callOrder?: boolean } = {}): void {
  const { reopen, callOrder } = opts;
  describe(`HeadStore contract: ${name}`, () => {
    let s: HeadStore & { close(): Promise<void> };
    let n = 0;
    const key = (what: string) => `${what}-${n++}`;
    before(async () => {
      s = await open();
    });
    after(async () => s.close());

    it('answers null for a key never stored', async () => {
      assert.equal(await s.get(key('none')), null);
    });

    it('stores the first record with expected revision 0 as revision 1, and reads it back', async () => {
      const k = key('first');
      assert.equal(await s.compareAndSwap(k, 0, rec(10)), true);
      const got = await s.get(k);
      assert.equal(got?.key, k);
      assert.equal(got?.revision, 1);
      assert.ok(same(got, rec(10)));
    });

    it('swaps only on the current revision: a stale or future expectation writes nothing', async () => {
      const k = key('cas');
      assert.equal(await s.compareAndSwap(k, 0, rec(1)), true);
      assert.equal(await s.compareAndSwap(k, 0, rec(99)), false, 'expected 0 on an existing key');
      assert.equal(await s.compareAndSwap(k, 2, rec(99)), false, 'a revision not reached yet');
      assert.equal(await s.compareAndSwap(k, 1, rec(2)), true);
      assert.equal(await s.compareAndSwap(k, 1, rec(99)), false, 'a stale revision');
      assert.equal(await s.compareAndSwap(k, 2, rec(3)), true);
      const got = await s.get(k);
      assert.equal(got?.revision, 3);
      assert.ok(same(got, rec(3)));
    });

    it('refuses a swap on a missing key with any revision but 0', async () => {
      const k = key('missing');
      assert.equal(await s.compareAndSwap(k, 1, rec(5)), false);
      assert.equal(await s.get(k), null);
    });

    it('lets exactly one of many concurrent swaps on one key and revision win, and stores the winner', async () => {
      for (const expected of [0, 1]) {
        const k = key('race');
        if (expected === 1) assert.equal(await s.compareAndSwap(k, 0, rec(0)), true);
        const tries = Array.from({ length: 25 }, (_, i) => rec(100 + i));
        const won = await Promise.all(tries.map((r) => s.compareAndSwap(k, expected, r)));
        assert.equal(won.filter(Boolean).length, 1, `expected revision ${expected}`);
        const got = await s.get(k);
        assert.equal(got?.revision, expected + 1);
        assert.ok(same(got, tries[won.indexOf(true)]));
      }
    });

    it('decides concurrent swaps of one key in call order', { skip: !callOrder && 'swaps race on this backend' }, async () => {
      const k = key('order');
      // Issued together: the second expects the revision the first makes.
      const [a, b] = await Promise.all([s.compareAndSwap(k, 0, rec(1)), s.compareAndSwap(k, 1, rec(2))]);
      assert.deepEqual([a, b], [true, true]);
      assert.equal((await s.get(k))?.revision, 2);
      // Issued together the other way round: the first expects a revision not reached yet.
      const k2 = key('order');
      const [c, d] = await Promise.all([s.compareAndSwap(k2, 1, rec(2)), s.compareAndSwap(k2, 0, rec(1))]);
      assert.deepEqual([c, d], [false, true]);
      assert.ok(same(await s.get(k2), rec(1)));
    });

    it('keeps keys independent: concurrent swaps of many keys all win, each keeps its own record', async () => {
      const keys = Array.from({ length: 60 }, () => key('many'));
      assert.ok((await Promise.all(keys.map((k, i) => s.compareAndSwap(k, 0, rec(i))))).every(Boolean));
      assert.ok((await Promise.all(keys.map((k, i) => s.compareAndSwap(k, 1, rec(i + 1000))))).every(Boolean));
      for (const [i, k] of keys.entries()) {
        const got = await s.get(k);
        assert.equal(got?.revision, 2);
        assert.ok(same(got, rec(i + 1000)), k);
      }
    });

    it('stores a body of exactly MAX_HEAD_BODY_BYTES and empty ones; refuses a larger one with StorageError TOO_LARGE', async () => {
      const k = key('body');
      const big = { size: 1, rootHash: Buffer.alloc(32, 7), body: Buffer.alloc(MAX_HEAD_BODY_BYTES, 0xab) };
      assert.equal(await s.compareAndSwap(k, 0, big), true);
      assert.ok(same(await s.get(k), big));
      const empty = { size: 0, rootHash: Buffer.alloc(32), body: Buffer.alloc(0) };
      assert.equal(await s.compareAndSwap(k, 1, empty), true);
      assert.ok(same(await s.get(k), empty));
      const tooBig = { ...big, body: Buffer.alloc(MAX_HEAD_BODY_BYTES + 1) };
      await assert.rejects(s.compareAndSwap(k, 2, tooBig), (e) => isError(e, StorageError, 'TOO_LARGE'));
      assert.equal((await s.get(k))?.revision, 2);
    });

    if (reopen) {
      it('keeps every swapped record across close and reopen', async () => {
        const w = await reopen();
        const k = key('durable');
        assert.equal(await w.compareAndSwap(k, 0, rec(7)), true);
        assert.equal(await w.compareAndSwap(k, 1, rec(8)), true);
        await w.close();
        const again = await reopen();
        try {
          const got = await again.get(k);
          assert.equal(got?.revision, 2);
          assert.ok(same(got, rec(8)));
        } finally {
          await again.close();
        }
      });

      it('lets exactly one of two stores on one database win a race on one key (two processes)', async () => {
        const other = await reopen();
        try {
          const k = key('two');
          const won = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? s : other).compareAndSwap(k, 0, rec(i))));
          assert.equal(won.filter(Boolean).length, 1);
          assert.equal((await other.get(k))?.revision, 1);
          assert.ok(same(await s.get(k), rec(won.indexOf(true))));
        } finally {
          await other.close();
        }
      });
    }
  });
}
