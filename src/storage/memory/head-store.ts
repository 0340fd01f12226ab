/**
 * HeadStore in process memory: for tests and for observers that keep no
 * state across restarts (say so where it is used). Not durable.
 *
 * Concurrency: each call runs to completion synchronously inside its
 * promise, so swaps of one key are decided in call order.
 */
import { type HeadRecord, type HeadStore, MAX_HEAD_BODY_BYTES, type StoredHeadRecord } from '../../audit/index.ts';
import { StorageError } from '../../log/index.ts';

export class MemoryHeadStore implements HeadStore {
  readonly #records = new Map<string, StoredHeadRecord>();

  async get(key: string): Promise<StoredHeadRecord | null> {
    return this.#records.get(key) ?? null;
  }

  async compareAndSwap(key: string, expectedRevision: number, next: HeadRecord): Promise<boolean> {
    if (next.body.length > MAX_HEAD_BODY_BYTES) {
      throw new StorageError('TOO_LARGE', `head record body of ${next.body.length} bytes, want at most ${MAX_HEAD_BODY_BYTES}`);
    }
    const revision = this.#records.get(key)?.revision ?? 0;
    if (revision !== expectedRevision) return false;
    this.#records.set(key, {
      key,
      revision: revision + 1,
      size: next.size,
      rootHash: Buffer.from(next.rootHash),
      body: Buffer.from(next.body),
    });
    return true;
  }

  async close(): Promise<void> {}
}
