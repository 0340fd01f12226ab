/**
 * TEST ONLY: a LogStorage that wraps a real one and fails chosen calls, to
 * test what callers (the sequencer, the log) do when storage fails, the way
 * Sunlight's TestSequenceErrors does. Two ways to fail, per method:
 *
 * - 'fail': the call throws before reaching storage; nothing was written.
 * - 'fail-after-persist': the call reaches storage and completes (the write
 *   is durable), then throws, as when a commit succeeds but its answer is
 *   lost with the connection. The caller cannot tell the two apart, and must
 *   not assume either.
 *
 * Faults are armed with `failNext` and consumed in call order.
 */
import type { Integration, LogStorage, NewLeaf, PendingLeaf, QueueResult, StoredHead, StoredLeaf, TreeInfo } from '../../src/log/index.ts';
import type { TileId } from '../../src/merkle/index.ts';

export type FaultMode = 'fail' | 'fail-after-persist';
export type StorageMethod = Exclude<keyof LogStorage, 'close'>;

interface Armed {
  readonly mode: FaultMode;
  readonly error: () => Error;
  /** Calls still let through before the first failure. */
  skip: number;
  times: number;
}

export class FaultyStorage implements LogStorage {
  readonly #inner: LogStorage;
  readonly #armed = new Map<StorageMethod, Armed>();
  /** Every call, in order, failed ones included. */
  readonly calls: StorageMethod[] = [];
  /** Faults that fired, in order; `at` is the call's position in `calls`. */
  readonly fired: { method: StorageMethod; mode: FaultMode; error: Error; at: number }[] = [];

  constructor(inner: LogStorage) {
    this.#inner = inner;
  }

  /** After letting `skip` calls through, the next `times` calls of `method` fail in `mode` with a fresh `error()` each. */
  failNext(method: StorageMethod, mode: FaultMode, error: () => Error, times = 1, skip = 0): void {
    this.#armed.set(method, { mode, error, times, skip });
  }

  /** Calls of `method` at positions ≥ `from` in `calls`. */
  count(method: StorageMethod, from = 0): number {
    return this.calls.slice(from).filter((m) => m === method).length;
  }

  async #call<T>(method: StorageMethod, run: () => Promise<T>): Promise<T> {
    this.calls.push(method);
    const a = this.#armed.get(method);
    if (!a || a.times <= 0) return run();
    if (a.skip > 0) {
      a.skip--;
      return run();
    }
    a.times--;
    const error = a.error();
    this.fired.push({ method, mode: a.mode, error, at: this.calls.length - 1 });
    if (a.mode === 'fail-after-persist') await run();
    throw error;
  }

  createTree(spec: Omit<TreeInfo, 'id' | 'createdAt'>, head: StoredHead, now: number): Promise<TreeInfo> {
    return this.#call('createTree', () => this.#inner.createTree(spec, head, now));
  }
  getTree(name: string): Promise<TreeInfo | null> {
    return this.#call('getTree', () => this.#inner.getTree(name));
  }
  listTrees(): Promise<TreeInfo[]> {
    return this.#call('listTrees', () => this.#inner.listTrees());
  }
  queueLeaves(treeId: number, leaves: readonly NewLeaf[]): Promise<QueueResult[]> {
    return this.#call('queueLeaves', () => this.#inner.queueLeaves(treeId, leaves));
  }
  pendingLeaves(treeId: number, limit: number): Promise<PendingLeaf[]> {
    return this.#call('pendingLeaves', () => this.#inner.pendingLeaves(treeId, limit));
  }
  pendingCount(treeId: number): Promise<number> {
    return this.#call('pendingCount', () => this.#inner.pendingCount(treeId));
  }
  integrate(treeId: number, integration: Integration): Promise<void> {
    return this.#call('integrate', () => this.#inner.integrate(treeId, integration));
  }
  latestHead(treeId: number): Promise<StoredHead | null> {
    return this.#call('latestHead', () => this.#inner.latestHead(treeId));
  }
  headAtRevision(treeId: number, revision: number): Promise<StoredHead | null> {
    return this.#call('headAtRevision', () => this.#inner.headAtRevision(treeId, revision));
  }
  getTiles(treeId: number, ids: readonly TileId[]): Promise<(Buffer | undefined)[]> {
    return this.#call('getTiles', () => this.#inner.getTiles(treeId, ids));
  }
  leavesByRange(treeId: number, start: number, end: number): Promise<StoredLeaf[]> {
    return this.#call('leavesByRange', () => this.#inner.leavesByRange(treeId, start, end));
  }
  leavesByLeafHash(treeId: number, leafHash: Buffer): Promise<StoredLeaf[]> {
    return this.#call('leavesByLeafHash', () => this.#inner.leavesByLeafHash(treeId, leafHash));
  }
  leafByIdentityHash(treeId: number, identityHash: Buffer): Promise<StoredLeaf | null> {
    return this.#call('leafByIdentityHash', () => this.#inner.leafByIdentityHash(treeId, identityHash));
  }
  latestLeafByLabel(treeId: number, label: string): Promise<StoredLeaf | null> {
    return this.#call('latestLeafByLabel', () => this.#inner.latestLeafByLabel(treeId, label));
  }
  acquireLease(treeId: number, holder: string, ttlMs: number): Promise<boolean> {
    return this.#call('acquireLease', () => this.#inner.acquireLease(treeId, holder, ttlMs));
  }
  releaseLease(treeId: number, holder: string): Promise<void> {
    return this.#call('releaseLease', () => this.#inner.releaseLease(treeId, holder));
  }
  ping(): Promise<void> {
    return this.#call('ping', () => this.#inner.ping());
  }
  close(): Promise<void> {
    return this.#inner.close();
  }
}
