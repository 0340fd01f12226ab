/**
 * The SQLite API the backend is written against (driver.ts: which driver
 * serves it; driver-node.ts, driver-better.ts: the two adapters). Types only.
 */
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
