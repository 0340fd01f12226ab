/**
 * The pieces under the published read API: entry bundles (c2sp.org/tlog-tiles),
 * and Log.readTile, the core's stored tiles read at a tree size.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LogError } from '../../src/log/index.ts';
import { hashLeaf } from '../../src/merkle/index.ts';
import { encodeEntryBundle, PublishError } from '../../src/publish/index.ts';
import { openStorage } from '../../src/storage/index.ts';
import { drain, leafValue, newLog } from '../log/fixtures.ts';
import { assertThrowsCode } from '../support/assert-code.ts';

describe('encodeEntryBundle', () => {
  it('writes each entry after its big-endian uint16 length', () => {
    assert.deepEqual(
      encodeEntryBundle([Buffer.from('ab'), Buffer.alloc(0), Buffer.alloc(300, 7)]),
      Buffer.concat([Buffer.from([0, 2, 97, 98, 0, 0, 1, 44]), Buffer.alloc(300, 7)]),
    );
  });

  it('refuses an entry longer than 65535 bytes', () => {
    assertThrowsCode(() => encodeEntryBundle([Buffer.alloc(65_536)]), PublishError, 'ENTRY_TOO_LARGE');
    assert.equal(encodeEntryBundle([Buffer.alloc(65_535)]).length, 65_537);
  });
});

describe('Log.readTile', () => {
  it('serves a stored tile at any width the tree of a size has, and refuses wider ones', async () => {
    const storage = await openStorage('sqlite::memory:');
    try {
      const { log, seq } = await newLog(storage);
      await log.queueLeaves(Array.from({ length: 300 }, (_, i) => ({ value: leafValue(i), identityHash: hashLeaf(leafValue(i)) })));
      await drain(seq);
      const hashes = Array.from({ length: 300 }, (_, i) => hashLeaf(leafValue(i)));
      assert.deepEqual(await log.readTile(0, 1, 44, 300), Buffer.concat(hashes.slice(256, 300)));
      assert.deepEqual(await log.readTile(0, 1, 10, 266), Buffer.concat(hashes.slice(256, 266)));
      assert.deepEqual(await log.readTile(0, 0, 256, 300), Buffer.concat(hashes.slice(0, 256)));
      assert.equal((await log.readTile(1, 0, 1, 300)).length, 32);
      for (const [level, index, width, size] of [
        [0, 1, 45, 300],
        [0, 1, 11, 266],
        [0, 2, 1, 300],
        [1, 0, 2, 300],
        [0, 0, 1, 301],
      ]) {
        await assert.rejects(log.readTile(level, index, width, size), (e) => e instanceof LogError && e.code === 'BAD_REQUEST');
      }
    } finally {
      await storage.close();
    }
  });
});
