/**
 * HeadStore (src/audit/head-store.ts) on SQLite: table head_records
 * (migration 3), one row per key holding its latest record.
 *
 * Group commit: compare-and-swap calls made while the event loop is busy are
 * queued and decided together at the next turn, in call order, inside one
 * BEGIN IMMEDIATE transaction, so one fsync (synchronous=FULL) persists them
 * all. Each call resolves only after that commit. A swap later in a group
 * sees the ones before it (two swaps of one key in one group: the second
 * expects the revision the first made).
 *
 * Concurrency: several processes may share the file; SQLite's write lock
 * serializes their transactions, and each swap is a conditional write on
 * the stored revision, so exactly one of racing swaps wins.
 *
 * Ownership: `#queue` and `#scheduled` belong to compareAndSwap (producer)
 * and #flush (consumer); both run on the event loop, never interleaved.
 */
import { type HeadRecord, type HeadStore, MAX_HEAD_BODY_BYTES, type StoredHeadRecord } from '../../audit/index.ts';
import { StorageError } from '../../log/index.ts';
import { openDatabase } from './connection.ts';
import type { SqliteDatabase, SqliteStatement } from './driver.ts';
import { sqliteError } from './errors.ts';

/** Most swaps decided in one transaction; more wait for the next. */
const MAX_GROUP = 1024;

interface Call {
  readonly key: string;
  readonly expected: number;
  readonly next: HeadRecord;
  readonly resolve: (swapped: boolean) => void;
  readonly reject: (err: unknown) => void;
}

export class SqliteHeadStore implements HeadStore {
  readonly #db: SqliteDatabase;
  readonly #get: SqliteStatement;
  readonly #insert: SqliteStatement;
  readonly #update: SqliteStatement;
  #queue: Call[] = [];
  #scheduled = false;

  private constructor(db: SqliteDatabase) {
    this.#db = db;
    this.#get = db.prepare('SELECT key, revision, size, root_hash, body FROM head_records WHERE key = ?');
    this.#insert = db.prepare(
      'INSERT INTO head_records (key, revision, size, root_hash, body) VALUES (?, 1, ?, ?, ?) ON CONFLICT (key) DO NOTHING',
    );
    this.#update = db.prepare(
      'UPDATE head_records SET revision = revision + 1, size = ?, root_hash = ?, body = ? WHERE key = ? AND revision = ?',
    );
  }

  /** Opens (creating and migrating if needed) the database file; `:memory:` for tests. */
  static open(path: string): SqliteHeadStore {
    return new SqliteHeadStore(openDatabase(path));
  }

  async get(key: string): Promise<StoredHeadRecord | null> {
    try {
      const r = this.#get.get(key);
      return r
        ? {
            key: r.key as string,
            revision: r.revision as number,
            size: r.size as number,
            rootHash: r.root_hash as Buffer,
            body: r.body as Buffer,
          }
        : null;
    } catch (err) {
      throw sqliteError(err, 'HeadStore.get');
    }
  }

  compareAndSwap(key: string, expectedRevision: number, next: HeadRecord): Promise<boolean> {
    if (next.body.length > MAX_HEAD_BODY_BYTES) {
      return Promise.reject(
        new StorageError('TOO_LARGE', `head record body of ${next.body.length} bytes, want at most ${MAX_HEAD_BODY_BYTES}`),
      );
    }
    if (!this.#db.open) return Promise.reject(new StorageError('UNAVAILABLE', 'the SQLite head store is closed'));
    return new Promise((resolve, reject) => {
      this.#queue.push({ key, expected: expectedRevision, next, resolve, reject });
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => this.#flush());
      }
    });
  }

  /** Decides queued swaps, up to MAX_GROUP per transaction, in call order. */
  #flush(): void {
    this.#scheduled = false;
    while (this.#queue.length > 0) {
      const group = this.#queue.splice(0, MAX_GROUP);
      let swapped: boolean[];
      try {
        swapped = this.#db.immediate(() => group.map((c) => this.#swap(c)));
      } catch (err) {
        // Rolled back: nothing of this group was written.
        const e = sqliteError(err, 'HeadStore.compareAndSwap');
        for (const c of group) c.reject(e);
        continue;
      }
      for (const [i, c] of group.entries()) c.resolve(swapped[i]);
    }
  }

  #swap(c: Call): boolean {
    const root = Buffer.from(c.next.rootHash);
    const body = Buffer.from(c.next.body);
    if (c.expected === 0) return this.#insert.run(c.key, c.next.size, root, body).changes === 1;
    return this.#update.run(c.next.size, root, body, c.key, c.expected).changes === 1;
  }

  /** Decides what is queued, then closes the connection. */
  async close(): Promise<void> {
    if (!this.#db.open) return;
    this.#flush();
    this.#db.close();
  }
}
