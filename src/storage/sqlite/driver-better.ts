/**
 * The SqliteDriver over better-sqlite3, for runtimes without node:sqlite
 * (Node 20). Loaded with require when driver.ts chooses it, never at
 * import, so a process that has node:sqlite never loads the native module
 * (driver.ts says why).
 */
import { createRequire } from 'node:module';
import type BetterSqlite3 from 'better-sqlite3';
import type { Row, RunResult, SqliteDatabase, SqliteDriver, SqliteStatement, SqlValue } from './sqlite-api.ts';

class BetterStatement implements SqliteStatement {
  readonly #st: BetterSqlite3.Statement;
  constructor(st: BetterSqlite3.Statement) {
    this.#st = st;
  }
  run(...params: SqlValue[]): RunResult {
    const r = this.#st.run(...params);
    return { changes: r.changes, lastInsertRowid: Number(r.lastInsertRowid) };
  }
  get(...params: SqlValue[]): Row | undefined {
    return this.#st.get(...params) as Row | undefined;
  }
  all(...params: SqlValue[]): Row[] {
    return this.#st.all(...params) as Row[];
  }
}

class BetterDatabase implements SqliteDatabase {
  readonly driver = 'better-sqlite3' as const;
  readonly #db: BetterSqlite3.Database;
  constructor(db: BetterSqlite3.Database) {
    this.#db = db;
  }
  get open(): boolean {
    return this.#db.open;
  }
  prepare(sql: string): SqliteStatement {
    return new BetterStatement(this.#db.prepare(sql));
  }
  exec(sql: string): void {
    this.#db.exec(sql);
  }
  immediate<T>(fn: () => T): T {
    if (this.#db.inTransaction) throw new Error('SqliteDatabase.immediate is not reentrant');
    return this.#db.transaction(fn).immediate();
  }
  close(): void {
    if (this.#db.open) this.#db.close();
  }
}

function load(): typeof BetterSqlite3 {
  try {
    return createRequire(import.meta.url)('better-sqlite3') as typeof BetterSqlite3;
  } catch (err) {
    // An optional dependency: npm ci goes on when it cannot build it.
    throw new Error(
      `SQLite on Node ${process.versions.node} needs better-sqlite3 (this runtime has no node:sqlite), and it did not load: ${(err as Error).message}; install a C++ toolchain and run npm ci again, or run on Node 22.13 or newer`,
      { cause: err },
    );
  }
}

/** Loads better-sqlite3 now; a plain Error (a broken install, not an outage) when it cannot. */
export function betterSqliteDriver(): SqliteDriver {
  const Database = load();
  return { name: 'better-sqlite3', open: (path) => new BetterDatabase(new Database(path)) };
}
