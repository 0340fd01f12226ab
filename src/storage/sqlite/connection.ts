/**
 * Opening a SQLite database the way every part of the SQLite backend uses
 * it (the log storage, its writer thread, the head store): on this process's
 * driver (driver.ts), with the durable settings, migrated to this binary's
 * schema (schema.ts).
 *
 * Durability: journal_mode=WAL with synchronous=FULL fsyncs the log on every
 * commit, so a resolved write survives kill -9 and power loss.
 */
import { StorageError } from '../../log/index.ts';
import { openSqlite, type SqliteDatabase, sqliteDriver } from './driver.ts';
import { sqliteError } from './errors.ts';
import { MIGRATIONS } from './schema.ts';

/** Opens (creating if needed) `path` (or `:memory:`), applies the settings and the missing migrations. */
export function openDatabase(path: string): SqliteDatabase {
  const op = `opening SQLite database ${path}`;
  const driver = sqliteDriver(); // outside the try: a broken install is not an outage
  let db: SqliteDatabase;
  try {
    db = openSqlite(path);
  } catch (err) {
    // better-sqlite3 refuses some paths itself (a missing directory) with a plain TypeError.
    const e = sqliteError(err, op);
    throw e instanceof StorageError ? e : new StorageError('UNAVAILABLE', `${op}: ${(err as Error).message}`, { cause: err });
  }
  try {
    const mode = db.prepare('PRAGMA journal_mode = WAL').get()?.journal_mode;
    if (mode !== 'wal' && path !== ':memory:') {
      throw new StorageError('UNAVAILABLE', `${op}: journal_mode is ${String(mode)}, want wal (${driver.name})`);
    }
    db.exec('PRAGMA synchronous = FULL');
    db.exec('PRAGMA busy_timeout = 10000');
    // 32 MiB page cache: the identity and leaf-hash indexes take random
    // inserts, and the default 2 MiB cache makes most of them page misses.
    // Larger buys little once the indexes outgrow it, and costs RSS.
    db.exec('PRAGMA cache_size = -32768');
    db.exec('PRAGMA foreign_keys = ON');
    // Checkpoint once the WAL holds 64 MiB (16384 pages), not SQLite's 4 MiB:
    // a large queue commit dirties thousands of index pages, and at the default
    // nearly every commit is followed by a checkpoint that copies each of them
    // back to the database file; with a longer WAL a page rewritten by several
    // commits is copied once. Durability is the WAL's, unchanged.
    db.exec('PRAGMA wal_autocheckpoint = 16384');
    migrate(db);
  } catch (err) {
    db.close();
    throw sqliteError(err, op);
  }
  return db;
}

/**
 * Applies the missing migrations. The version is read inside the write
 * transaction: read before it, another process opening the same new file
 * could migrate in between, and this one would then re-run its migrations.
 */
function migrate(db: SqliteDatabase): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)');
  db.immediate(() => {
    const current = (db.prepare('SELECT max(version) AS v FROM schema_version').get()?.v as number | null) ?? 0;
    if (current > MIGRATIONS.length) {
      throw new StorageError('SCHEMA', `database schema version ${current} is newer than this binary's ${MIGRATIONS.length}`);
    }
    for (let v = current; v < MIGRATIONS.length; v++) {
      try {
        db.exec(MIGRATIONS[v]);
      } catch (err) {
        const e = sqliteError(err, `migration ${v + 1}`);
        throw e instanceof StorageError
          ? e
          : new StorageError('SCHEMA', `migration ${v + 1} failed: ${(err as Error).message}`, { cause: err });
      }
      db.prepare('INSERT INTO schema_version (version) VALUES (?)').run(v + 1);
    }
  });
}
