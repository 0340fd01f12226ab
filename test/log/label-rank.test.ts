/**
 * LeafInput.labelRank: checked before the leaf joins a group commit (a bad
 * rank must not fail other callers' leaves), bounded by MAX_LABEL_RANK_BYTES,
 * and handed to storage as given (empty by default).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isError } from '../../src/errors.ts';
import { type LeafInput, LogError, MAX_LABEL_RANK_BYTES } from '../../src/log/index.ts';
import { openStorage } from '../../src/storage/index.ts';
import { newLog } from './fixtures.ts';

const bad: { desc: string; labelRank: unknown }[] = [
  { desc: `a label rank of ${MAX_LABEL_RANK_BYTES + 1} bytes`, labelRank: Buffer.alloc(MAX_LABEL_RANK_BYTES + 1, 1) },
  { desc: 'a label rank that is a string', labelRank: 'ff' },
  { desc: 'a label rank that is a number', labelRank: 255 },
  { desc: 'a label rank that is null', labelRank: null },
];

describe('Log.queueLeaves labelRank', () => {
  for (const c of bad) {
    it(`refuses ${c.desc} with LogError BAD_REQUEST, and a concurrent caller's leaf is still queued`, async () => {
      const s = await openStorage('sqlite::memory:');
      const { log } = await newLog(s);
      const [refused, ok] = await Promise.allSettled([
        log.queueLeaf({ value: Buffer.from('v'), label: 'L', labelRank: c.labelRank } as unknown as LeafInput),
        log.queueLeaf({ value: Buffer.from('a good leaf'), label: 'L' }),
      ]);
      assert.equal(refused.status, 'rejected');
      const reason = (refused as PromiseRejectedResult).reason;
      assert.ok(isError(reason, LogError, 'BAD_REQUEST'), String(reason));
      assert.equal(ok.status, 'fulfilled', String((ok as PromiseRejectedResult).reason));
      assert.equal(await s.pendingCount(log.tree.id), 1);
      await s.close();
    });
  }

  it(`accepts a rank of exactly ${MAX_LABEL_RANK_BYTES} bytes, and a Uint8Array, storing them as given`, async () => {
    const s = await openStorage('sqlite::memory:');
    const { log } = await newLog(s);
    const longest = Buffer.alloc(MAX_LABEL_RANK_BYTES, 0xab);
    const [a, b] = await log.queueLeaves([
      { value: Buffer.from('longest'), label: 'L', labelRank: longest },
      { value: Buffer.from('typed'), label: 'M', labelRank: new Uint8Array([7, 8]) as Buffer },
    ]);
    assert.ok(a.leaf.labelRank.equals(longest));
    assert.ok(Buffer.isBuffer(b.leaf.labelRank) && b.leaf.labelRank.equals(Buffer.from([7, 8])));
    assert.ok((await log.getLatestByLabel('L'))?.labelRank.equals(longest));
    assert.ok((await log.getLatestByLabel('M'))?.labelRank.equals(Buffer.from([7, 8])));
    await s.close();
  });

  it('defaults to the empty rank', async () => {
    const s = await openStorage('sqlite::memory:');
    const { log } = await newLog(s);
    const r = await log.queueLeaf({ value: Buffer.from('plain'), label: 'L' });
    assert.equal(r.leaf.labelRank.length, 0);
    assert.equal((await log.getLatestByLabel('L'))?.labelRank.length, 0);
    await s.close();
  });
});
