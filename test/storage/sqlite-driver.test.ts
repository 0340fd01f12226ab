/**
 * The SQLite driver choice (src/storage/sqlite/driver.ts), in a child
 * process of the Node running the tests: node:sqlite wherever the runtime
 * has it, better-sqlite3 never loaded there (it aborts Node 24), durable
 * settings in force on either, node's ExperimentalWarning for node:sqlite
 * dropped while the application's own warnings still show.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { isError } from '../../src/errors.ts';
import { StorageError } from '../../src/log/index.ts';
import { isSqliteExperimentalWarning } from '../../src/storage/sqlite/driver-node.ts';
import { sqliteError } from '../../src/storage/sqlite/errors.ts';
import { tempDir } from '../support/temp-dir.ts';

const CHILD = new URL('./sqlite-driver-child.ts', import.meta.url).pathname;
const [major, minor] = process.versions.node.split('.').map(Number);
/** node:sqlite loads without a flag from Node 22.13 (and 23.4) on. */
const hasNodeSqlite = major > 23 || (major === 23 && minor >= 4) || (major === 22 && minor >= 13);

describe(`SQLite driver on Node ${process.versions.node}`, () => {
  const child = spawnSync(process.execPath, ['--import', 'tsx', CHILD, tempDir('gv-driver-')], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  const report = () => {
    assert.equal(child.status, 0, `child exited with ${child.status ?? child.signal}: ${child.stderr}`);
    return JSON.parse(child.stdout.trim()) as { driver: string; journalMode: string; synchronous: number; betterSqliteLoaded: boolean };
  };

  it(`runs on ${hasNodeSqlite ? 'node:sqlite, never loading better-sqlite3' : 'better-sqlite3 (this Node has no node:sqlite)'}`, () => {
    const r = report();
    assert.equal(r.driver, hasNodeSqlite ? 'node:sqlite' : 'better-sqlite3');
    assert.equal(r.betterSqliteLoaded, !hasNodeSqlite, 'better_sqlite3.node mapped into the process');
  });

  it('keeps the durable settings: journal_mode=wal, synchronous=FULL (2)', () => {
    const r = report();
    assert.equal(r.journalMode, 'wal');
    assert.equal(r.synchronous, 2);
  });

  it("prints no ExperimentalWarning for node:sqlite, and still prints the application's own warnings", () => {
    report();
    assert.doesNotMatch(child.stderr, /SQLite is an experimental feature/);
    assert.match(child.stderr, /ExperimentalWarning: a warning of the application itself/);
  });
});

describe('isSqliteExperimentalWarning', () => {
  const cases = [
    {
      desc: "node's warning, type as a string",
      warning: 'SQLite is an experimental feature and might change at any time',
      type: 'ExperimentalWarning',
      want: true,
    },
    {
      desc: "node's warning, type in options",
      warning: 'SQLite is an experimental feature and might change at any time',
      type: { type: 'ExperimentalWarning' },
      want: true,
    },
    { desc: 'another experimental feature', warning: 'VM Modules is an experimental feature', type: 'ExperimentalWarning', want: false },
    { desc: 'the same text as another type', warning: 'SQLite is an experimental feature', type: 'DeprecationWarning', want: false },
    { desc: 'no type', warning: 'SQLite is an experimental feature', type: undefined, want: false },
  ];
  for (const c of cases) {
    it(`${c.want ? 'drops' : 'keeps'} ${c.desc}`, () => assert.equal(isSqliteExperimentalWarning(c.warning, c.type), c.want));
  }
});

describe('sqliteError with node:sqlite numeric result codes', () => {
  // node:sqlite reports the extended result code as a number in `errcode`.
  const cases = [
    { errcode: 5, name: 'SQLITE_BUSY', want: 'UNAVAILABLE' },
    { errcode: 517, name: 'SQLITE_BUSY_SNAPSHOT', want: 'UNAVAILABLE' },
    { errcode: 6, name: 'SQLITE_LOCKED', want: 'UNAVAILABLE' },
    { errcode: 1034, name: 'SQLITE_IOERR_FSYNC', want: 'UNAVAILABLE' },
    { errcode: 13, name: 'SQLITE_FULL', want: 'UNAVAILABLE' },
    { errcode: 14, name: 'SQLITE_CANTOPEN', want: 'UNAVAILABLE' },
    { errcode: 11, name: 'SQLITE_CORRUPT', want: 'CORRUPT' },
    { errcode: 779, name: 'SQLITE_CORRUPT_INDEX', want: 'CORRUPT' },
    { errcode: 26, name: 'SQLITE_NOTADB', want: 'CORRUPT' },
  ] as const;
  for (const c of cases) {
    it(`maps errcode ${c.errcode} (${c.name}) to StorageError ${c.want}`, () => {
      const err = Object.assign(new Error('boom'), { code: 'ERR_SQLITE_ERROR', errcode: c.errcode });
      const got = sqliteError(err, 'op');
      assert.ok(isError(got, StorageError, c.want), String(got));
      assert.equal((got as StorageError).cause, err);
    });
  }

  it('passes constraint and misuse errors through unchanged (bugs, not outages)', () => {
    for (const errcode of [1555, 2067, 19, 21, 1]) {
      const err = Object.assign(new Error('x'), { code: 'ERR_SQLITE_ERROR', errcode });
      assert.equal(sqliteError(err, 'op'), err, `errcode ${errcode}`);
    }
  });
});
