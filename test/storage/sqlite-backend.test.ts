/**
 * SQLite-specific behaviour beyond the shared contract: opening and
 * migrating a file that several processes share, migrating a database from
 * an older schema version, the query plan of latestLeafByLabel, and typed
 * errors for what the file system and SQLite report.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, it } from 'node:test';
import { isError } from '../../src/errors.ts';
import { Log, StorageError } from '../../src/log/index.ts';
import { hashLeaf } from '../../src/merkle/index.ts';
import { openStorage } from '../../src/storage/index.ts';
import { openSqlite } from '../../src/storage/sqlite/driver.ts';
import { sqliteError } from '../../src/storage/sqlite/errors.ts';
import { MIGRATIONS } from '../../src/storage/sqlite/schema.ts';
import { LATEST_BY_LABEL_SQL } from '../../src/storage/sqlite/sqlite-storage.ts';
import { newSigner } from '../support/keys.ts';
import { tempDir } from '../support/temp-dir.ts';

const CHILD = new URL('./sqlite-migrate-child.ts', import.meta.url).pathname;
const tmp = () => tempDir('gv-sqlite-backend-');

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
    const raw = openSqlite(file);
    raw.prepare('INSERT INTO schema_version (version) VALUES (?)').run(999);
    raw.close();
    await assert.rejects(openStorage(`sqlite:${file}`), (e) => isError(e, StorageError, 'SCHEMA'));
  });
});

describe('SqliteStorage migration 2 (label ranks)', () => {
  it('opens a database built at schema version 1, migrates it, and answers its old rows by queue order', async () => {
    const file = join(tmp(), 'v1.db');
    const v1 = openSqlite(file);
    // Exactly what a version-1 binary created and wrote.
    v1.exec('CREATE TABLE schema_version (version INTEGER NOT NULL)');
    v1.exec(MIGRATIONS[0]);
    v1.prepare('INSERT INTO schema_version (version) VALUES (1)').run();
    v1.prepare("INSERT INTO trees (name, personality, public_key, created_at, revision) VALUES ('old', 'hub', X'00', 1, 0)").run();
    const insert = v1.prepare(
      'INSERT INTO leaves (tree_id, identity_hash, leaf_hash, value, extra_data, label, queued_at) VALUES (1, ?, ?, ?, NULL, ?, 7)',
    );
    for (const [v, label] of [
      ['o1', 'src'],
      ['o2', 'src'],
      ['x1', 'other'],
      ['o3', 'src'],
      ['x2', null],
    ] as const) {
      insert.run(hashLeaf(Buffer.from(`id:${v}`)), hashLeaf(Buffer.from(v)), Buffer.from(v), label);
    }
    v1.close();

    const s = await openStorage(`sqlite:${file}`);
    try {
      const latest = await s.latestLeafByLabel(1, 'src');
      assert.equal(latest?.value.toString(), 'o3', 'old rows answer by queue order');
      assert.equal(latest?.labelRank.length, 0);
      assert.equal((await s.latestLeafByLabel(1, 'other'))?.value.toString(), 'x1');
      // New unranked rows still follow queue order; a ranked one then answers over every unranked one.
      const leaf = (v: string, labelRank?: Buffer) => ({
        identityHash: hashLeaf(Buffer.from(`id:${v}`)),
        leafHash: hashLeaf(Buffer.from(v)),
        value: Buffer.from(v),
        extraData: null,
        label: 'src',
        queuedAt: 8,
        ...(labelRank ? { labelRank } : {}),
      });
      await s.queueLeaves(1, [leaf('n1')]);
      assert.equal((await s.latestLeafByLabel(1, 'src'))?.value.toString(), 'n1');
      await s.queueLeaves(1, [leaf('ranked', Buffer.from([1])), leaf('n2')]);
      assert.equal((await s.latestLeafByLabel(1, 'src'))?.value.toString(), 'ranked');
    } finally {
      await s.close();
    }
    const raw = openSqlite(file);
    try {
      assert.equal(raw.prepare('SELECT max(version) AS v FROM schema_version').get()?.v, MIGRATIONS.length);
      const cols = raw
        .prepare("SELECT name FROM pragma_index_info('leaves_by_label') ORDER BY seqno")
        .all()
        .map((r) => r.name);
      assert.deepEqual(cols, ['tree_id', 'label', 'label_rank', 'queue_id']);
    } finally {
      raw.close();
    }
  });

  it('answers latestLeafByLabel with one index seek in leaves_by_label, without sorting', async () => {
    const file = join(tmp(), 'plan.db');
    const s = await openStorage(`sqlite:${file}`);
    const tree = await Log.create(s, 'plan', 'hub', newSigner());
    // Realistic statistics: many labels, many ranked leaves each.
    const leaves = Array.from({ length: 3000 }, (_, i) => ({
      identityHash: hashLeaf(Buffer.from(`id:${i}`)),
      leafHash: hashLeaf(Buffer.from(`${i}`)),
      value: Buffer.from(`${i}`),
      extraData: null,
      label: `src${i % 30}`,
      labelRank: Buffer.from([i % 251, i % 7]),
      queuedAt: i,
    }));
    await s.queueLeaves(tree.id, leaves);
    await s.close();
    const raw = openSqlite(file);
    try {
      for (const analyzed of [false, true]) {
        if (analyzed) raw.exec('ANALYZE');
        const plan = (raw.prepare(`EXPLAIN QUERY PLAN ${LATEST_BY_LABEL_SQL}`).all(tree.id, 'src3') as { detail: string }[]).map(
          (r) => r.detail,
        );
        assert.deepEqual(plan, ['SEARCH leaves USING INDEX leaves_by_label (tree_id=? AND label=?)'], `analyzed: ${analyzed}`);
      }
    } finally {
      raw.close();
    }
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
    for (const err of [
      Object.assign(new Error('x'), { code: 'SQLITE_CONSTRAINT_UNIQUE' }),
      new RangeError('Too few parameter values'),
      Object.assign(new Error('x'), { code: 'SQLITE_BUSYNESS' }),
    ]) {
      assert.equal(sqliteError(err, 'op'), err);
    }
  });
});
