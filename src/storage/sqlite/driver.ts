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
import type { SqliteDatabase, SqliteDriver } from './sqlite-api.ts';

export type {
  Row,
  RunResult,
  SqliteDatabase,
  SqliteDriver,
  SqliteDriverName,
  SqliteStatement,
  SqlValue,
} from './sqlite-api.ts';

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
