/**
 * Child process for the kill -9 durability test: queues leaves as fast as it
 * can with a sequencer running, and prints "ack <first> <count>" after each
 * queue call resolves. The parent kills it with SIGKILL mid-load.
 * argv: dbUrl keyFile treeName startAt event-loop|writer-thread
 */
import { readFileSync } from 'node:fs';
import { parsePrivateKey, signerFromPrivateKey } from '../../src/crypto/index.ts';
import { Log, Sequencer } from '../../src/log/index.ts';
import { openStorage } from '../../src/storage/index.ts';
import { leafValue } from './fixtures.ts';

const [dbUrl, keyFile, name, startArg, mode] = process.argv.slice(2);
const signer = signerFromPrivateKey(parsePrivateKey(readFileSync(keyFile)));
const storage = await openStorage(dbUrl, { writerThread: mode === 'writer-thread' });
const log = await Log.open(storage, name, signer);
const seq = new Sequencer({ storage, tree: log.tree, signer, intervalMs: 20, batchSize: 500, leaseTtlMs: 500 });
seq.start();
let next = Number(startArg);
process.stdout.write('ready\n');
for (;;) {
  const n = 1 + Math.floor(Math.random() * 50);
  const first = next;
  next += n;
  // Several concurrent calls exercise the group commit too.
  await Promise.all(Array.from({ length: n }, (_, i) => log.queueLeaf({ value: leafValue(first + i) })));
  process.stdout.write(`ack ${first} ${n}\n`);
}
