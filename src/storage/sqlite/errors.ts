/**
 * Maps SQLite driver failures onto StorageError codes (src/log/errors.ts).
 *
 * Both drivers (driver.ts) report SQLite's *extended* result codes
 * (sqlite.org/rescode.html): better-sqlite3 by name in `code`
 * ('SQLITE_IOERR_FSYNC', 'SQLITE_BUSY_SNAPSHOT'), node:sqlite by number in
 * `errcode` (its `code` is always 'ERR_SQLITE_ERROR'). An extended code's low
 * byte is its primary code, so each primary code here covers all of its
 * extended forms.
 */
import { StorageError } from '../../log/index.ts';

// Primary codes whose failure is about the database's surroundings (locks,
// disk, file system), not about the data: retry later.
const UNAVAILABLE = [
  'SQLITE_BUSY',
  'SQLITE_LOCKED',
  'SQLITE_IOERR',
  'SQLITE_FULL',
  'SQLITE_CANTOPEN',
  'SQLITE_READONLY',
  'SQLITE_PROTOCOL',
  'SQLITE_NOMEM',
];
// The file is damaged or is not a database: fatal.
const CORRUPT = ['SQLITE_CORRUPT', 'SQLITE_NOTADB'];

/** Primary result codes by number (sqlite.org/rescode.html, "Primary Result Code List"). */
const PRIMARY: Record<number, string> = {
  1: 'SQLITE_ERROR',
  2: 'SQLITE_INTERNAL',
  3: 'SQLITE_PERM',
  4: 'SQLITE_ABORT',
  5: 'SQLITE_BUSY',
  6: 'SQLITE_LOCKED',
  7: 'SQLITE_NOMEM',
  8: 'SQLITE_READONLY',
  9: 'SQLITE_INTERRUPT',
  10: 'SQLITE_IOERR',
  11: 'SQLITE_CORRUPT',
  12: 'SQLITE_NOTFOUND',
  13: 'SQLITE_FULL',
  14: 'SQLITE_CANTOPEN',
  15: 'SQLITE_PROTOCOL',
  17: 'SQLITE_SCHEMA',
  18: 'SQLITE_TOOBIG',
  19: 'SQLITE_CONSTRAINT',
  20: 'SQLITE_MISMATCH',
  21: 'SQLITE_MISUSE',
  22: 'SQLITE_NOLFS',
  23: 'SQLITE_AUTH',
  25: 'SQLITE_RANGE',
  26: 'SQLITE_NOTADB',
};

/** The SQLite result code name of a driver error ('SQLITE_IOERR_FSYNC', or the primary 'SQLITE_IOERR' from a number); '' for anything else. */
function resultCode(err: unknown): string {
  const e = err as { code?: unknown; errcode?: unknown } | null;
  if (typeof e?.errcode === 'number') return PRIMARY[e.errcode & 0xff] ?? '';
  return typeof e?.code === 'string' ? e.code : '';
}

const matches = (code: string, primaries: readonly string[]) => primaries.some((p) => code === p || code.startsWith(`${p}_`));

/** A StorageError for `err` when its SQLite code says what happened; `err` itself otherwise (a bug, not an outage). */
export function sqliteError(err: unknown, op: string): unknown {
  if (err instanceof StorageError) return err;
  const code = resultCode(err);
  const message = `${op}: ${err instanceof Error ? err.message : String(err)}`;
  if (matches(code, UNAVAILABLE)) return new StorageError('UNAVAILABLE', message, { cause: err });
  if (matches(code, CORRUPT)) return new StorageError('CORRUPT', message, { cause: err });
  return err;
}
