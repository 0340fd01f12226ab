/**
 * The HeadStore contract suite (head-store-contract.ts) on every backend:
 * memory, SQLite (file, file with swaps on the writer thread, :memory:) and PostgreSQL (one fresh schema per
 * suite), plus what the SQLite store adds: swaps group-committed in one
 * transaction, a database migrated from schema version 2.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Log } from '../../src/log/index.ts';
import { hashLeaf } from '../../src/merkle/index.ts';
import { openHeadStore, openStorage } from '../../src/storage/index.ts';
import { MemoryHeadStore } from '../../src/storage/memory/head-store.ts';
import { openSqlite } from '../../src/storage/sqlite/driver.ts';
import { MIGRATIONS } from '../../src/storage/sqlite/schema.ts';
import { newSigner } from '../support/keys.ts';
import { tempDir } from '../support/temp-dir.ts';
import { headStoreContract } from './head-store-contract.ts';
import { createTestDatabase, pgSkip, reportSkipped, type TestDatabase } from './pg-harness.ts';

headStoreContract('memory', async () => new MemoryHeadStore(), { callOrder: true });

let file = '';
headStoreContract(
  'sqlite (file)',
  () => {
    file = join(tempDir('gv-heads-'), 'heads.db');
    return openHeadStore(`sqlite:${file}`);
  },
  { reopen: () => openHeadStore(`sqlite:${file}`), callOrder: true },
);
let threadedFile = '';
headStoreContract(
  'sqlite (file, swaps on the writer thread)',
  () => {
    threadedFile = join(tempDir('gv-heads-thread-'), 'heads.db');
    return openHeadStore(`sqlite:${threadedFile}`, { writerThread: true });
  },
  { reopen: () => openHeadStore(`sqlite:${threadedFile}`, { writerThread: true }), callOrder: true },
);
headStoreContract('sqlite (:memory:)', () => openHeadStore('sqlite::memory:'), { callOrder: true });

if (pgSkip('test/storage/head-store.test.ts')) {
  describe('HeadStore contract: postgres', () => reportSkipped('the HeadStore contract suite against PostgreSQL'));
} else {
  let db: TestDatabase;
  before(async () => {
    db = await createTestDatabase('gv_heads');
  });
  after(async () => db.drop());
  let url = '';
  headStoreContract(
    'postgres',
    async () => {
      url = await db.freshSchema();
      return openHeadStore(url);
    },
    { reopen: () => openHeadStore(url) },
  );
}

describe('SqliteHeadStore', () => {
  it('shares a database file with the log storage, and migrates a file built at schema version 2', async () => {
    const path = join(tempDir('gv-heads-v2-'), 'site.db');
    const v2 = openSqlite(path);
    v2.exec('CREATE TABLE schema_version (version INTEGER NOT NULL)');
    for (const [i, m] of MIGRATIONS.slice(0, 2).entries()) {
      v2.exec(m);
      v2.prepare('INSERT INTO schema_version (version) VALUES (?)').run(i + 1);
    }
    v2.close();
    const heads = await openHeadStore(`sqlite:${path}`);
    const logs = await openStorage(`sqlite:${path}`);
    try {
      const tree = await Log.create(logs, 'shared', 'log', newSigner());
      assert.equal(
        await heads.compareAndSwap('origin', 0, { size: 1, rootHash: hashLeaf(Buffer.from('r')), body: Buffer.from('b') }),
        true,
      );
      assert.equal((await heads.get('origin'))?.revision, 1);
      assert.equal((await logs.getTree('shared'))?.id, tree.id);
    } finally {
      await heads.close();
      await logs.close();
    }
    const raw = openSqlite(path);
    assert.equal(raw.prepare('SELECT max(version) AS v FROM schema_version').get()?.v, MIGRATIONS.length);
    raw.close();
  });
});
