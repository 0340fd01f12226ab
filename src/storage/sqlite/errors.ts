/**
 * Maps better-sqlite3 failures onto StorageError codes (src/log/errors.ts).
 *
 * better-sqlite3 reports SQLite's *extended* result codes (sqlite.org/rescode.html),
 * e.g. SQLITE_IOERR_FSYNC, SQLITE_BUSY_SNAPSHOT, SQLITE_CORRUPT_INDEX, so
 * each primary code is matched with all of its extended forms.
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

const matches = (code: string, primaries: readonly string[]) => primaries.some((p) => code === p || code.startsWith(`${p}_`));

/** A StorageError for `err` when its SQLite code says what happened; `err` itself otherwise (a bug, not an outage). */
export function sqliteError(err: unknown, op: string): unknown {
  if (err instanceof StorageError) return err;
  const code = String((err as { code?: unknown } | null)?.code ?? '');
  const message = `${op}: ${err instanceof Error ? err.message : String(err)}`;
  if (matches(code, UNAVAILABLE)) return new StorageError('UNAVAILABLE', message, { cause: err });
  if (matches(code, CORRUPT)) return new StorageError('CORRUPT', message, { cause: err });
  return err;
}
