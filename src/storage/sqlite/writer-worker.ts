/**
 * The writer thread's side of ThreadedSqliteStorage (writer-thread.ts): one
 * SqliteStorage connection that runs every write, one call at a time, in
 * arrival order. SQLite's fsync (synchronous=FULL) blocks this thread only.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { LogStorage, QueueResult } from '../../log/index.ts';
import { SqliteHeadStore } from './head-store.ts';
import { SqliteStorage } from './sqlite-storage.ts';
import {
  type CompactQueueReply,
  reviveBuffers,
  toWireError,
  WRITE_METHODS,
  type WriterCall,
  type WriterHello,
  type WriterReply,
} from './writer-protocol.ts';

const port = parentPort;
if (!port) throw new Error('writer-worker.ts runs only as a worker thread');

const path = (workerData as { path: string }).path;
let storage: SqliteStorage;
/** Opened on the first head swap: a log-only server never needs it. */
let heads: SqliteHeadStore | undefined;
try {
  storage = SqliteStorage.open(path);
  port.postMessage({ ready: true } satisfies WriterHello);
} catch (err) {
  port.postMessage({ ready: false, error: toWireError(err) } satisfies WriterHello);
  process.exit(1);
}

const allowed = new Set<string>(WRITE_METHODS);

port.on('message', async (m: WriterCall | 'close') => {
  if (m === 'close') {
    await heads?.close();
    await storage.close();
    port.close();
    return;
  }
  let reply: WriterReply;
  try {
    if (!allowed.has(m.method)) throw new Error(`not a write method: ${m.method}`);
    const args = reviveBuffers([...m.args]);
    let value: unknown;
    if (m.method === 'compareAndSwap') {
      // Swaps wait for their group's commit at the next turn; calls arriving meanwhile join the group.
      heads ??= SqliteHeadStore.open(path);
      value = await heads.compareAndSwap(...(args as Parameters<SqliteHeadStore['compareAndSwap']>));
    } else {
      const fn = storage[m.method as keyof LogStorage] as (...a: unknown[]) => Promise<unknown>;
      // SqliteStorage does its work synchronously, so its calls never interleave.
      value = await fn.apply(storage, args);
    }
    reply = { id: m.id, value: m.method === 'queueLeaves' ? compact(value as QueueResult[]) : value };
  } catch (err) {
    reply = { id: m.id, error: toWireError(err) };
  }
  port.postMessage(reply);
});

function compact(results: QueueResult[]): CompactQueueReply {
  return results.map((r) => (r.duplicate ? r.leaf : null));
}
