/**
 * The shared LogStorage contract suite (contract.ts) against PostgreSQL,
 * one fresh schema per suite in a database created for this file.
 */
import { after, before, describe } from 'node:test';
import { openStorage } from '../../src/storage/index.ts';
import { storageContract } from './contract.ts';
import { createTestDatabase, pgSkip, reportSkipped, type TestDatabase } from './pg-harness.ts';

if (pgSkip('test/storage/postgres.test.ts')) {
  describe('LogStorage contract: postgres', () => reportSkipped('the shared contract suite against PostgreSQL'));
} else {
  let db: TestDatabase;
  before(async () => {
    db = await createTestDatabase();
  });
  after(async () => db.drop());
  storageContract('postgres', async () => openStorage(await db.freshSchema()));
  storageContract('postgres (pool of 2)', async () => openStorage(await db.freshSchema(), { poolSize: 2 }));
}
