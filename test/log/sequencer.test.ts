import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { isError, SetupError } from '../../src/errors.ts';
import { decodeLogRoot, encodeLogRoot, Log, LogError, LogMetrics, Sequencer, StorageError } from '../../src/log/index.ts';
import { CompactRange, hashLeaf, verifyConsistency } from '../../src/merkle/index.ts';
import { openStorage } from '../../src/storage/index.ts';
import { newSigner } from '../support/keys.ts';
import { tempDir } from '../support/temp-dir.ts';
import { drain, leafValue, newLog } from './fixtures.ts';

describe('Sequencer', () => {
  it('refuses a signer that is not the tree key (LogError WRONG_KEY)', async () => {
    const s = await openStorage('sqlite::memory:');
    const { log } = await newLog(s);
    assert.throws(
      () => new Sequencer({ storage: s, tree: log.tree, signer: newSigner() }),
      (e) => isError(e, LogError, 'WRONG_KEY'),
    );
    await assert.rejects(Log.open(s, 'test', newSigner()), (e) => isError(e, LogError, 'WRONG_KEY'));
  });

  it('lets only one of two racing sequencers commit each revision, and both heads chains stay consistent', async () => {
    const s = await openStorage('sqlite::memory:');
    const { log, signer } = await newLog(s);
    const a = new Sequencer({ storage: s, tree: log.tree, signer, batchSize: 7, maxRootAgeMs: 0 });
    const b = new Sequencer({ storage: s, tree: log.tree, signer, batchSize: 5, maxRootAgeMs: 0 });
    let conflicts = 0;
    for (let round = 0; round < 20; round++) {
      await log.queueLeaves(Array.from({ length: 9 }, (_, i) => ({ value: leafValue(round * 9 + i) })));
      // Both load state, then both try to integrate: the second must lose the CAS.
      const results = await Promise.allSettled([a.runOnce(), b.runOnce()]);
      for (const r of results) {
        if (r.status === 'rejected') {
          assert.ok(isError(r.reason, StorageError, 'CONFLICT'), String(r.reason));
          conflicts++;
        }
      }
    }
    await drain(a);
    const head = await log.latestHead();
    assert.equal(head.size, 180);
    const want = CompactRange.empty();
    for (let i = 0; i < 180; i++) want.append(hashLeaf(leafValue(i)));
    assert.ok(head.rootHash.equals(want.root()));
    assert.ok(conflicts > 0, 'the race was exercised');
    for (let r = 1; r <= head.revision; r++) {
      const prev = (await s.headAtRevision(log.tree.id, r - 1))!;
      const cur = (await s.headAtRevision(log.tree.id, r))!;
      if (prev.size > 0)
        verifyConsistency(prev.size, cur.size, await log.getConsistencyProof(prev.size, cur.size), prev.rootHash, cur.rootHash);
    }
  });

  it('never lets the head timestamp go backwards, even when the clock does', async () => {
    const s = await openStorage('sqlite::memory:');
    const signer = newSigner();
    await Log.create(s, 't', 'log', signer, 50_000);
    const log = await Log.open(s, 't', signer);
    let now = 40_000;
    const seq = new Sequencer({ storage: s, tree: log.tree, signer, clock: () => now, maxRootAgeMs: 0 });
    await log.queueLeaf({ value: Buffer.from('x'), queuedAt: 30_000 });
    await seq.runOnce();
    assert.equal((await log.latestHead()).timestamp, 50_000);
    now = 60_000;
    await log.queueLeaf({ value: Buffer.from('y'), queuedAt: 55_000 });
    await seq.runOnce();
    assert.equal((await log.latestHead()).timestamp, 60_000);
  });

  it("keeps the head timestamp at or after every integrated leaf's queuedAt (RFC 6962 §3.5), when the sequencer's clock lags", async () => {
    const s = await openStorage('sqlite::memory:');
    const signer = newSigner();
    await Log.create(s, 't', 'log', signer, 1_000);
    const log = await Log.open(s, 't', signer);
    // A frontend whose clock runs 5 s ahead of the sequencer's promised (e.g. an SCT at) 15_000.
    await log.queueLeaves([
      { value: Buffer.from('a'), queuedAt: 12_000 },
      { value: Buffer.from('b'), queuedAt: 15_000 },
    ]);
    const seq = new Sequencer({ storage: s, tree: log.tree, signer, clock: () => 10_000, maxRootAgeMs: 0 });
    await seq.runOnce();
    const head = await log.latestHead();
    assert.equal(head.size, 2);
    assert.equal(head.timestamp, 15_000);
  });

  it('signs a fresh head without new leaves once the latest is older than maxRootAgeMs', async () => {
    const s = await openStorage('sqlite::memory:');
    const signer = newSigner();
    await Log.create(s, 't', 'log', signer, 1000);
    const log = await Log.open(s, 't', signer);
    let now = 1500;
    const seq = new Sequencer({ storage: s, tree: log.tree, signer, clock: () => now, maxRootAgeMs: 1000 });
    assert.equal(await seq.runOnce(), 0);
    assert.equal((await log.latestHead()).revision, 0);
    now = 2500;
    await seq.runOnce();
    const h = await log.latestHead();
    assert.equal(h.revision, 1);
    assert.equal(h.size, 0);
    assert.equal(h.timestamp, 2500);
  });

  it('stops on a stored head whose signature does not verify (fatal), instead of signing over it', async () => {
    const s = await openStorage('sqlite::memory:');
    const signer = newSigner();
    await Log.create(s, 't', 'log', signer, 1000);
    const log = await Log.open(s, 't', signer);
    // A forged head written straight to storage: right shape, wrong signature.
    const forged = encodeLogRoot({ size: 0, rootHash: CompactRange.empty().root(), timestamp: 2000, revision: 1 });
    await s.integrate(log.tree.id, {
      expectedRevision: 0,
      firstIndex: 0,
      queueIds: [],
      tiles: [],
      head: {
        revision: 1,
        size: 0,
        rootHash: CompactRange.empty().root(),
        timestamp: 2000,
        compactRange: [],
        logRoot: forged,
        signature: Buffer.alloc(64),
      },
    });
    assert.equal(decodeLogRoot(forged).revision, 1);
    const seq = new Sequencer({ storage: s, tree: log.tree, signer, intervalMs: 5 });
    seq.start();
    await new Promise((r) => setTimeout(r, 100));
    await seq.stop();
    assert.ok(isError(seq.fatal, LogError, 'WRONG_KEY'), String(seq.fatal));
  });

  describe('when the stored head is damaged', () => {
    const empty = CompactRange.empty().root();
    const valid = encodeLogRoot({ size: 0, rootHash: empty, timestamp: 2000, revision: 1 });
    const cases = [
      { desc: 'a LogRoot that does not decode', logRoot: Buffer.from('not a log root'), compactRange: [] },
      { desc: 'a LogRoot with trailing bytes', logRoot: Buffer.concat([valid, Buffer.of(0)]), compactRange: [] },
      { desc: 'a compact range with a hash too many for its size', logRoot: valid, compactRange: [Buffer.alloc(32)] },
    ];
    for (const c of cases) {
      it(`stops the loop on ${c.desc} with LogError INCONSISTENT_ROOT (fatal), instead of retrying forever`, async () => {
        const s = await openStorage('sqlite::memory:');
        const signer = newSigner();
        await Log.create(s, 't', 'log', signer, 1000);
        const log = await Log.open(s, 't', signer);
        await s.integrate(log.tree.id, {
          expectedRevision: 0,
          firstIndex: 0,
          queueIds: [],
          tiles: [],
          head: {
            revision: 1,
            size: 0,
            rootHash: empty,
            timestamp: 2000,
            compactRange: c.compactRange,
            logRoot: c.logRoot,
            signature: Buffer.alloc(64),
          },
        });
        const seq = new Sequencer({ storage: s, tree: log.tree, signer, intervalMs: 5 });
        await assert.rejects(seq.runOnce(), (e) => isError(e, LogError, 'INCONSISTENT_ROOT'));
        seq.start();
        await new Promise((r) => setTimeout(r, 50));
        await seq.stop();
        assert.ok(isError(seq.fatal, LogError, 'INCONSISTENT_ROOT'), String(seq.fatal));
        assert.equal((await s.latestHead(log.tree.id))?.revision, 1, 'nothing signed over it');
      });
    }
  });

  it('runs as a loop: leaves queued while it runs are integrated within the interval', async () => {
    const s = await openStorage('sqlite::memory:');
    const { log, signer } = await newLog(s);
    const seq = new Sequencer({ storage: s, tree: log.tree, signer, intervalMs: 20, maxRootAgeMs: 0 });
    seq.start();
    await log.queueLeaves(Array.from({ length: 50 }, (_, i) => ({ value: leafValue(i) })));
    // A bound for a stuck loop, not a speed requirement: a busy machine can stall the loop for a while.
    const deadline = Date.now() + 20_000;
    while ((await log.latestHead()).size < 50 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    assert.equal((await log.latestHead()).size, 50);
    assert.ok(seq.isLeader);
    await seq.stop();
    assert.equal(await s.acquireLease(log.tree.id, 'someone-else', 1000), true, 'stop() releases the lease');
  });
});

describe('Sequencer options', () => {
  it('takes an option given as undefined as absent (its default), not as undefined', async () => {
    const s = await openStorage('sqlite::memory:');
    const { log, signer } = await newLog(s);
    const seq = new Sequencer({
      storage: s,
      tree: log.tree,
      signer,
      clock: undefined,
      batchSize: undefined,
      intervalMs: undefined,
      maxRootAgeMs: undefined,
      leaseTtlMs: undefined,
      holder: undefined,
    });
    await log.queueLeaves(Array.from({ length: 5 }, (_, i) => ({ value: leafValue(i) })));
    assert.equal(await seq.runOnce(), 5);
    assert.ok(Math.abs((await log.latestHead()).timestamp - Date.now()) < 60_000, 'the default clock is the wall clock');
    await s.close();
  });

  const bad = [
    { desc: 'a batch size of 0 (the loop would spin without sleeping)', opts: { batchSize: 0 } },
    { desc: 'a fractional batch size', opts: { batchSize: 1.5 } },
    { desc: 'a negative interval', opts: { intervalMs: -1 } },
    { desc: 'an interval that is not a number', opts: { intervalMs: Number.NaN } },
    { desc: 'a negative maximum root age', opts: { maxRootAgeMs: -5 } },
    { desc: 'a lease of 0 ms', opts: { leaseTtlMs: 0 } },
  ];
  for (const c of bad) {
    it(`refuses ${c.desc} with SetupError BAD_CONFIG`, async () => {
      const s = await openStorage('sqlite::memory:');
      const { log, signer } = await newLog(s);
      assert.throws(
        () => new Sequencer({ storage: s, tree: log.tree, signer, ...c.opts }),
        (e) => isError(e, SetupError, 'BAD_CONFIG'),
      );
      await s.close();
    });
  }
});

describe('Sequencer metrics', () => {
  it('reports the backlog left after a full batch in grapevine_log_pending_leaves, and 0 once drained', async () => {
    const s = await openStorage('sqlite::memory:');
    const { log, signer } = await newLog(s);
    const metrics = new LogMetrics(new Registry());
    const seen: number[] = [];
    const set = metrics.pendingLeaves.set.bind(metrics.pendingLeaves);
    metrics.pendingLeaves.set = ((labels: { tree: string }, v: number) => {
      seen.push(v);
      set(labels, v);
    }) as typeof metrics.pendingLeaves.set;
    await log.queueLeaves(Array.from({ length: 250 }, (_, i) => ({ value: leafValue(i) })));
    const seq = new Sequencer({ storage: s, tree: log.tree, signer, metrics, batchSize: 100, intervalMs: 10, maxRootAgeMs: 0 });
    seq.start();
    const deadline = Date.now() + 20_000;
    while ((await log.latestHead()).size < 250 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, 30));
    await seq.stop();
    assert.equal(seen[0], 150, `gauge values ${seen}`);
    assert.equal(seen.at(-1), 0);
    await s.close();
  });
});

describe('LogRoot codec', () => {
  it('round-trips and rejects trailing bytes and other versions', () => {
    const r = { size: 5, rootHash: Buffer.alloc(32, 1), timestamp: 123, revision: 9, metadata: Buffer.from('m') };
    const b = encodeLogRoot(r);
    assert.deepEqual(decodeLogRoot(b), r);
    assert.throws(() => decodeLogRoot(Buffer.concat([b, Buffer.of(0)])), LogError);
    const v2 = Buffer.from(b);
    v2[1] = 2;
    assert.throws(() => decodeLogRoot(v2), LogError);
    assert.throws(() => decodeLogRoot(b.subarray(0, 20)), LogError);
  });
});

describe('Sequencer edge-tile check', () => {
  it('refuses to extend a stored edge tile that disagrees with the head (fatal StorageError CORRUPT)', async () => {
    const { join } = await import('node:path');
    const { openSqlite } = await import('../../src/storage/sqlite/driver.ts');
    const file = join(tempDir('gv-edge-'), 'log.db');
    const s = await openStorage(`sqlite:${file}`);
    const { log, seq, signer } = await newLog(s);
    await log.queueLeaves(Array.from({ length: 300 }, (_, i) => ({ value: leafValue(i) })));
    await drain(seq);
    // Flip one bit of the last leaf hash in the partial level-0 tile (entries 256..299).
    const raw = openSqlite(file);
    const row = raw.prepare('SELECT data FROM tiles WHERE level = 0 AND idx = 1').get() as { data: Buffer };
    row.data[row.data.length - 1] ^= 1;
    raw.prepare('UPDATE tiles SET data = ? WHERE level = 0 AND idx = 1').run(row.data);
    raw.close();
    const fresh = new Sequencer({ storage: s, tree: log.tree, signer, maxRootAgeMs: 0 });
    await log.queueLeaf({ value: Buffer.from('next') });
    await assert.rejects(fresh.runOnce(), (e) => isError(e, StorageError, 'CORRUPT'));
    await s.close();
  });
});

describe('Log group commit', () => {
  it('splits a burst of 10,000 concurrent leaves into bounded transactions and answers each caller', async () => {
    const s = await openStorage('sqlite::memory:');
    const { log } = await newLog(s);
    let calls = 0;
    let largest = 0;
    const orig = s.queueLeaves.bind(s);
    s.queueLeaves = async (id, leaves) => {
      calls++;
      largest = Math.max(largest, leaves.length);
      return orig(id, leaves);
    };
    const res = await Promise.all(Array.from({ length: 10_000 }, (_, i) => log.queueLeaf({ value: leafValue(i) })));
    assert.ok(res.every((r, i) => r.leaf.value.equals(leafValue(i)) && !r.duplicate));
    assert.ok(largest <= 4096, `largest transaction ${largest}`);
    assert.ok(calls >= 3 && calls < 100, `${calls} transactions`);
  });
});
