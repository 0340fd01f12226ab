/**
 * Child process for the SQLite driver test: opens a database both ways
 * (writes on the event loop, and on a writer thread), queues a leaf with an
 * empty label rank through each, then reports on stdout which driver ran and
 * whether better-sqlite3's native addon was ever mapped into the process
 * (any thread), and finally emits a warning of its own, which must still
 * reach stderr. argv: dir
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Log } from '../../src/log/index.ts';
import { openStorage } from '../../src/storage/index.ts';
import { SqliteStorage } from '../../src/storage/sqlite/sqlite-storage.ts';
import { newSigner } from '../support/keys.ts';

const dir = process.argv[2];
const signer = newSigner();
for (const writerThread of [false, true]) {
  const s = await openStorage(`sqlite:${join(dir, `${writerThread}.db`)}`, { writerThread });
  await Log.create(s, 't', 'log', signer);
  const log = await Log.open(s, 't', signer);
  await log.queueLeaves([{ value: Buffer.from('leaf'), label: 'L' }]);
  await s.close();
}
const plain = SqliteStorage.open(join(dir, 'false.db'));
const settings = plain.settings();
await plain.close();
const maps = readFileSync('/proc/self/maps', 'utf8');
process.stdout.write(`${JSON.stringify({ ...settings, betterSqliteLoaded: maps.includes('better_sqlite3.node') })}\n`);
process.emitWarning('a warning of the application itself', 'ExperimentalWarning');
