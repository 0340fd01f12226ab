/**
 * Embedded SQLite storage (WAL). The default backend. Runs on node:sqlite or
 * better-sqlite3, whichever the runtime has (driver.ts).
 *
 * Durability: journal_mode=WAL with synchronous=FULL, so a resolved write
 * survives kill -9 and power loss. Several processes may open one file;
 * writers serialize on SQLite's lock (busy_timeout), and `integrate` still
 * does its own compare-and-swap on the tree revision.
 *
 * The driver is synchronous: each method runs its statements in one
 * transaction on the calling tick and returns a settled promise. Keep
 * batches bounded (the sequencer's batchSize) so the event loop is never
 * held for long.
 */
import type { Integration, LogStorage, NewLeaf, PendingLeaf, QueueResult, StoredHead, StoredLeaf, TreeInfo } from '../../log/index.ts';
import { StorageError } from '../../log/index.ts';
import type { TileId } from '../../merkle/index.ts';
import { joinHashes, splitHashes } from '../hashes.ts';
import { openDatabase } from './connection.ts';
import type { SqliteDatabase, SqliteDriverName } from './driver.ts';
import { sqliteError } from './errors.ts';
import { hashKey } from './hash-key.ts';

type Row = Record<string, unknown>;
const NO_RANK = Buffer.alloc(0);

/** What queueLeaves answers for a leaf it inserted: the input as stored, not yet sequenced. */
export function insertedLeaf(l: NewLeaf): StoredLeaf {
  // A literal, not a spread: this runs once per queued leaf, and the spread cost more than the insert's bookkeeping.
  return {
    identityHash: l.identityHash,
    leafHash: l.leafHash,
    value: l.value,
    extraData: l.extraData,
    label: l.label,
    labelRank: l.labelRank ?? NO_RANK,
    queuedAt: l.queuedAt,
    index: null,
  };
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}
interface Segment {
  first_index: number;
  first_queue_id: number;
  count: number;
}

export class SqliteStorage implements LogStorage {
  readonly #db: SqliteDatabase;
  readonly #s: ReturnType<typeof prepare>;

  private constructor(db: SqliteDatabase) {
    this.#db = db;
    this.#s = prepare(db);
  }

  /** Opens (creating if needed) the database file and applies migrations. `:memory:` for tests. */
  static open(path: string): SqliteStorage {
    return new SqliteStorage(openDatabase(path));
  }

  /** The driver and the durability settings in force on this connection, as SQLite reports them (start-up logs, tests). */
  settings(): { driver: SqliteDriverName; journalMode: string; synchronous: number } {
    return {
      driver: this.#db.driver,
      journalMode: this.#db.prepare('PRAGMA journal_mode').get()?.journal_mode as string,
      synchronous: this.#db.prepare('PRAGMA synchronous').get()?.synchronous as number,
    };
  }

  async createTree(spec: Omit<TreeInfo, 'id' | 'createdAt'>, head: StoredHead, now: number): Promise<TreeInfo> {
    return this.#run('createTree', () =>
      this.#db.immediate(() => {
        if (this.#s.treeByName.get(spec.name)) throw new StorageError('ALREADY_EXISTS', `a tree named ${JSON.stringify(spec.name)} exists`);
        const info = this.#s.insertTree.run(spec.name, spec.personality, spec.publicKey, now, head.revision);
        const id = Number(info.lastInsertRowid);
        this.#insertHead(id, head);
        return { id, name: spec.name, personality: spec.personality, publicKey: Buffer.from(spec.publicKey), createdAt: now };
      }),
    );
  }

  async getTree(name: string): Promise<TreeInfo | null> {
    return this.#run('getTree', () => {
      const r = this.#s.treeByName.get(name) as Row | undefined;
      return r ? toTree(r) : null;
    });
  }

  async listTrees(): Promise<TreeInfo[]> {
    return this.#run('listTrees', () => (this.#s.listTrees.all() as Row[]).map(toTree));
  }

  async queueLeaves(treeId: number, leaves: readonly NewLeaf[]): Promise<QueueResult[]> {
    return this.#run('queueLeaves', () =>
      this.#db.immediate(() => {
        if (!this.#s.treeById.get(treeId)) throw new StorageError('NOT_FOUND', `no tree with id ${treeId}`);
        // Dedup on the full identity hash (keys are only 6 bytes: hash-key.ts). The stored leaves
        // sharing a key with the batch come in one statement, not one lookup per leaf; the write
        // lock (BEGIN IMMEDIATE) keeps any other writer from inserting one meanwhile.
        const keys = leaves.map((l) => hashKey(l.identityHash));
        const stored = new Map<number, Row[]>();
        for (const r of this.#s.leavesByIdentityKeys.all(treeId, JSON.stringify(keys))) push(stored, r.identity_key as number, r);
        const queued = new Map<number, StoredLeaf[]>(); // this call's leaves inserted so far: the first wins
        return leaves.map((l, i): QueueResult => {
          const key = keys[i];
          const row = stored.get(key)?.find((r) => l.identityHash.equals(r.identity_hash as Buffer));
          if (row) return { leaf: this.#toLeaf(treeId, row), duplicate: true };
          const first = queued.get(key)?.find((q) => l.identityHash.equals(q.identityHash));
          if (first) return { leaf: first, duplicate: true };
          // A leaf hash equal to the identity hash is found through the identity key (migration 4).
          const leafKey = l.leafHash.equals(l.identityHash) ? null : hashKey(l.leafHash);
          const rank = l.labelRank ?? NO_RANK;
          this.#s.insertLeaf.run(treeId, l.identityHash, key, l.leafHash, leafKey, l.value, l.extraData, l.label, rank, l.queuedAt);
          const leaf = insertedLeaf(l);
          push(queued, key, leaf);
          return { leaf, duplicate: false };
        });
      }),
    );
  }

  async pendingLeaves(treeId: number, limit: number): Promise<PendingLeaf[]> {
    return this.#run('pendingLeaves', () =>
      this.#s.pending.all(treeId, treeId, limit).map((r) => ({
        queueId: r.queue_id as number,
        leafHash: r.leaf_hash as Buffer,
        queuedAt: r.queued_at as number,
      })),
    );
  }

  async pendingCount(treeId: number): Promise<number> {
    return this.#run('pendingCount', () => (this.#s.pendingCount.get(treeId, treeId)?.n as number) ?? 0);
  }

  async integrate(treeId: number, x: Integration): Promise<void> {
    if (x.head.revision !== x.expectedRevision + 1) {
      throw new StorageError('CORRUPT', `new head revision ${x.head.revision}, want ${x.expectedRevision + 1}`);
    }
    if (x.head.size !== x.firstIndex + x.queueIds.length) {
      throw new StorageError('CORRUPT', `new head size ${x.head.size}, want ${x.firstIndex} + ${x.queueIds.length} leaves`);
    }
    return this.#run('integrate', () =>
      this.#db.immediate(() => {
        const cur = this.#s.treeState.get(treeId) as { revision: number; sequenced_to: number } | undefined;
        if (cur === undefined) throw new StorageError('NOT_FOUND', `no tree with id ${treeId}`);
        if (cur.revision !== x.expectedRevision) {
          throw new StorageError('CONFLICT', `tree ${treeId} is at revision ${cur.revision}, want ${x.expectedRevision}`);
        }
        const size = this.#s.headSize.get(treeId, cur.revision)?.size as number;
        if (x.firstIndex !== size) throw new StorageError('CORRUPT', `batch starts at index ${x.firstIndex}, want the tree size ${size}`);
        const ids = x.queueIds;
        let sequencedTo = cur.sequenced_to;
        if (ids.length > 0) {
          // The batch must be exactly the oldest pending leaves, in order.
          const last = ids[ids.length - 1];
          const between = this.#s.countQueued.get(treeId, cur.sequenced_to, last)?.n as number;
          if (ids[0] <= cur.sequenced_to || between !== ids.length) {
            throw new StorageError('CONFLICT', `batch ${ids[0]}..${last} is not the head of the queue (sequenced to ${cur.sequenced_to})`);
          }
          // One segment per run of consecutive queue ids.
          for (let i = 0; i < ids.length; ) {
            let j = i + 1;
            while (j < ids.length && ids[j] === ids[j - 1] + 1) j++;
            this.#s.insertSegment.run(treeId, x.firstIndex + i, ids[i], j - i);
            i = j;
          }
          sequencedTo = last;
        }
        for (const t of x.tiles) this.#s.putTile.run(treeId, t.id.level, t.id.index, t.data);
        this.#insertHead(treeId, x.head);
        this.#s.setRevision.run(x.head.revision, sequencedTo, treeId);
      }),
    );
  }

  async latestHead(treeId: number): Promise<StoredHead | null> {
    return this.#run('latestHead', () => {
      const r = this.#s.latestHead.get(treeId) as Row | undefined;
      return r ? toHead(r) : null;
    });
  }

  async headAtRevision(treeId: number, revision: number): Promise<StoredHead | null> {
    return this.#run('headAtRevision', () => {
      const r = this.#s.headAt.get(treeId, revision) as Row | undefined;
      return r ? toHead(r) : null;
    });
  }

  async getTiles(treeId: number, ids: readonly TileId[]): Promise<(Buffer | undefined)[]> {
    return this.#run('getTiles', () => ids.map((t) => this.#s.getTile.get(treeId, t.level, t.index)?.data as Buffer | undefined));
  }

  async leavesByRange(treeId: number, start: number, end: number): Promise<StoredLeaf[]> {
    return this.#run('leavesByRange', () => {
      const out: StoredLeaf[] = [];
      for (const seg of this.#s.segmentsInRange.all(treeId, treeId, start, end) as unknown as Segment[]) {
        if (seg.first_index > start + out.length) break; // a gap: stop
        const from = Math.max(start, seg.first_index);
        const to = Math.min(end, seg.first_index + seg.count);
        const q0 = seg.first_queue_id + (from - seg.first_index);
        let index = from;
        for (const r of this.#s.leavesByQueueRange.all(q0, q0 + (to - from) - 1)) {
          out.push(leafFromRow(r, index++));
        }
      }
      return out;
    });
  }

  async leavesByLeafHash(treeId: number, leafHash: Buffer): Promise<StoredLeaf[]> {
    return this.#run('leavesByLeafHash', () => {
      const key = hashKey(leafHash);
      const rows = this.#s.leavesByHash.all(treeId, key, leafHash, treeId, key, leafHash) as Row[];
      const leaves = rows.map((r) => this.#toLeaf(treeId, r));
      // Sequenced first, by index; then queued, in queue order (the query's order).
      return leaves.sort((a, b) => (a.index ?? Number.MAX_SAFE_INTEGER) - (b.index ?? Number.MAX_SAFE_INTEGER));
    });
  }

  async leafByIdentityHash(treeId: number, identityHash: Buffer): Promise<StoredLeaf | null> {
    return this.#run('leafByIdentityHash', () => {
      const r = this.#s.leafByIdentity.get(treeId, hashKey(identityHash), identityHash) as Row | undefined;
      return r ? this.#toLeaf(treeId, r) : null;
    });
  }

  async latestLeafByLabel(treeId: number, label: string): Promise<StoredLeaf | null> {
    return this.#run('latestLeafByLabel', () => {
      const r = this.#s.latestByLabel.get(treeId, label) as Row | undefined;
      return r ? this.#toLeaf(treeId, r) : null;
    });
  }

  async acquireLease(treeId: number, holder: string, ttlMs: number): Promise<boolean> {
    return this.#run('acquireLease', () => {
      const now = Date.now(); // one machine, one clock
      return this.#s.takeLease.run(treeId, holder, now + ttlMs, holder, now).changes === 1;
    });
  }

  async releaseLease(treeId: number, holder: string): Promise<void> {
    return this.#run('releaseLease', () => {
      this.#s.dropLease.run(treeId, holder);
    });
  }

  async ping(): Promise<void> {
    return this.#run('ping', () => {
      this.#s.ping.get();
    });
  }

  async close(): Promise<void> {
    this.#db.close();
  }

  /** A leaf row with its index looked up in the segments (null while queued). */
  #toLeaf(treeId: number, r: Row): StoredLeaf {
    const q = r.queue_id as number;
    const seg = this.#s.segmentForQueueId.get(treeId, q) as Segment | undefined;
    const index = seg && q < seg.first_queue_id + seg.count ? seg.first_index + (q - seg.first_queue_id) : null;
    return leafFromRow(r, index);
  }

  #insertHead(treeId: number, h: StoredHead): void {
    this.#s.insertHead.run(treeId, h.revision, h.size, h.rootHash, h.timestamp, joinHashes(h.compactRange), h.logRoot, h.signature);
  }

  async #run<T>(op: string, fn: () => T): Promise<T> {
    try {
      return fn();
    } catch (err) {
      throw sqliteError(err, op);
    }
  }
}

const LEAF_COLS = 'queue_id, identity_hash, leaf_hash, value, extra_data, label, label_rank, queued_at';

/**
 * latestLeafByLabel: one backwards seek in leaves_by_label (tree_id, label,
 * label_rank, queue_id; migration 2), no sort. BLOBs compare with memcmp, a
 * prefix first, as the contract wants. Exported for the query-plan test.
 */
export const LATEST_BY_LABEL_SQL = `SELECT ${LEAF_COLS} FROM leaves WHERE tree_id = ? AND label = ?
  ORDER BY label_rank DESC, queue_id DESC LIMIT 1`;

/**
 * leavesByLeafHash: a leaf whose leaf hash is its identity hash has no leaf
 * key (migration 4) and is found by its identity key; any other by its leaf
 * key. Both halves are index seeks; the full hash decides. Exported for the
 * query-plan test.
 */
export const LEAVES_BY_HASH_SQL = `SELECT ${LEAF_COLS} FROM leaves
  WHERE tree_id = ? AND identity_key = ? AND leaf_key IS NULL AND identity_hash = ?
  UNION ALL SELECT ${LEAF_COLS} FROM leaves WHERE tree_id = ? AND leaf_key = ? AND leaf_hash = ?
  ORDER BY queue_id`;

/** queueLeaves' dedup lookup: the keys come as one JSON array, one statement for a whole batch whatever its size. */
export const LEAVES_BY_IDENTITY_KEYS_SQL = `SELECT ${LEAF_COLS}, identity_key FROM leaves
  WHERE tree_id = ? AND identity_key IN (SELECT value FROM json_each(?))`;

function prepare(db: SqliteDatabase) {
  const leafCols = LEAF_COLS;
  return {
    treeByName: db.prepare('SELECT * FROM trees WHERE name = ?'),
    treeById: db.prepare('SELECT id FROM trees WHERE id = ?'),
    listTrees: db.prepare('SELECT * FROM trees ORDER BY id'),
    insertTree: db.prepare('INSERT INTO trees (name, personality, public_key, created_at, revision) VALUES (?, ?, ?, ?, ?)'),
    treeState: db.prepare('SELECT revision, sequenced_to FROM trees WHERE id = ?'),
    setRevision: db.prepare('UPDATE trees SET revision = ?, sequenced_to = ? WHERE id = ?'),
    insertLeaf: db.prepare(
      `INSERT INTO leaves (tree_id, identity_hash, identity_key, leaf_hash, leaf_key, value, extra_data, label, label_rank, queued_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    leavesByIdentityKeys: db.prepare(LEAVES_BY_IDENTITY_KEYS_SQL),
    leafByIdentity: db.prepare(`SELECT ${leafCols} FROM leaves WHERE tree_id = ? AND identity_key = ? AND identity_hash = ?`),
    pending: db.prepare(
      'SELECT queue_id, leaf_hash, queued_at FROM leaves WHERE tree_id = ? AND queue_id > (SELECT sequenced_to FROM trees WHERE id = ?) ORDER BY queue_id LIMIT ?',
    ),
    pendingCount: db.prepare(
      'SELECT count(*) AS n FROM leaves WHERE tree_id = ? AND queue_id > (SELECT sequenced_to FROM trees WHERE id = ?)',
    ),
    countQueued: db.prepare('SELECT count(*) AS n FROM leaves WHERE tree_id = ? AND queue_id > ? AND queue_id <= ?'),
    insertSegment: db.prepare('INSERT INTO segments (tree_id, first_index, first_queue_id, count) VALUES (?, ?, ?, ?)'),
    segmentForQueueId: db.prepare(
      'SELECT first_index, first_queue_id, count FROM segments WHERE tree_id = ? AND first_queue_id <= ? ORDER BY first_queue_id DESC LIMIT 1',
    ),
    segmentsInRange: db.prepare(
      `SELECT first_index, first_queue_id, count FROM segments
       WHERE tree_id = ? AND first_index >= coalesce((SELECT max(first_index) FROM segments WHERE tree_id = ? AND first_index <= ?), 0)
         AND first_index < ? ORDER BY first_index`,
    ),
    leavesByQueueRange: db.prepare(`SELECT ${leafCols} FROM leaves WHERE queue_id BETWEEN ? AND ? ORDER BY queue_id`),
    putTile: db.prepare('INSERT OR REPLACE INTO tiles (tree_id, level, idx, data) VALUES (?, ?, ?, ?)'),
    getTile: db.prepare('SELECT data FROM tiles WHERE tree_id = ? AND level = ? AND idx = ?'),
    insertHead: db.prepare(
      'INSERT INTO heads (tree_id, revision, size, root_hash, timestamp, compact_range, log_root, signature) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    ),
    latestHead: db.prepare('SELECT * FROM heads WHERE tree_id = ? ORDER BY revision DESC LIMIT 1'),
    headSize: db.prepare('SELECT size FROM heads WHERE tree_id = ? AND revision = ?'),
    headAt: db.prepare('SELECT * FROM heads WHERE tree_id = ? AND revision = ?'),
    leavesByHash: db.prepare(LEAVES_BY_HASH_SQL),
    latestByLabel: db.prepare(LATEST_BY_LABEL_SQL),
    takeLease: db.prepare(
      `INSERT INTO leases (tree_id, holder, expires_at) VALUES (?, ?, ?)
       ON CONFLICT (tree_id) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
       WHERE leases.holder = ? OR leases.expires_at < ?`,
    ),
    dropLease: db.prepare('DELETE FROM leases WHERE tree_id = ? AND holder = ?'),
    ping: db.prepare('SELECT 1'),
  };
}

function toTree(r: Row): TreeInfo {
  return {
    id: r.id as number,
    name: r.name as string,
    personality: r.personality as string,
    publicKey: r.public_key as Buffer,
    createdAt: r.created_at as number,
  };
}

function leafFromRow(r: Row, index: number | null): StoredLeaf {
  return {
    identityHash: r.identity_hash as Buffer,
    leafHash: r.leaf_hash as Buffer,
    value: r.value as Buffer,
    extraData: (r.extra_data as Buffer | null) ?? null,
    label: (r.label as string | null) ?? null,
    labelRank: r.label_rank as Buffer,
    queuedAt: r.queued_at as number,
    index,
  };
}

function toHead(r: Row): StoredHead {
  return {
    revision: r.revision as number,
    size: r.size as number,
    rootHash: r.root_hash as Buffer,
    timestamp: r.timestamp as number,
    compactRange: splitHashes(r.compact_range as Buffer),
    logRoot: r.log_root as Buffer,
    signature: r.signature as Buffer,
  };
}
