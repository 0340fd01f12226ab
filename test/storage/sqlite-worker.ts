/**
 * Child process for the SQLite multi-process test: one of several processes
 * on one database file, each queueing into two trees (so queue ids of the
 * trees interleave) and each running both trees' sequencers back to back
 * while ignoring the lease, so only integrate's compare-and-swap keeps the
 * processes apart.
 *
 * argv: dbUrl keyFile treeA treeB worker count overlap
 * Prints "ack <value>" once a leaf of tree A is durable, "shared <i> <queuedAt>"
 * with the answer for each leaf every worker queues (same identity in all of
 * them), and "runs <integrated batches> <conflicts>" before it exits 0.
 */
import { readFileSync } from 'node:fs';
import { parsePrivateKey, signerFromPrivateKey } from '../../src/crypto/index.ts';
import { isError } from '../../src/errors.ts';
import { Log, Sequencer, StorageError } from '../../src/log/index.ts';
import { openStorage } from '../../src/storage/index.ts';

const [dbUrl, keyFile, treeA, treeB, workerArg, countArg, overlapArg] = process.argv.slice(2);
const worker = Number(workerArg);
const count = Number(countArg);
const overlap = Number(overlapArg);
const signer = signerFromPrivateKey(parsePrivateKey(readFileSync(keyFile)));
const storage = await openStorage(dbUrl);
const a = await Log.open(storage, treeA, signer);
const b = await Log.open(storage, treeB, signer);
const seqs = [a, b].map((l) => new Sequencer({ storage, tree: l.tree, signer, batchSize: 37, maxRootAgeMs: 0 }));
const out = (s: string) => process.stdout.write(`${s}\n`);

let queueing = true;
let batches = 0;
let conflicts = 0;
const race = (async () => {
  while (queueing) {
    for (const s of seqs) {
      try {
        if ((await s.runOnce()) > 0) batches++;
      } catch (err) {
        if (!isError(err, StorageError, 'CONFLICT', 'UNAVAILABLE')) throw err;
        conflicts++;
      }
    }
    await new Promise((r) => setTimeout(r, 1));
  }
})();

for (let i = 0; i < count; ) {
  const n = Math.min(count - i, 1 + ((i * 7 + worker) % 23));
  const mine = Array.from({ length: n }, (_, j) => ({ value: Buffer.from(`w${worker}-${i + j}`) }));
  const shared = Array.from({ length: n }, (_, j) => i + j)
    .filter((k) => k < overlap)
    .map((k) => ({ value: Buffer.from(`shared-${k}`), queuedAt: worker * 1_000_000 + k }));
  const [ra] = await Promise.all([a.queueLeaves([...mine, ...shared]), b.queueLeaves(mine)]);
  for (const r of ra.slice(0, n)) out(`ack ${r.leaf.value.toString()}`);
  for (const [j, r] of ra.slice(n).entries()) out(`shared ${i + j} ${r.leaf.queuedAt}`);
  i += n;
}
queueing = false;
await race;
out(`runs ${batches} ${conflicts}`);
await storage.close();
