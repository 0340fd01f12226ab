/**
 * The SqliteDriver over node's built-in node:sqlite (DatabaseSync), used
 * wherever the runtime has it (Node 22.13+, 24). @types/node 20 does not
 * describe the module, so the few members used are declared here.
 */
import type { Row, RunResult, SqliteDatabase, SqliteDriver, SqliteStatement, SqlValue } from './sqlite-api.ts';

interface NodeStatement {
  run(...params: SqlValue[]): { changes: number | bigint; lastInsertRowid: number | bigint };
  get(...params: SqlValue[]): Row | undefined;
  all(...params: SqlValue[]): Row[];
}
interface NodeDatabase {
  prepare(sql: string): NodeStatement;
  exec(sql: string): void;
  close(): void;
}
interface NodeSqliteModule {
  DatabaseSync: new (path: string) => NodeDatabase;
}

let loaded: NodeSqliteModule | null | undefined;

/**
 * node:sqlite, or null where the runtime lacks it (Node 20; 22.5–22.12
 * without --experimental-sqlite). Loading it on Node 22 emits
 * "ExperimentalWarning: SQLite is an experimental feature…" synchronously;
 * exactly that warning is dropped, any other passes through untouched.
 */
export function loadNodeSqlite(): NodeSqliteModule | null {
  if (loaded !== undefined) return loaded;
  const getBuiltin = (process as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule;
  if (typeof getBuiltin !== 'function') {
    loaded = null; // Node < 20.16: no way to ask without importing; better-sqlite3 serves
    return loaded;
  }
  const emit = process.emitWarning;
  process.emitWarning = function (this: NodeJS.Process, warning: string | Error, ...rest: unknown[]) {
    if (isSqliteExperimentalWarning(warning, rest[0])) return;
    return (emit as (...a: unknown[]) => void).call(this, warning, ...rest);
  } as typeof process.emitWarning;
  try {
    loaded = (getBuiltin.call(process, 'node:sqlite') as NodeSqliteModule | undefined) ?? null;
  } catch {
    loaded = null;
  } finally {
    process.emitWarning = emit;
  }
  return loaded;
}

/** Node's one warning for loading node:sqlite: type ExperimentalWarning, message naming SQLite. */
export function isSqliteExperimentalWarning(warning: string | Error, typeOrOptions: unknown): boolean {
  const type =
    typeof typeOrOptions === 'string'
      ? typeOrOptions
      : typeof typeOrOptions === 'object' && typeOrOptions !== null
        ? (typeOrOptions as { type?: unknown }).type
        : warning instanceof Error
          ? warning.name
          : undefined;
  const message = warning instanceof Error ? warning.message : warning;
  return type === 'ExperimentalWarning' && /^SQLite is an experimental feature/.test(message);
}

/** A BLOB as node:sqlite returns it (a plain Uint8Array) made a Buffer over the same memory. */
function buffers(row: Row | undefined): Row | undefined {
  if (row === undefined) return row;
  for (const k in row) {
    const v = row[k];
    if (v instanceof Uint8Array) row[k] = Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  }
  return row;
}

/**
 * Node 22's node:sqlite binds an empty view over a zero-length ArrayBuffer
 * (what an empty Buffer becomes after crossing to a worker thread) as NULL,
 * not as an empty BLOB; an empty view over a non-empty buffer binds right.
 */
const EMPTY_BLOB = Buffer.alloc(1).subarray(0, 0);

function bind(params: SqlValue[]): SqlValue[] {
  for (let i = 0; i < params.length; i++) {
    const p = params[i];
    if (p instanceof Uint8Array && p.byteLength === 0) params[i] = EMPTY_BLOB;
  }
  return params;
}

class NodeSqliteStatement implements SqliteStatement {
  readonly #st: NodeStatement;
  constructor(st: NodeStatement) {
    this.#st = st;
  }
  run(...params: SqlValue[]): RunResult {
    const r = this.#st.run(...bind(params));
    return { changes: Number(r.changes), lastInsertRowid: Number(r.lastInsertRowid) };
  }
  get(...params: SqlValue[]): Row | undefined {
    return buffers(this.#st.get(...bind(params)));
  }
  all(...params: SqlValue[]): Row[] {
    const rows = this.#st.all(...bind(params));
    for (const r of rows) buffers(r);
    return rows;
  }
}

class NodeSqliteDatabase implements SqliteDatabase {
  readonly driver = 'node:sqlite' as const;
  readonly #db: NodeDatabase;
  readonly #begin: NodeStatement;
  readonly #commit: NodeStatement;
  readonly #rollback: NodeStatement;
  #open = true;
  #inTransaction = false;

  constructor(db: NodeDatabase) {
    this.#db = db;
    this.#begin = db.prepare('BEGIN IMMEDIATE');
    this.#commit = db.prepare('COMMIT');
    this.#rollback = db.prepare('ROLLBACK');
  }
  get open(): boolean {
    return this.#open;
  }
  prepare(sql: string): SqliteStatement {
    return new NodeSqliteStatement(this.#db.prepare(sql));
  }
  exec(sql: string): void {
    this.#db.exec(sql);
  }
  immediate<T>(fn: () => T): T {
    if (this.#inTransaction) throw new Error('SqliteDatabase.immediate is not reentrant');
    this.#begin.run();
    this.#inTransaction = true;
    try {
      const out = fn();
      this.#commit.run();
      return out;
    } catch (err) {
      // A failed COMMIT (SQLITE_BUSY, an I/O error) leaves the transaction open: roll it back too.
      try {
        this.#rollback.run();
      } catch {
        // SQLite already rolled back (some errors end the transaction themselves).
      }
      throw err;
    } finally {
      this.#inTransaction = false;
    }
  }
  close(): void {
    if (!this.#open) return;
    this.#open = false;
    this.#db.close();
  }
}

export function nodeSqliteDriver(mod: NodeSqliteModule): SqliteDriver {
  return {
    name: 'node:sqlite',
    open: (path) => new NodeSqliteDatabase(new mod.DatabaseSync(path)),
  };
}
