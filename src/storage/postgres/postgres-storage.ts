/**
 * PostgreSQL storage (node-postgres Pool): many Grapevine processes on one
 * database. Every process may queue and read; the sequencer lease and the
 * compare-and-swap in `integrate` keep exactly one writer of heads.
 *
 * Durability: every write is one transaction committed with the server's
 * default synchronous_commit=on, so a resolved promise survives a crash of
 * the server (and of this process). Consistency: each call is its own
 * statement or transaction at READ COMMITTED, so it sees every write that
 * committed before it started, from any process.
 *
 * Faults: a dropped connection, a server restart or an administrator's
 * pg_terminate_backend fails the calls in flight with StorageError
 * UNAVAILABLE; the broken connection leaves the pool and the next call opens
 * a new one, so callers recover by retrying, without restarting. Errors of
 * idle or checked-out connections are absorbed here (an unhandled 'error'
 * event would crash the process) and reported through `onPoolError`.
 *
 * No statement timeout is set here: a deployment that wants one puts it in
 * the URL (`?options=-c%20statement_timeout%3D30s`).
 *
 * Concurrency: methods may interleave freely; each checks out its own
 * connection. Nothing is cached in this object between calls.
 */
import type pg from 'pg';
import type { Integration, LogStorage, NewLeaf, PendingLeaf, QueueResult, StoredHead, StoredLeaf, TreeInfo } from '../../log/index.ts';
import { StorageError } from '../../log/index.ts';
import type { TileId } from '../../merkle/index.ts';
import { joinHashes } from '../hashes.ts';
import { isSerializationFailure, postgresError, sqlState } from './errors.ts';
import { createPool, type PostgresStorageOptions } from './pool.ts';
import { int, type Row, toHead, toLeaf, toTree } from './rows.ts';
import { migrate } from './schema.ts';
import { SQL } from './sql.ts';

export type { PostgresStorageOptions } from './pool.ts';

type Query = { readonly name: string; readonly text: string };

const NO_RANK = Buffer.alloc(0);

export class PostgresStorage implements LogStorage {
  readonly #pool: pg.Pool;

  private constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  /**
   * Connects and creates or migrates the schema. StorageError UNAVAILABLE if
   * the server cannot be reached, SCHEMA if the database is newer than this
   * binary or is not usable as configured (no such schema or database,
   * credentials refused). The URL may carry libpq parameters node-postgres understands,
   * e.g. `?options=-c%20search_path%3Dgrapevine` to use another schema.
   */
  static async open(url: string, opts: PostgresStorageOptions = {}): Promise<PostgresStorage> {
    const pool = createPool(url, opts);
    const storage = new PostgresStorage(pool);
    try {
      await storage.#withClient('open', migrate);
    } catch (err) {
      await pool.end().catch(() => {});
      throw err;
    }
    return storage;
  }

  async createTree(spec: Omit<TreeInfo, 'id' | 'createdAt'>, head: StoredHead, now: number): Promise<TreeInfo> {
    for (let attempt = 0; ; attempt++) {
      try {
        const id = await this.#tx('createTree', async (c) => {
          const r = await c.query({
            ...SQL.insertTree,
            values: [spec.name, spec.personality, spec.publicKey, now, head.revision, head.size],
          });
          const id = int(r.rows[0].id);
          await c.query({ ...SQL.insertHead, values: headValues(id, head) });
          return id;
        });
        return { id, name: spec.name, personality: spec.personality, publicKey: Buffer.from(spec.publicKey), createdAt: now };
      } catch (err) {
        // 23505 on the name: taken. On the id: a concurrent createTree picked the same one; pick again.
        if ((sqlState(err) ?? sqlState((err as { cause?: unknown }).cause)) !== '23505') throw err;
        if (await this.getTree(spec.name))
          throw new StorageError('ALREADY_EXISTS', `a tree named ${JSON.stringify(spec.name)} exists`, { cause: err });
        if (attempt >= 10) throw err;
      }
    }
  }

  async getTree(name: string): Promise<TreeInfo | null> {
    const r = await this.#query('getTree', SQL.treeByName, [name]);
    return r.rows[0] ? toTree(r.rows[0]) : null;
  }

  async listTrees(): Promise<TreeInfo[]> {
    return (await this.#query('listTrees', SQL.listTrees, [])).rows.map(toTree);
  }

  async queueLeaves(treeId: number, leaves: readonly NewLeaf[]): Promise<QueueResult[]> {
    // In-batch duplicates are settled here (the first wins), so the statement sees each identity once.
    const firstOf = new Map<string, number>();
    const unique: NewLeaf[] = [];
    const slot: number[] = [];
    for (const l of leaves) {
      const key = l.identityHash.toString('latin1');
      let j = firstOf.get(key);
      if (j === undefined) {
        j = unique.length;
        firstOf.set(key, j);
        unique.push(l);
      }
      slot.push(j);
    }
    const inserted = new Set<string>();
    if (unique.length > 0) {
      const r = await this.#query('queueLeaves', SQL.queue, [
        treeId,
        unique.map((l) => l.identityHash),
        unique.map((l) => l.leafHash),
        unique.map((l) => l.value),
        unique.map((l) => l.extraData),
        unique.map((l) => l.label),
        unique.map((l) => l.queuedAt),
        unique.map((l) => l.labelRank ?? NO_RANK),
      ]);
      for (const row of r.rows) inserted.add((row.identity_hash as Buffer).toString('latin1'));
    }
    const existing = new Map<string, StoredLeaf>();
    const missing = unique.filter((l) => !inserted.has(l.identityHash.toString('latin1')));
    if (missing.length > 0) {
      const r = await this.#query('queueLeaves', SQL.leavesByIdentity, [treeId, missing.map((l) => l.identityHash)]);
      for (const row of r.rows) existing.set((row.identity_hash as Buffer).toString('latin1'), toLeaf(row));
    }
    if (existing.size < missing.length || unique.length === 0) {
      await this.#requireTree('queueLeaves', treeId);
      // The tree exists, so ON CONFLICT skipped a leaf whose row we then could not read: only a bug can do that.
      if (existing.size < missing.length)
        throw new StorageError('CORRUPT', `queueLeaves: ${missing.length - existing.size} leaves were neither inserted nor found`);
    }
    const seen = new Set<number>();
    return slot.map((j): QueueResult => {
      const u = unique[j];
      const key = u.identityHash.toString('latin1');
      const first = !seen.has(j);
      seen.add(j);
      if (inserted.has(key)) {
        return { leaf: { ...u, labelRank: u.labelRank ?? NO_RANK, index: null }, duplicate: !first };
      }
      return { leaf: existing.get(key) as StoredLeaf, duplicate: true };
    });
  }

  async pendingLeaves(treeId: number, limit: number): Promise<PendingLeaf[]> {
    const r = await this.#query('pendingLeaves', SQL.pending, [treeId, limit]);
    return r.rows.map((row) => ({ queueId: int(row.queue_id), leafHash: row.leaf_hash as Buffer, queuedAt: int(row.queued_at) }));
  }

  async pendingCount(treeId: number): Promise<number> {
    return int((await this.#query('pendingCount', SQL.pendingCount, [treeId])).rows[0].n);
  }

  async integrate(treeId: number, x: Integration): Promise<void> {
    if (x.head.revision !== x.expectedRevision + 1) {
      throw new StorageError('CORRUPT', `new head revision ${x.head.revision}, want ${x.expectedRevision + 1}`);
    }
    if (x.head.size !== x.firstIndex + x.queueIds.length) {
      throw new StorageError('CORRUPT', `new head size ${x.head.size}, want ${x.firstIndex} + ${x.queueIds.length}`);
    }
    await this.#tx('integrate', async (c) => {
      const cas = await c.query({ ...SQL.cas, values: [treeId, x.expectedRevision, x.head.revision, x.head.size, x.firstIndex] });
      if (cas.rowCount !== 1) {
        const r = await c.query({ ...SQL.treeExists, values: [treeId] });
        if (!r.rows[0]) throw new StorageError('NOT_FOUND', `no tree with id ${treeId}`);
        throw new StorageError(
          'CONFLICT',
          `tree ${treeId} is at revision ${r.rows[0].revision} (size ${r.rows[0].tree_size}), want ${x.expectedRevision} (size ${x.firstIndex})`,
        );
      }
      if (x.queueIds.length > 0) {
        const seq = await c.query({ ...SQL.sequence, values: [treeId, x.queueIds, x.firstIndex] });
        if (seq.rowCount !== x.queueIds.length) {
          throw new StorageError(
            'CONFLICT',
            `${x.queueIds.length - (seq.rowCount ?? 0)} of ${x.queueIds.length} leaves are no longer queued`,
          );
        }
      }
      await c.query({
        ...SQL.tilesAndHead,
        values: [...headValues(treeId, x.head), x.tiles.map((t) => t.id.level), x.tiles.map((t) => t.id.index), x.tiles.map((t) => t.data)],
      });
    });
  }

  async latestHead(treeId: number): Promise<StoredHead | null> {
    const r = await this.#query('latestHead', SQL.latestHead, [treeId]);
    return r.rows[0] ? toHead(r.rows[0]) : null;
  }

  async headAtRevision(treeId: number, revision: number): Promise<StoredHead | null> {
    const r = await this.#query('headAtRevision', SQL.headAt, [treeId, revision]);
    return r.rows[0] ? toHead(r.rows[0]) : null;
  }

  async getTiles(treeId: number, ids: readonly TileId[]): Promise<(Buffer | undefined)[]> {
    if (ids.length === 0) return [];
    const r = await this.#query('getTiles', SQL.tiles, [treeId, ids.map((t) => t.level), ids.map((t) => t.index)]);
    const found = new Map<string, Buffer>();
    for (const row of r.rows) found.set(`${row.tile_level}/${row.tile_index}`, row.data as Buffer);
    return ids.map((t) => found.get(`${t.level}/${t.index}`));
  }

  async leavesByRange(treeId: number, start: number, end: number): Promise<StoredLeaf[]> {
    if (end <= start) return [];
    const out: StoredLeaf[] = [];
    for (const row of (await this.#query('leavesByRange', SQL.leavesByRange, [treeId, start, end])).rows) {
      const leaf = toLeaf(row);
      if (leaf.index !== start + out.length) break; // stop at the first gap
      out.push(leaf);
    }
    return out;
  }

  async leavesByLeafHash(treeId: number, leafHash: Buffer): Promise<StoredLeaf[]> {
    return (await this.#query('leavesByLeafHash', SQL.leavesByHash, [treeId, leafHash])).rows.map(toLeaf);
  }

  async leafByIdentityHash(treeId: number, identityHash: Buffer): Promise<StoredLeaf | null> {
    const r = await this.#query('leafByIdentityHash', SQL.leafByIdentity, [treeId, identityHash]);
    return r.rows[0] ? toLeaf(r.rows[0]) : null;
  }

  async latestLeafByLabel(treeId: number, label: string): Promise<StoredLeaf | null> {
    const r = await this.#query('latestLeafByLabel', SQL.latestByLabel, [treeId, label]);
    return r.rows[0] ? toLeaf(r.rows[0]) : null;
  }

  async acquireLease(treeId: number, holder: string, ttlMs: number): Promise<boolean> {
    return (await this.#query('acquireLease', SQL.takeLease, [treeId, holder, ttlMs])).rowCount === 1;
  }

  async releaseLease(treeId: number, holder: string): Promise<void> {
    await this.#query('releaseLease', SQL.dropLease, [treeId, holder]);
  }

  async ping(): Promise<void> {
    await this.#query('ping', { name: 'gv_ping', text: 'SELECT 1' }, []);
  }

  async close(): Promise<void> {
    if (!this.#pool.ended && !this.#pool.ending) await this.#pool.end();
  }

  async #requireTree(op: string, treeId: number): Promise<void> {
    const r = await this.#query(op, SQL.treeExists, [treeId]);
    if (!r.rows[0]) throw new StorageError('NOT_FOUND', `no tree with id ${treeId}`);
  }

  /** One autocommit statement. */
  async #query(op: string, q: Query, values: unknown[]): Promise<pg.QueryResult<Row>> {
    return this.#withClient(op, (c) => c.query<Row>({ name: q.name, text: q.text, values }));
  }

  /** A READ COMMITTED transaction; any throw rolls it back. A lost serialization race is a CONFLICT in integrate. */
  async #tx<T>(op: string, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    return this.#withClient(op, async (c) => {
      await c.query('BEGIN');
      let result: T;
      try {
        result = await fn(c);
      } catch (err) {
        await c.query('ROLLBACK').catch(() => {}); // a broken connection rolls back by itself
        if (op === 'integrate' && (isSerializationFailure(err) || sqlState(err) === '23505')) {
          throw new StorageError('CONFLICT', `integrate lost a race: ${(err as Error).message}`, { cause: err });
        }
        throw err;
      }
      await c.query('COMMIT');
      return result;
    });
  }

  async #withClient<T>(op: string, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.#pool.connect();
    } catch (err) {
      throw postgresError(err, op);
    }
    try {
      return await fn(client);
    } catch (err) {
      throw postgresError(err, op);
    } finally {
      // A connection that broke is not queryable and leaves the pool on release.
      client.release();
    }
  }
}

function headValues(treeId: number, h: StoredHead): unknown[] {
  return [treeId, h.revision, h.size, h.rootHash, h.timestamp, joinHashes(h.compactRange), h.logRoot, h.signature];
}
