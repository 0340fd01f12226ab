/**
 * The one SQLite API the SQLite backend uses (SqliteStorage, the writer
 * thread, migrations), over whichever driver the runtime can load:
 *
 * - node:sqlite (DatabaseSync), built into Node 22.13+ and 24: the driver
 *   wherever it exists. On 22 it is still flagged experimental and emits an
 *   ExperimentalWarning once, on first load; that one warning is dropped here
 *   (driver-node.ts), every other warning still reaches the process.
 * - better-sqlite3, only where node:sqlite is missing (Node 20). It is an
 *   optional dependency and is never loaded where node:sqlite exists:
 *   better-sqlite3 12 aborts the process on Node 24 (SIGABRT in
 *   Statement::~Statement during environment teardown).
 *
 * Both are synchronous and bundle SQLite itself; durability settings
 * (WAL, synchronous=FULL) are plain PRAGMAs, the same on either.
 *
 * Values: integers come back as numbers (beyond 2^53 node:sqlite throws,
 * better-sqlite3 rounds; the schema never stores such values) and BLOBs
 * always as Buffers (node:sqlite gives plain Uint8Arrays; the adapter wraps
 * them without copying).
 */
import { betterSqliteDriver } from './driver-better.ts';
import { loadNodeSqlite, nodeSqliteDriver } from './driver-node.ts';

/** What a statement binds: positional `?` parameters only. */
export type SqlValue = number | string | Buffer | null;
export type Row = Record<string, unknown>;

export interface RunResult {
  /** Rows inserted, updated or deleted by the statement. */
  readonly changes: number;
  readonly lastInsertRowid: number;
}

export interface SqliteStatement {
  run(...params: SqlValue[]): RunResult;
  /** The first row, or undefined. */
  get(...params: SqlValue[]): Row | undefined;
  all(...params: SqlValue[]): Row[];
}

export interface SqliteDatabase {
  /** Which driver this connection runs on. */
  readonly driver: SqliteDriverName;
  readonly open: boolean;
  prepare(sql: string): SqliteStatement;
  /** Runs one or more statements, no parameters, no result. */
  exec(sql: string): void;
  /**
   * Runs `fn` in a BEGIN IMMEDIATE transaction (the write lock is taken at
   * the start, so a transaction that reads and then writes never fails on
   * upgrading its lock): COMMIT when it returns, ROLLBACK when it throws.
   * Not reentrant.
   */
  immediate<T>(fn: () => T): T;
  close(): void;
}

export type SqliteDriverName = 'node:sqlite' | 'better-sqlite3';

/**
 * A driver's failure, as both report it: an Error carrying SQLite's extended
 * result code (better-sqlite3: `code` 'SQLITE_IOERR_FSYNC'; node:sqlite:
 * numeric `errcode`). errors.ts maps these onto StorageError.
 */
export interface SqliteDriver {
  readonly name: SqliteDriverName;
  /** Opens (creating if needed) a database file, or `:memory:`. */
  open(path: string): SqliteDatabase;
}

let chosen: SqliteDriver | undefined;

/**
 * The driver this process uses: node:sqlite when the runtime has it,
 * better-sqlite3 otherwise. Chosen once; neither native module is loaded
 * before the first call. Throws a plain Error (a broken install, not an
 * outage) when neither loads.
 */
export function sqliteDriver(): SqliteDriver {
  if (chosen) return chosen;
  const mod = loadNodeSqlite();
  chosen = mod ? nodeSqliteDriver(mod) : betterSqliteDriver();
  return chosen;
}

/** Opens a database file (or `:memory:`) on this process's driver, with no settings applied. */
export function openSqlite(path: string): SqliteDatabase {
  return sqliteDriver().open(path);
}
