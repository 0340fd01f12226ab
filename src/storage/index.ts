/**
 * Picks a LogStorage implementation from a URL:
 *   sqlite:PATH            embedded SQLite (default), e.g. sqlite:./grapevine-data/grapevine.db
 *   sqlite::memory:        in-memory, for tests
 *   postgres://… / postgresql://…   PostgreSQL
 * Backends are imported lazily so a SQLite deployment never loads pg.
 */
import type { LogStorage } from '../log/index.ts';
import { StorageError } from '../log/index.ts';

export interface OpenStorageOptions {
  /** PostgreSQL pool size per process. */
  readonly poolSize?: number;
}

export async function openStorage(url: string, opts: OpenStorageOptions = {}): Promise<LogStorage> {
  if (url.startsWith('sqlite:')) {
    const { SqliteStorage } = await import('./sqlite/sqlite-storage.ts');
    return SqliteStorage.open(url.slice('sqlite:'.length));
  }
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) {
    const { PostgresStorage } = await import('./postgres/postgres-storage.ts');
    return PostgresStorage.open(url, opts);
  }
  throw new StorageError('SCHEMA', `unsupported database URL ${JSON.stringify(redact(url))}: want sqlite:PATH or postgres://…`);
}

/** The URL without its password, for logs and errors. */
export function redact(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}
