import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { isError } from '../../src/errors.ts';
import { Log, StorageError } from '../../src/log/index.ts';
import { openStorage } from '../../src/storage/index.ts';
import { ThreadedSqliteStorage } from '../../src/storage/sqlite/writer-thread.ts';
import { leafValue } from '../log/fixtures.ts';
import { newSigner } from '../support/keys.ts';
import { tempDir } from '../support/temp-dir.ts';
import { storageContract } from './contract.ts';

let file = '';
storageContract(
  'sqlite (file, WAL)',
  () => {
    file = join(tempDir('gv-sqlite-'), 'log.db');
    return openStorage(`sqlite:${file}`);
  },
  () => openStorage(`sqlite:${file}`),
);
storageContract('sqlite (:memory:)', () => openStorage('sqlite::memory:'));

let threadedFile = '';
storageContract(
  'sqlite (file, writes on a writer thread)',
  () => {
    threadedFile = join(tempDir('gv-sqlite-thread-'), 'log.db');
    return openStorage(`sqlite:${threadedFile}`, { writerThread: true });
  },
  () => openStorage(`sqlite:${threadedFile}`, { writerThread: true }),
);

describe('ThreadedSqliteStorage', () => {
  const fresh = () => join(tempDir('gv-sqlite-thread-'), 'log.db');

  it('fails the writes in flight with StorageError UNAVAILABLE when its thread dies, then starts a new one and loses nothing acknowledged', async () => {
    const s = (await openStorage(`sqlite:${fresh()}`, { writerThread: true })) as ThreadedSqliteStorage;
    const signer = newSigner();
    await Log.create(s, 't', 'log', signer);
    const log = await Log.open(s, 't', signer);
    const before = await log.queueLeaves(Array.from({ length: 100 }, (_, i) => ({ value: leafValue(i) })));
    // Posted after the kill began, so the dying thread never answers it: deterministic.
    const killed = s.killWriter();
    const inFlight = s.acquireLease(log.tree.id, 'holder', 1000);
    await killed;
    await assert.rejects(inFlight, (e) => isError(e, StorageError, 'UNAVAILABLE'));
    // The next write starts a new thread; acknowledged leaves are all there and are not queued twice.
    const again = await log.queueLeaves(Array.from({ length: 100 }, (_, i) => ({ value: leafValue(i) })));
    assert.ok(
      again.every((r) => r.duplicate),
      'acknowledged leaves survived the thread',
    );
    assert.deepEqual(
      again.map((r) => r.leaf.queuedAt),
      before.map((r) => r.leaf.queuedAt),
    );
    await s.ping();
    await s.close();
  });

  it('refuses :memory: (two connections cannot share it) with StorageError SCHEMA', async () => {
    await assert.rejects(ThreadedSqliteStorage.open(':memory:'), (e) => isError(e, StorageError, 'SCHEMA'));
  });

  it('reports a file that is not a database with StorageError CORRUPT, from the reader before any thread starts', async () => {
    const file = fresh();
    writeFileSync(file, Buffer.alloc(4096, 0x5a));
    await assert.rejects(openStorage(`sqlite:${file}`, { writerThread: true }), (e) => isError(e, StorageError, 'CORRUPT'));
  });

  it('refuses calls after close with StorageError UNAVAILABLE', async () => {
    const s = await openStorage(`sqlite:${fresh()}`, { writerThread: true });
    await s.close();
    await assert.rejects(s.acquireLease(1, 'x', 1000), (e) => isError(e, StorageError, 'UNAVAILABLE'));
  });
});
