/**
 * A HeadStore (src/audit/head-store.ts) on plain files, for observers that
 * run without a database: one JSON file per key in a directory, replaced
 * atomically (temporary file, fsync, rename, fsync of the directory), so a
 * `compareAndSwap` that resolved true survives a crash. One process per
 * directory: the revision check is in-process (a second process on the same
 * directory could interleave between read and rename). SQLite and
 * PostgreSQL stores come from src/storage.
 *
 * Concurrency: swaps are chained on one promise, so check-and-write is
 * atomic within the process.
 */
import { createHash } from 'node:crypto';
import { mkdir, open, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { type HeadRecord, type HeadStore, MAX_HEAD_BODY_BYTES, type StoredHeadRecord } from '../audit/index.ts';
import { StorageError } from '../log/index.ts';

interface FileRecord {
  readonly key: string;
  readonly revision: number;
  readonly size: number;
  readonly rootHash: string;
  readonly body: string;
}

export class JsonFileHeadStore implements HeadStore {
  readonly #dir: string;
  #chain: Promise<unknown> = Promise.resolve();
  #made = false;

  constructor(dir: string) {
    this.#dir = dir;
  }

  #path(key: string): string {
    return join(this.#dir, `${createHash('sha256').update(key).digest('hex').slice(0, 32)}.json`);
  }

  async get(key: string): Promise<StoredHeadRecord | null> {
    let text: string;
    try {
      text = await readFile(this.#path(key), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw new StorageError('UNAVAILABLE', `state ${key}: ${(err as Error).message}`, { cause: err });
    }
    let r: FileRecord;
    try {
      r = JSON.parse(text);
    } catch (err) {
      throw new StorageError('CORRUPT', `state ${key}: not JSON`, { cause: err });
    }
    if (r.key !== key) throw new StorageError('CORRUPT', `state file of ${key} holds key ${JSON.stringify(r.key)}`);
    return { key, revision: r.revision, size: r.size, rootHash: Buffer.from(r.rootHash, 'base64'), body: Buffer.from(r.body, 'base64') };
  }

  compareAndSwap(key: string, expectedRevision: number, next: HeadRecord): Promise<boolean> {
    const run = this.#chain.then(() => this.#swap(key, expectedRevision, next));
    this.#chain = run.catch(() => {});
    return run;
  }

  async #swap(key: string, expectedRevision: number, next: HeadRecord): Promise<boolean> {
    if (next.body.length > MAX_HEAD_BODY_BYTES)
      throw new StorageError('TOO_LARGE', `state ${key}: body of ${next.body.length} bytes, want ≤ ${MAX_HEAD_BODY_BYTES}`);
    if (!this.#made) {
      await mkdir(this.#dir, { recursive: true });
      this.#made = true;
    }
    const cur = await this.get(key);
    if ((cur?.revision ?? 0) !== expectedRevision) return false;
    const rec: FileRecord = {
      key,
      revision: expectedRevision + 1,
      size: next.size,
      rootHash: Buffer.from(next.rootHash).toString('base64'),
      body: Buffer.from(next.body).toString('base64'),
    };
    const path = this.#path(key);
    const tmp = `${path}.${process.pid}.tmp`;
    const f = await open(tmp, 'w');
    try {
      await f.writeFile(JSON.stringify(rec));
      await f.sync();
    } finally {
      await f.close();
    }
    await rename(tmp, path);
    const d = await open(this.#dir, 'r');
    try {
      await d.sync();
    } finally {
      await d.close();
    }
    return true;
  }
}
