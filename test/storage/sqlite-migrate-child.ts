/**
 * Child process for the SQLite migration race test: plays a second process
 * that opens the same new database file and migrates it. It takes the write
 * lock, prints "locked", holds the lock for `holdMs` (so the parent's open
 * runs into it), then applies every migration and commits.
 * argv: dbFile holdMs
 */
import { openSqlite } from '../../src/storage/sqlite/driver.ts';
import { MIGRATIONS } from '../../src/storage/sqlite/schema.ts';

const [file, holdMs] = process.argv.slice(2);
const db = openSqlite(file);
db.exec('PRAGMA journal_mode = WAL');
db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)');
db.exec('BEGIN IMMEDIATE');
process.stdout.write('locked\n');
Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, Number(holdMs));
MIGRATIONS.forEach((m, v) => {
  db.exec(m);
  db.prepare('INSERT INTO schema_version (version) VALUES (?)').run(v + 1);
});
db.exec('COMMIT');
db.close();
