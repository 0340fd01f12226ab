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
  let url = '';
  storageContract(
    'postgres',
    async () => {
      url = await db.freshSchema();
      return openStorage(url);
    },
    () => openStorage(url),
  );
  let url2 = '';
  storageContract(
    'postgres (pool of 2)',
    async () => {
      url2 = await db.freshSchema();
      return openStorage(url2, { poolSize: 2 });
    },
    () => openStorage(url2, { poolSize: 2 }),
  );
}
