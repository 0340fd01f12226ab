/**
 * Durability (issue #2 item 6): once queueLeaves resolves, the leaf survives
 * kill -9 and is sequenced after restart; heads never regress and each new
 * head is consistent with the previous one. Real child processes, real
 * SQLite file, real SIGKILL.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, it } from 'node:test';
import { Log, Sequencer, type StoredHead } from '../../src/log/index.ts';
import { CompactRange, hashLeaf, verifyConsistency } from '../../src/merkle/index.ts';
import { openStorage } from '../../src/storage/index.ts';
import { tempDir } from '../support/temp-dir.ts';
import { leafValue, newKey } from './fixtures.ts';

const CHILD = new URL('./durability-child.ts', import.meta.url).pathname;

/** Runs the child until it has acknowledged at least `minAcks` leaves (and ~300 ms more), then SIGKILLs it. */
function runAndKill(args: string[], minAcks: number): Promise<Set<number>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    const acked = new Set<number>();
    let killTimer: NodeJS.Timeout | null = null;
    createInterface({ input: child.stdout }).on('line', (line) => {
      const m = /^ack (\d+) (\d+)$/.exec(line);
      if (!m) return;
      for (let i = 0; i < Number(m[2]); i++) acked.add(Number(m[1]) + i);
      if (acked.size >= minAcks && !killTimer) killTimer = setTimeout(() => child.kill('SIGKILL'), 300);
    });
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve(acked);
      else reject(new Error(`child exited with ${code ?? signal} before it was killed`));
    });
  });
}

// The child writes on the event loop (SqliteStorage) or on a writer thread (what servers use).
for (const mode of ['event-loop', 'writer-thread'] as const)
  describe(`durability under kill -9 (SQLite, writes ${mode === 'event-loop' ? 'on the event loop' : 'on a writer thread'})`, () => {
    it('keeps every acknowledged leaf across two kills and sequences it after restart', { timeout: 120_000 }, async () => {
      const dir = tempDir('gv-durability-');
      const dbUrl = `sqlite:${join(dir, 'log.db')}`;
      const keyFile = join(dir, 'key.pem');
      const { signer, pem } = newKey();
      writeFileSync(keyFile, pem);
      {
        const s = await openStorage(dbUrl);
        await Log.create(s, 'dur', 'log', signer);
        await s.close();
      }
      const acked = new Set<number>();
      for (const start of [0, 1_000_000]) {
        for (const i of await runAndKill([dbUrl, keyFile, 'dur', String(start), mode], 2000)) acked.add(i);
      }
      assert.ok(acked.size >= 4000, `only ${acked.size} leaves acknowledged`);

      // Restart: a fresh sequencer integrates what the dead processes queued.
      const storage = await openStorage(dbUrl);
      const log = await Log.open(storage, 'dur', signer);
      const seq = new Sequencer({ storage, tree: log.tree, signer, batchSize: 5000, maxRootAgeMs: 0 });
      while ((await seq.runOnce()) > 0) {}
      const head = await log.latestHead();
      assert.equal(await storage.pendingCount(log.tree.id), 0);

      // Every acknowledged leaf is in the tree.
      for (const i of acked) {
        const found = await log.getLeavesByHash(hashLeaf(leafValue(i)));
        assert.ok(found.length === 1 && found[0].index !== null && found[0].index < head.size, `acknowledged leaf ${i} lost`);
      }
      // The tree is exactly its leaves, in order.
      const range = CompactRange.empty();
      for (let at = 0; at < head.size; ) {
        const batch = await log.getLeaves(at, head.size);
        for (const l of batch) range.append(hashLeaf(l.value));
        at += batch.length;
      }
      assert.ok(range.root().equals(head.rootHash), 'recomputed root matches the signed head');

      // Heads never regress and each is consistent with its predecessor.
      let prev: StoredHead | null = null;
      for (let r = 0; r <= head.revision; r++) {
        const h = await storage.headAtRevision(log.tree.id, r);
        assert.ok(h, `head revision ${r} missing`);
        if (prev) {
          assert.ok(h.size >= prev.size && h.timestamp >= prev.timestamp, `head ${r} regressed`);
          if (prev.size > 0)
            verifyConsistency(prev.size, h.size, await log.getConsistencyProof(prev.size, h.size), prev.rootHash, h.rootHash);
        }
        prev = h;
      }
      await storage.close();
    });
  });
