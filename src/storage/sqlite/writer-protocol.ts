/**
 * Messages between ThreadedSqliteStorage (writer-thread.ts) and its worker
 * (writer-worker.ts), and the two things structured cloning loses on the way:
 * Buffers arrive as plain Uint8Arrays, and errors lose their class.
 */
import { StorageError, type StorageErrorCode, type StoredLeaf } from '../../log/index.ts';

/**
 * What runs on the writer thread: the LogStorage writes, ping (does the
 * thread answer?), and the HeadStore's compareAndSwap (head-store.ts; its
 * swaps group-commit on the thread as they do on the event loop).
 */
export const WRITE_METHODS = ['createTree', 'queueLeaves', 'integrate', 'acquireLease', 'releaseLease', 'ping', 'compareAndSwap'] as const;

/**
 * queueLeaves answers, per leaf, null when it was inserted (the caller has
 * it already: sending it back would clone every value twice) or the stored
 * leaf when it was a duplicate.
 */
export type CompactQueueReply = (StoredLeaf | null)[];
export type WriteMethod = (typeof WRITE_METHODS)[number];

export interface WriterCall {
  readonly id: number;
  readonly method: WriteMethod;
  readonly args: readonly unknown[];
}

export interface WireError {
  readonly name: string;
  readonly code?: string;
  readonly message: string;
}

export type WriterReply = { readonly id: number; readonly value: unknown } | { readonly id: number; readonly error: WireError };

/** The worker's first message: the database is open (or why it is not). */
export type WriterHello = { readonly ready: true } | { readonly ready: false; readonly error: WireError };

export function toWireError(err: unknown): WireError {
  if (err instanceof Error) return { name: err.name, code: (err as { code?: unknown }).code as string | undefined, message: err.message };
  return { name: 'Error', message: String(err) };
}

/**
 * A StorageError again when it was one; anything else was a bug on the
 * writer side and stays a plain Error (never mistaken for an outage).
 */
export function fromWireError(e: WireError): Error {
  if (e.name === 'StorageError' && e.code) return new StorageError(e.code as StorageErrorCode, e.message);
  const err = new Error(`SQLite writer thread: ${e.message}`);
  err.name = e.name;
  return err;
}

/** Makes every Uint8Array in a cloned value a Buffer again (in place for objects and arrays). */
export function reviveBuffers<T>(x: T): T {
  if (x instanceof Uint8Array) return (Buffer.isBuffer(x) ? x : Buffer.from(x.buffer, x.byteOffset, x.byteLength)) as T;
  if (Array.isArray(x)) {
    for (let i = 0; i < x.length; i++) x[i] = reviveBuffers(x[i]);
    return x;
  }
  if (x !== null && typeof x === 'object') {
    const o = x as Record<string, unknown>;
    for (const k of Object.keys(o)) o[k] = reviveBuffers(o[k]);
  }
  return x;
}
