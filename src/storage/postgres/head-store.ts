/**
 * HeadStore (src/audit/head-store.ts) on PostgreSQL: table head_records
 * (migration 3), one row per key holding its latest record.
 *
 * Each swap is one conditional statement in its own transaction (an INSERT
 * … ON CONFLICT DO NOTHING for the first record, an UPDATE … WHERE revision
 * = expected after that): PostgreSQL's row locks make exactly one of racing
 * swaps win, across any number of processes, and a commit is durable when it
 * returns. PostgreSQL group-commits concurrent transactions itself, so calls
 * are not batched here.
 */
import type pg from 'pg';
import { type HeadRecord, type HeadStore, MAX_HEAD_BODY_BYTES, type StoredHeadRecord } from '../../audit/index.ts';
import { StorageError } from '../../log/index.ts';
import { postgresError } from './errors.ts';
import { createPool, type PostgresStorageOptions } from './pool.ts';
import { int } from './rows.ts';
import { migrate } from './schema.ts';

const GET = { name: 'gv_head_get', text: 'SELECT key, revision, size, root_hash, body FROM head_records WHERE key = $1' };
const INSERT = {
  name: 'gv_head_insert',
  text: 'INSERT INTO head_records (key, revision, size, root_hash, body) VALUES ($1, 1, $2, $3, $4) ON CONFLICT (key) DO NOTHING',
};
const UPDATE = {
  name: 'gv_head_update',
  text: 'UPDATE head_records SET revision = revision + 1, size = $2, root_hash = $3, body = $4 WHERE key = $1 AND revision = $5',
};

export class PostgresHeadStore implements HeadStore {
  readonly #pool: pg.Pool;

  private constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  /** Connects and creates or migrates the schema (the same one as PostgresStorage's). */
  static async open(url: string, opts: PostgresStorageOptions = {}): Promise<PostgresHeadStore> {
    const pool = createPool(url, opts);
    try {
      const client = await pool.connect();
      try {
        await migrate(client);
      } finally {
        client.release();
      }
    } catch (err) {
      await pool.end().catch(() => {});
      throw postgresError(err, 'opening the PostgreSQL head store');
    }
    return new PostgresHeadStore(pool);
  }

  async get(key: string): Promise<StoredHeadRecord | null> {
    const r = await this.#query('HeadStore.get', GET, [key]);
    const row = r.rows[0];
    return row
      ? {
          key: row.key as string,
          revision: int(row.revision),
          size: int(row.size),
          rootHash: row.root_hash as Buffer,
          body: row.body as Buffer,
        }
      : null;
  }

  async compareAndSwap(key: string, expectedRevision: number, next: HeadRecord): Promise<boolean> {
    if (next.body.length > MAX_HEAD_BODY_BYTES) {
      throw new StorageError('TOO_LARGE', `head record body of ${next.body.length} bytes, want at most ${MAX_HEAD_BODY_BYTES}`);
    }
    const root = Buffer.from(next.rootHash);
    const body = Buffer.from(next.body);
    const r =
      expectedRevision === 0
        ? await this.#query('HeadStore.compareAndSwap', INSERT, [key, next.size, root, body])
        : await this.#query('HeadStore.compareAndSwap', UPDATE, [key, next.size, root, body, expectedRevision]);
    return r.rowCount === 1;
  }

  async close(): Promise<void> {
    await this.#pool.end();
  }

  async #query(op: string, q: { name: string; text: string }, values: unknown[]): Promise<pg.QueryResult<Record<string, unknown>>> {
    try {
      return await this.#pool.query({ ...q, values });
    } catch (err) {
      throw postgresError(err, op);
    }
  }
}
