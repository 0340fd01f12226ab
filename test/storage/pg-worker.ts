/**
 * Child process for the PostgreSQL multi-process tests. One of three roles,
 * each on its own PostgresStorage (its own pool), like separate frontends:
 *
 *   queue <url> <keyFile> <tree> <worker> <count> <batch> <overlap>
 *       Queues `count` leaves in calls of `batch` through Log (group
 *       commit), and prints "ack <i> <n>" once leaves worker-i … i+n-1 are
 *       durable, and "retries <n>" at the end. A failed call (UNAVAILABLE during a fault) is retried until
 *       it succeeds, as a client would; dedup makes the retry idempotent.
 *       With overlap > 0, every leaf i < overlap is also queued by the other
 *       workers (same value, so same identity), to race the dedup.
 *   sequence <url> <keyFile> <tree> <holder> <leaseTtlMs>
 *       Runs the Sequencer loop (lease + CAS) until SIGTERM; prints "leader"
 *       and "follower" whenever its role changes, "fatal <code>" if the loop
 *       stops on a fatal error, and at the end "errors {code: count}" of the
 *       runs that failed and were retried.
 *   race <url> <keyFile> <tree>
 *       Ignores the lease: calls runOnce() back to back until SIGTERM, so two
 *       of these integrate concurrently and only the compare-and-swap keeps
 *       them apart. Prints "race <batches> <conflicts> <unavailable>" at the end.
 *
 * Errors of the pool never kill the process (PostgresStorage absorbs them);
 * an uncaught error does, and the parent test fails on the exit code.
 */
import { readFileSync } from 'node:fs';
import { Registry } from 'prom-client';
import { parsePrivateKey, signerFromPrivateKey } from '../../src/crypto/index.ts';
import { isError } from '../../src/errors.ts';
import { Log, LogMetrics, Sequencer, StorageError } from '../../src/log/index.ts';
import { PostgresStorage } from '../../src/storage/postgres/index.ts';
import { workerLeaf } from './pg-procs.ts';

const [role, url, keyFile, treeName, ...rest] = process.argv.slice(2);
const signer = signerFromPrivateKey(parsePrivateKey(readFileSync(keyFile)));
const storage = await PostgresStorage.open(url, { poolSize: 4 });
const log = await Log.open(storage, treeName, signer);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const out = (s: string) => process.stdout.write(`${s}\n`);

if (role === 'queue') {
  const [worker, count, batch, overlap] = rest.map(Number);
  let retries = 0;
  for (let i = 0; i < count; i += batch) {
    const n = Math.min(batch, count - i);
    const inputs = Array.from({ length: n }, (_, j) => ({ value: workerLeaf(worker, i + j, overlap) }));
    for (;;) {
      try {
        // Split into a few concurrent calls so the group commit is exercised.
        await Promise.all([0, 1, 2].map((k) => log.queueLeaves(inputs.filter((_, j) => j % 3 === k))));
        break;
      } catch (err) {
        if (!isError(err, StorageError, 'UNAVAILABLE')) throw err;
        retries++;
        await sleep(50);
      }
    }
    out(`ack ${i} ${n}`);
  }
  out(`retries ${retries}`);
  out('done');
  await storage.close();
} else if (role === 'sequence') {
  const [holder, ttl] = rest;
  const registry = new Registry();
  const metrics = new LogMetrics(registry);
  const seq = new Sequencer({
    storage,
    tree: log.tree,
    signer,
    holder,
    metrics,
    leaseTtlMs: Number(ttl),
    intervalMs: 20,
    batchSize: 500,
    maxRootAgeMs: 0,
  });
  let role = false;
  const watch = setInterval(() => {
    if (seq.fatal) {
      const code = (seq.fatal as { code?: string }).code ?? 'UNKNOWN';
      out(`fatal ${code} ${String(seq.fatal)}`);
      process.exit(1);
    }
    if (seq.isLeader !== role) {
      role = seq.isLeader;
      out(role ? 'leader' : 'follower');
    }
  }, 10);
  seq.start();
  out('ready');
  process.on('SIGTERM', async () => {
    clearInterval(watch);
    await seq.stop();
    await storage.close();
    const errors = await metrics.sequencerErrors.get();
    out(`errors ${JSON.stringify(Object.fromEntries(errors.values.map((v) => [v.labels.code, v.value])))}`);
    out('stopped');
    process.exit(0);
  });
} else if (role === 'race') {
  // A sequencer keeps its head in memory between runs, so a racer that sat
  // idle while the other integrated would lose every later round on a stale
  // revision (safe, but no race). Starting afresh after each idle poll makes
  // both racers read the current head and really contend for the next CAS.
  const fresh = () => new Sequencer({ storage, tree: log.tree, signer, batchSize: 50, maxRootAgeMs: 0 });
  let seq = fresh();
  let batches = 0;
  let conflicts = 0;
  let other = 0;
  let stopping = false;
  process.on('SIGTERM', () => {
    stopping = true;
  });
  out('ready');
  while (!stopping) {
    try {
      if ((await seq.runOnce()) > 0) batches++;
      else {
        seq = fresh();
        await sleep(1);
      }
    } catch (err) {
      if (isError(err, StorageError, 'CONFLICT')) conflicts++;
      else if (isError(err, StorageError, 'UNAVAILABLE')) other++;
      else throw err;
    }
  }
  out(`race ${batches} ${conflicts} ${other}`);
  await storage.close();
} else {
  throw new Error(`unknown role ${role}`);
}
