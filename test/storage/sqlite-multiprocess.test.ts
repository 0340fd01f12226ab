/**
 * Several processes on one SQLite file (WAL), each queueing into two trees
 * and each sequencing both while ignoring the lease. SQLite's backend marks
 * sequenced leaves with a per-tree watermark over queue ids and maps runs of
 * them to indexes (src/storage/sqlite/schema.ts); this checks that scheme
 * end to end: every acknowledged leaf is sequenced exactly once, duplicates
 * across processes get one answer, every head extends the one before it.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, it } from 'node:test';
import { Log, type LogStorage, Sequencer, type StoredHead } from '../../src/log/index.ts';
import { CompactRange, hashLeaf, verifyConsistency } from '../../src/merkle/index.ts';
import { openStorage } from '../../src/storage/index.ts';
import { newKey } from '../log/fixtures.ts';
import { tempDir } from '../support/temp-dir.ts';

const WORKER = new URL('./sqlite-worker.ts', import.meta.url).pathname;

function run(args: string[]): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', WORKER, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    const lines: string[] = [];
    createInterface({ input: child.stdout }).on('line', (l) => lines.push(l));
    child.on('exit', (code) => (code === 0 ? resolve(lines) : reject(new Error(`worker ${args[4]} exited with ${code}`))));
  });
}

/** Rebuilds the tree from its leaves and checks every stored head against the one before. */
async function checkWholeLog(storage: LogStorage, log: Log): Promise<StoredHead> {
  const head = await log.latestHead();
  const range = CompactRange.empty();
  for (let at = 0; at < head.size; ) {
    const batch = await log.getLeaves(at, head.size);
    assert.ok(batch.length > 0, `leaves from ${at} are readable`);
    for (const l of batch) {
      assert.equal(l.index, at++);
      range.append(hashLeaf(l.value));
    }
  }
  assert.ok(range.root().equals(head.rootHash), 'the leaves fold to the signed root');
  let prev: StoredHead | null = null;
  for (let r = 0; r <= head.revision; r++) {
    const h = await storage.headAtRevision(log.tree.id, r);
    assert.ok(h, `head ${r} is kept`);
    if (prev) {
      assert.ok(h.size >= prev.size && h.timestamp >= prev.timestamp, `head ${r} does not regress`);
      if (prev.size > 0) verifyConsistency(prev.size, h.size, await log.getConsistencyProof(prev.size, h.size), prev.rootHash, h.rootHash);
    }
    prev = h;
  }
  return head;
}

describe('SQLite shared by several processes', () => {
  it('sequences every acknowledged leaf exactly once while three processes queue and race to sequence two trees', {
    timeout: 60_000,
  }, async () => {
    const dir = tempDir('gv-sqlite-mp-');
    const dbUrl = `sqlite:${join(dir, 'shared.db')}`;
    const keyFile = join(dir, 'key.pem');
    const { signer, pem } = newKey();
    writeFileSync(keyFile, pem);
    const setup = await openStorage(dbUrl);
    await Log.create(setup, 'a', 'log', signer);
    await Log.create(setup, 'b', 'log', signer);
    await setup.close();

    const WORKERS = 3;
    const COUNT = 400;
    const OVERLAP = 60;
    const outputs = await Promise.all(
      Array.from({ length: WORKERS }, (_, w) => run([dbUrl, keyFile, 'a', 'b', String(w), String(COUNT), String(OVERLAP)])),
    );

    const storage = await openStorage(dbUrl);
    const logs = await Promise.all(['a', 'b'].map((name) => Log.open(storage, name, signer)));
    for (const log of logs) {
      const seq = new Sequencer({ storage, tree: log.tree, signer, batchSize: 1000, maxRootAgeMs: 0 });
      while ((await seq.runOnce()) > 0) {}
      assert.equal(await storage.pendingCount(log.tree.id), 0);
    }
    const [a, b] = logs;
    const headA = await checkWholeLog(storage, a);
    const headB = await checkWholeLog(storage, b);
    assert.equal(headA.size, WORKERS * COUNT + OVERLAP);
    assert.equal(headB.size, WORKERS * COUNT);

    // Every acknowledged leaf of tree A is in it exactly once.
    const acked = outputs.flatMap((lines) => lines.filter((l) => l.startsWith('ack ')).map((l) => l.slice(4)));
    assert.equal(acked.length, WORKERS * COUNT);
    for (const v of acked) {
      const found = await a.getLeavesByHash(hashLeaf(Buffer.from(v)));
      assert.equal(found.length, 1, `leaf ${v}`);
      assert.ok(found[0].index !== null && found[0].index < headA.size, `leaf ${v} is sequenced`);
    }
    // A leaf queued by every process is stored once, and every process was told the same stored leaf.
    for (let i = 0; i < OVERLAP; i++) {
      const stored = await a.getLeafByIdentityHash(hashLeaf(Buffer.from(`shared-${i}`)));
      const told = outputs.map((lines) => lines.find((l) => l.startsWith(`shared ${i} `))?.split(' ')[2]);
      assert.deepEqual(told, Array(WORKERS).fill(String(stored?.queuedAt)), `shared leaf ${i}`);
    }
    await storage.close();
  });
});
