/**
 * SQLite with its writes on a worker thread: what servers use.
 *
 * SQLite's drivers are synchronous, so on the event loop every commit holds up
 * every request for its inserts and its fsync (synchronous=FULL). Here a
 * worker thread owns a second connection and runs the writes (queueLeaves,
 * integrate, createTree, leases); the main thread keeps its own connection
 * for reads, which in WAL mode never wait for the writer.
 *
 * What stays true (the LogStorage contract, same suite as SqliteStorage):
 * - A write resolves only after the writer's transaction committed with
 *   synchronous=FULL, so an acknowledged leaf survives kill -9 and power loss.
 * - Read-your-writes: a read that starts after a write resolved opens a new
 *   WAL snapshot, which includes that commit.
 * - Writes run one at a time in call order (one thread, one connection).
 * - If the thread dies, its calls in flight fail with StorageError
 *   UNAVAILABLE (their outcome unknown, like a dropped database connection)
 *   and the next write starts a new thread. Nothing acknowledged is lost.
 *
 * `:memory:` cannot be shared between two connections: use SqliteStorage.
 */
import { Worker } from 'node:worker_threads';
import { type HeadStore, MAX_HEAD_BODY_BYTES } from '../../audit/index.ts';
import type { Integration, LogStorage, NewLeaf, PendingLeaf, QueueResult, StoredHead, StoredLeaf, TreeInfo } from '../../log/index.ts';
import { StorageError } from '../../log/index.ts';
import type { TileId } from '../../merkle/index.ts';
import { SqliteHeadStore } from './head-store.ts';
import { insertedLeaf, SqliteStorage } from './sqlite-storage.ts';
import {
  type CompactQueueReply,
  fromWireError,
  reviveBuffers,
  type WriteMethod,
  type WriterHello,
  type WriterReply,
} from './writer-protocol.ts';

/**
 * The worker's entry. From the sources (tests, benches: this file is .ts) a
 * worker does not inherit tsx's loader, so writer-bootstrap.mjs registers it
 * first; in the build (scripts/build.mjs) writer-worker.js is compiled and
 * sits beside the chunk holding this code.
 */
const BOOTSTRAP = import.meta.url.endsWith('.ts')
  ? new URL('./writer-bootstrap.mjs', import.meta.url)
  : new URL('./writer-worker.js', import.meta.url);

interface Pending {
  readonly resolve: (v: unknown) => void;
  readonly reject: (e: Error) => void;
}

export class ThreadedSqliteStorage implements LogStorage {
  readonly #path: string;
  readonly #reader: SqliteStorage;
  readonly #pending = new Map<number, Pending>();
  /** The writer thread being started or running; null when there is none. */
  #worker: Promise<Worker> | null = null;
  /** The running thread, once it said ready. */
  #current: Worker | null = null;
  #nextId = 1;
  #closed = false;
  /** Reads of headStore(), opened on first use. */
  #heads: SqliteHeadStore | null = null;

  private constructor(path: string, reader: SqliteStorage) {
    this.#path = path;
    this.#reader = reader;
  }

  /** Opens the file (migrating it on the reader connection first), then starts the writer thread. */
  static async open(path: string): Promise<ThreadedSqliteStorage> {
    if (path === ':memory:' || path.trim() === '') {
      throw new StorageError('SCHEMA', `a SQLite writer thread needs a database file, got ${JSON.stringify(path)}`);
    }
    const s = new ThreadedSqliteStorage(path, SqliteStorage.open(path));
    try {
      await s.#writer();
    } catch (err) {
      await s.#reader.close();
      throw err;
    }
    return s;
  }

  // Writes: on the writer thread.
  createTree(spec: Omit<TreeInfo, 'id' | 'createdAt'>, head: StoredHead, now: number): Promise<TreeInfo> {
    return this.#call('createTree', [spec, head, now]);
  }
  async queueLeaves(treeId: number, leaves: readonly NewLeaf[]): Promise<QueueResult[]> {
    const stored = await this.#call<CompactQueueReply>('queueLeaves', [treeId, leaves]);
    return stored.map((dup, i) => (dup ? { leaf: dup, duplicate: true } : { leaf: insertedLeaf(leaves[i]), duplicate: false }));
  }
  integrate(treeId: number, integration: Integration): Promise<void> {
    return this.#call('integrate', [treeId, integration]);
  }
  acquireLease(treeId: number, holder: string, ttlMs: number): Promise<boolean> {
    return this.#call('acquireLease', [treeId, holder, ttlMs]);
  }
  releaseLease(treeId: number, holder: string): Promise<void> {
    return this.#call('releaseLease', [treeId, holder]);
  }

  /** Both connections answer: the reader here, the writer through its thread. */
  async ping(): Promise<void> {
    await this.#reader.ping();
    await this.#call('ping', []);
  }

  // Reads: on this thread's connection.
  getTree(name: string): Promise<TreeInfo | null> {
    return this.#reader.getTree(name);
  }
  listTrees(): Promise<TreeInfo[]> {
    return this.#reader.listTrees();
  }
  pendingLeaves(treeId: number, limit: number): Promise<PendingLeaf[]> {
    return this.#reader.pendingLeaves(treeId, limit);
  }
  pendingCount(treeId: number): Promise<number> {
    return this.#reader.pendingCount(treeId);
  }
  latestHead(treeId: number): Promise<StoredHead | null> {
    return this.#reader.latestHead(treeId);
  }
  headAtRevision(treeId: number, revision: number): Promise<StoredHead | null> {
    return this.#reader.headAtRevision(treeId, revision);
  }
  getTiles(treeId: number, ids: readonly TileId[]): Promise<(Buffer | undefined)[]> {
    return this.#reader.getTiles(treeId, ids);
  }
  leavesByRange(treeId: number, start: number, end: number): Promise<StoredLeaf[]> {
    return this.#reader.leavesByRange(treeId, start, end);
  }
  leavesByLeafHash(treeId: number, leafHash: Buffer): Promise<StoredLeaf[]> {
    return this.#reader.leavesByLeafHash(treeId, leafHash);
  }
  leafByIdentityHash(treeId: number, identityHash: Buffer): Promise<StoredLeaf | null> {
    return this.#reader.leafByIdentityHash(treeId, identityHash);
  }
  latestLeafByLabel(treeId: number, label: string): Promise<StoredLeaf | null> {
    return this.#reader.latestLeafByLabel(treeId, label);
  }

  /**
   * The HeadStore on this database, its swaps on this writer thread (group
   * committed there, off the event loop), its reads on this thread's own
   * connection. Closing it closes this storage.
   */
  headStore(): HeadStore & { close(): Promise<void> } {
    return {
      get: (key) => {
        this.#heads ??= SqliteHeadStore.open(this.#path);
        return this.#heads.get(key);
      },
      compareAndSwap: async (key, expectedRevision, next) => {
        if (next.body.length > MAX_HEAD_BODY_BYTES) {
          throw new StorageError('TOO_LARGE', `head record body of ${next.body.length} bytes, want at most ${MAX_HEAD_BODY_BYTES}`);
        }
        return this.#call<boolean>('compareAndSwap', [key, expectedRevision, next]);
      },
      close: () => this.close(),
    };
  }

  /**
   * Fault drill: kills the writer thread now, as a crash would. Calls in
   * flight fail with UNAVAILABLE; the next write starts a new thread.
   */
  async killWriter(): Promise<void> {
    const w = this.#current;
    if (w) await w.terminate();
  }

  /** Lets the writer finish what it was sent, stops the thread, closes both connections. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const w = await this.#worker?.catch(() => null);
    if (w) {
      const exited = new Promise<void>((resolve) => w.once('exit', () => resolve()));
      w.ref();
      w.postMessage('close');
      await exited;
    }
    await this.#heads?.close();
    await this.#reader.close();
  }

  async #call<T>(method: WriteMethod, args: readonly unknown[]): Promise<T> {
    if (this.#closed) throw new StorageError('UNAVAILABLE', `SQLite storage ${this.#path} is closed`);
    const w = await this.#writer();
    const id = this.#nextId++;
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      w.ref(); // a write in flight keeps the process alive until it is answered
      w.postMessage({ id, method, args });
    });
  }

  /** The running writer thread, started (and awaited until its database is open) when there is none. */
  #writer(): Promise<Worker> {
    this.#worker ??= this.#spawn().catch((err) => {
      this.#worker = null;
      throw err;
    });
    return this.#worker;
  }

  #spawn(): Promise<Worker> {
    return new Promise<Worker>((resolve, reject) => {
      const w = new Worker(BOOTSTRAP, { workerData: { path: this.#path }, execArgv: [] });
      let ready = false;
      w.on('message', (m: WriterHello | WriterReply) => {
        if ('ready' in m) {
          if (m.ready) {
            ready = true;
            this.#current = w;
            w.unref();
            resolve(w);
          } else reject(fromWireError(m.error));
          return;
        }
        const p = this.#pending.get(m.id);
        if (!p) return;
        this.#pending.delete(m.id);
        // An idle writer does not keep the process alive (a storage left open must not hang exit).
        if (this.#pending.size === 0) w.unref();
        if ('error' in m) p.reject(fromWireError(m.error));
        else p.resolve(reviveBuffers(m.value));
      });
      w.on('error', (err) => this.#lost(w, err, ready ? undefined : reject));
      w.on('exit', (code) => this.#lost(w, new Error(`exited with code ${code}`), ready ? undefined : reject));
    });
  }

  /** The thread is gone: fail what it had not answered; the next write starts a new one. */
  #lost(w: Worker, err: Error, rejectSpawn?: (e: Error) => void): void {
    const e = new StorageError('UNAVAILABLE', `SQLite writer thread for ${this.#path} stopped: ${err.message}`, { cause: err });
    rejectSpawn?.(e);
    if (this.#current === w) {
      this.#current = null;
      this.#worker = null;
    }
    for (const [id, p] of this.#pending) {
      this.#pending.delete(id);
      p.reject(e);
    }
  }
}
