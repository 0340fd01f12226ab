/**
 * Log.queueLeaves: input checks and the group commit. Calls that arrive
 * while a write is in flight share the next storage transaction, so one
 * caller's bad leaf must be refused before it joins a batch: otherwise it
 * fails every other caller's leaves with it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isError } from '../../src/errors.ts';
import { type LeafInput, LogError } from '../../src/log/index.ts';
import { openStorage } from '../../src/storage/index.ts';
import { newLog } from './fixtures.ts';

const bad: { desc: string; input: Record<string, unknown> }[] = [
  { desc: 'a queuedAt that is not a number', input: { value: Buffer.from('v'), queuedAt: Number.NaN } },
  { desc: 'a fractional queuedAt', input: { value: Buffer.from('v'), queuedAt: 1.5 } },
  { desc: 'a negative queuedAt', input: { value: Buffer.from('v'), queuedAt: -1 } },
  { desc: 'a queuedAt beyond 2^53', input: { value: Buffer.from('v'), queuedAt: 2 ** 60 } },
  { desc: 'a value that is not bytes', input: { value: 'text' } },
  { desc: 'a missing value', input: {} },
  { desc: 'an identity hash of 31 bytes', input: { value: Buffer.from('v'), identityHash: Buffer.alloc(31) } },
  { desc: 'an identity hash that is not bytes', input: { value: Buffer.from('v'), identityHash: 'a'.repeat(32) } },
  { desc: 'extra data that is not bytes', input: { value: Buffer.from('v'), extraData: 42 } },
  { desc: 'a label that is not a string', input: { value: Buffer.from('v'), label: 7 } },
];

describe('Log.queueLeaves', () => {
  for (const c of bad) {
    it(`refuses ${c.desc} with LogError BAD_REQUEST, and a concurrent caller's leaf is still queued`, async () => {
      const s = await openStorage('sqlite::memory:');
      const { log } = await newLog(s);
      const [refused, ok] = await Promise.allSettled([
        log.queueLeaf(c.input as unknown as LeafInput),
        log.queueLeaf({ value: Buffer.from('a good leaf') }),
      ]);
      assert.equal(refused.status, 'rejected');
      assert.ok(
        isError((refused as PromiseRejectedResult).reason, LogError, 'BAD_REQUEST'),
        String((refused as PromiseRejectedResult).reason),
      );
      assert.equal(ok.status, 'fulfilled', String((ok as PromiseRejectedResult).reason));
      assert.equal(await s.pendingCount(log.tree.id), 1);
      await s.close();
    });
  }

  it('refuses a whole call when one of its leaves is bad, queueing none of them', async () => {
    const s = await openStorage('sqlite::memory:');
    const { log } = await newLog(s);
    await assert.rejects(log.queueLeaves([{ value: Buffer.from('fine') }, null as unknown as LeafInput]), (e) =>
      isError(e, LogError, 'BAD_REQUEST'),
    );
    assert.equal(await s.pendingCount(log.tree.id), 0);
    await s.close();
  });

  it('accepts a Uint8Array value and stores it as given', async () => {
    const s = await openStorage('sqlite::memory:');
    const { log } = await newLog(s);
    const r = await log.queueLeaf({ value: new Uint8Array([1, 2, 3]) as Buffer, extraData: new Uint8Array([4]) as Buffer });
    assert.ok(Buffer.from([1, 2, 3]).equals(r.leaf.value));
    const stored = await log.getLeafByIdentityHash(r.leaf.identityHash);
    assert.ok(stored?.value.equals(Buffer.from([1, 2, 3])));
    assert.ok(stored?.extraData?.equals(Buffer.from([4])));
    await s.close();
  });
});
