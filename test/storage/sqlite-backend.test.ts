/**
 * SQLite-specific behaviour beyond the shared contract: opening and
 * migrating a file that several processes share, and typed errors for what
 * the file system and SQLite report.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, it } from 'node:test';
import { isError } from '../../src/errors.ts';
import { Log, StorageError } from '../../src/log/index.ts';
import { openStorage } from '../../src/storage/index.ts';
import { sqliteError } from '../../src/storage/sqlite/errors.ts';
import { newSigner } from '../log/fixtures.ts';

const CHILD = new URL('./sqlite-migrate-child.ts', import.meta.url).pathname;
const tmp = () => mkdtempSync(join(tmpdir(), 'gv-sqlite-backend-'));

describe('SqliteStorage.open', () => {
  it('opens a new file that another process is migrating at the same moment', { timeout: 20_000 }, async () => {
    const file = join(tmp(), 'shared.db');
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, file, '400'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    await new Promise<void>((resolve, reject) => {
      createInterface({ input: child.stdout }).on('line', (l) => l === 'locked' && resolve());
      child.on('exit', () => reject(new Error('migrating child exited before it took the lock')));
    });
    // The child holds the write lock and has not migrated yet; this open waits for it (busy_timeout).
    const s = await openStorage(`sqlite:${file}`);
    assert.equal(await exited, 0);
    const tree = await Log.create(s, 'after-race', 'log', newSigner());
    assert.equal((await s.getTree('after-race'))?.id, tree.id);
    await s.close();
  });

  it('refuses a URL with no file (SQLite would make a temporary database, lost on close) with StorageError SCHEMA', async () => {
    for (const url of ['sqlite:', 'sqlite: ']) await assert.rejects(openStorage(url), (e) => isError(e, StorageError, 'SCHEMA'), url);
  });

  it('refuses a path in a directory that does not exist with StorageError UNAVAILABLE', async () => {
    await assert.rejects(openStorage(`sqlite:${join(tmp(), 'no', 'such', 'dir', 'x.db')}`), (e) => isError(e, StorageError, 'UNAVAILABLE'));
  });

  it('refuses a file that is not a database with StorageError CORRUPT', async () => {
    const file = join(tmp(), 'junk.db');
    writeFileSync(file, Buffer.alloc(4096, 0x5a));
    await assert.rejects(openStorage(`sqlite:${file}`), (e) => isError(e, StorageError, 'CORRUPT'));
  });

  it('refuses a database whose schema is newer than this binary with StorageError SCHEMA', async () => {
    const file = join(tmp(), 'new.db');
    const s = await openStorage(`sqlite:${file}`);
    await s.close();
    const { default: Database } = await import('better-sqlite3');
    const raw = new Database(file);
    raw.prepare('INSERT INTO schema_version (version) VALUES (?)').run(999);
    raw.close();
    await assert.rejects(openStorage(`sqlite:${file}`), (e) => isError(e, StorageError, 'SCHEMA'));
  });
});

describe('sqliteError', () => {
  const cases = [
    { code: 'SQLITE_BUSY', want: 'UNAVAILABLE' },
    { code: 'SQLITE_BUSY_SNAPSHOT', want: 'UNAVAILABLE' },
    { code: 'SQLITE_LOCKED_SHAREDCACHE', want: 'UNAVAILABLE' },
    { code: 'SQLITE_IOERR', want: 'UNAVAILABLE' },
    { code: 'SQLITE_IOERR_FSYNC', want: 'UNAVAILABLE' },
    { code: 'SQLITE_IOERR_SHORT_READ', want: 'UNAVAILABLE' },
    { code: 'SQLITE_FULL', want: 'UNAVAILABLE' },
    { code: 'SQLITE_CANTOPEN_ISDIR', want: 'UNAVAILABLE' },
    { code: 'SQLITE_READONLY_DBMOVED', want: 'UNAVAILABLE' },
    { code: 'SQLITE_CORRUPT', want: 'CORRUPT' },
    { code: 'SQLITE_CORRUPT_INDEX', want: 'CORRUPT' },
    { code: 'SQLITE_NOTADB', want: 'CORRUPT' },
  ] as const;
  for (const c of cases) {
    it(`maps ${c.code} to StorageError ${c.want}, keeping the cause`, () => {
      const err = Object.assign(new Error('boom'), { code: c.code });
      const got = sqliteError(err, 'op');
      assert.ok(isError(got, StorageError, c.want), String(got));
      assert.equal((got as StorageError).cause, err);
    });
  }

  it('passes programming errors through unchanged (a constraint, a wrong binding)', () => {
    for (const err of [Object.assign(new Error('x'), { code: 'SQLITE_CONSTRAINT_UNIQUE' }), new RangeError('Too few parameter values'), Object.assign(new Error('x'), { code: 'SQLITE_BUSYNESS' })]) {
      assert.equal(sqliteError(err, 'op'), err);
    }
  });
});
