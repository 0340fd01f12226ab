/**
 * Picks a LogStorage implementation from a URL:
 *   sqlite:PATH            embedded SQLite (default), e.g. sqlite:./grapevine-data/grapevine.db
 *   sqlite::memory:        in-memory, for tests
 *   postgres://… / postgresql://…   PostgreSQL
 * Backends are imported lazily so a SQLite deployment never loads pg.
 */
import type { HeadStore } from '../audit/index.ts';
import type { LogStorage } from '../log/index.ts';
import { StorageError } from '../log/index.ts';

/** The in-memory HeadStore (audit/head-store.ts), for observers that keep no state across restarts. */
export { MemoryHeadStore } from './memory/head-store.ts';

export interface OpenStorageOptions {
  /** PostgreSQL pool size per process. */
  readonly poolSize?: number;
  /**
   * SQLite file: run writes (and their fsyncs) on a worker thread so they
   * never hold up the event loop (sqlite/writer-thread.ts). What servers use;
   * CLI one-shots and tests that open many databases need not pay the
   * thread's start-up (~0.2 s). Ignored for `:memory:`.
   */
  readonly writerThread?: boolean;
}

export async function openStorage(url: string, opts: OpenStorageOptions = {}): Promise<LogStorage> {
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length);
    // SQLite takes an empty name for a private temporary database, gone on close: never a log's home.
    if (path.trim() === '') throw new StorageError('SCHEMA', `database URL ${JSON.stringify(url)} names no file: want sqlite:PATH`);
    if (opts.writerThread && path !== ':memory:') {
      const { ThreadedSqliteStorage } = await import('./sqlite/writer-thread.ts');
      return ThreadedSqliteStorage.open(path);
    }
    const { SqliteStorage } = await import('./sqlite/sqlite-storage.ts');
    return SqliteStorage.open(path);
  }
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) {
    const { PostgresStorage } = await import('./postgres/postgres-storage.ts');
    return PostgresStorage.open(url, opts);
  }
  throw new StorageError('SCHEMA', `unsupported database URL ${JSON.stringify(redact(url))}: want sqlite:PATH or postgres://…`);
}

/** A HeadStore that holds a connection (or a pool) until closed. */
export interface ClosableHeadStore extends HeadStore {
  close(): Promise<void>;
}

/**
 * Opens the HeadStore (src/audit/head-store.ts) at a database URL, the same
 * URLs as openStorage: `sqlite:PATH` (table head_records in that file; one
 * database may hold logs and head records alike) or `postgres://…`.
 */
export async function openHeadStore(url: string, opts: OpenStorageOptions = {}): Promise<ClosableHeadStore> {
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length);
    if (path.trim() === '') throw new StorageError('SCHEMA', `database URL ${JSON.stringify(url)} names no file: want sqlite:PATH`);
    if (opts.writerThread && path !== ':memory:') {
      // Servers: swaps (and their fsyncs) on a writer thread, as the log storage's writes.
      const { ThreadedSqliteStorage } = await import('./sqlite/writer-thread.ts');
      return (await ThreadedSqliteStorage.open(path)).headStore();
    }
    const { SqliteHeadStore } = await import('./sqlite/head-store.ts');
    return SqliteHeadStore.open(path);
  }
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) {
    const { PostgresHeadStore } = await import('./postgres/head-store.ts');
    return PostgresHeadStore.open(url, opts);
  }
  throw new StorageError('SCHEMA', `unsupported database URL ${JSON.stringify(redact(url))}: want sqlite:PATH or postgres://…`);
}

/** Query parameters that carry secrets (libpq's password, sslpassword; anything named like a token). */
const SECRET_PARAM = /pass|secret|token/i;

/**
 * The URL without its secrets, for logs and errors: the password of the
 * userinfo (everything between the first ':' and the last '@', as URL
 * parsers and node-postgres read `user:p@ss@host`; also with no user name)
 * and every secret-bearing query parameter. A string that does not parse
 * as a URL (a libpq key=value string, a typo) is hidden whole but for its
 * scheme.
 */
export function redact(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    const scheme = /^[a-z][a-z0-9+.-]*:/i.exec(url)?.[0] ?? '';
    return `${scheme}<not a URL: hidden>`;
  }
  if (u.password !== '') u.password = '***';
  for (const k of [...u.searchParams.keys()]) if (SECRET_PARAM.test(k)) u.searchParams.set(k, '***');
  return u.toString();
}
