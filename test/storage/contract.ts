/**
 * The LogStorage contract suite (src/log/storage.ts), run against every
 * backend: SQLite (plain and with its writer thread) in sqlite.test.ts,
 * PostgreSQL in postgres.test.ts. Tests go
 * through the raw interface first, then through Log + Sequencer on top of it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { isError } from '../../src/errors.ts';
import { checkHead, type LogStorage, type NewLeaf, Sequencer, StorageError, type StoredHead, signHead } from '../../src/log/index.ts';
import { CompactRange, hashLeaf, verifyConsistency, verifyInclusion } from '../../src/merkle/index.ts';
import { drain, leafValue, newLog } from '../log/fixtures.ts';
import { newSigner } from '../support/keys.ts';

const h = (s: string) => hashLeaf(Buffer.from(s));
const leaf = (s: string, extra: Partial<NewLeaf> = {}): NewLeaf => ({
  identityHash: h(`id:${s}`),
  leafHash: h(s),
  value: Buffer.from(s),
  extraData: Buffer.from(`extra:${s}`),
  label: null,
  queuedAt: 1234,
  ...extra,
});

/**
 * `reopen`, when the backend keeps its data past close (not `:memory:`),
 * opens another instance on the database the last `open` created.
 */
export function storageContract(name: string, open: () => Promise<LogStorage>, reopen?: () => Promise<LogStorage>): void {
  describe(`LogStorage contract: ${name}`, () => {
    let s: LogStorage;
    const signer = newSigner();
    const head0 = signHead(signer, CompactRange.empty(), 1000, 0);
    let tree = 0;
    let n = 0;
    const newTree = async () =>
      (await s.createTree({ name: `t${n++}`, personality: 'log', publicKey: signer.publicKey.spki }, head0, 5)).id;

    before(async () => {
      s = await open();
      tree = await newTree();
    });
    after(async () => s.close());

    describe('trees', () => {
      it('creates a tree with its first head and finds it by name', async () => {
        const t = await s.getTree('t0');
        assert.equal(t?.id, tree);
        assert.equal(t?.personality, 'log');
        assert.ok(t?.publicKey.equals(signer.publicKey.spki));
        const head = await s.latestHead(tree);
        assert.equal(head?.revision, 0);
        assert.equal(head?.size, 0);
        checkHead(head as StoredHead, signer.publicKey);
        assert.ok((await s.listTrees()).some((x) => x.name === 't0'));
      });

      it('refuses a second tree with the same name with StorageError ALREADY_EXISTS', async () => {
        await assert.rejects(s.createTree({ name: 't0', personality: 'log', publicKey: signer.publicKey.spki }, head0, 5), (e) =>
          isError(e, StorageError, 'ALREADY_EXISTS'),
        );
      });

      it('answers null for unknown trees and heads', async () => {
        assert.equal(await s.getTree('nope'), null);
        assert.equal(await s.latestHead(999_999), null);
        assert.equal(await s.headAtRevision(tree, 999), null);
      });
    });

    describe('queueLeaves', () => {
      it('deduplicates on identity hash, against stored leaves and within a batch (first wins)', async () => {
        const t = await newTree();
        const r1 = await s.queueLeaves(t, [leaf('a'), leaf('b')]);
        assert.deepEqual(
          r1.map((r) => r.duplicate),
          [false, false],
        );
        const r2 = await s.queueLeaves(t, [
          leaf('c'),
          leaf('a', { queuedAt: 9999, value: Buffer.from('a2'), leafHash: h('a2') }),
          leaf('c', { queuedAt: 7 }),
        ]);
        assert.deepEqual(
          r2.map((r) => r.duplicate),
          [false, true, true],
        );
        assert.equal(r2[1].leaf.queuedAt, 1234, 'the original timestamp is returned');
        assert.ok(r2[1].leaf.value.equals(Buffer.from('a')));
        assert.equal(r2[2].leaf.queuedAt, 1234);
        assert.equal(await s.pendingCount(t), 3);
      });

      it('keeps extra data and labels, and finds the latest leaf by label', async () => {
        const t = await newTree();
        await s.queueLeaves(t, [leaf('x', { label: 'src1' }), leaf('y', { label: 'src2' }), leaf('z', { label: 'src1' })]);
        const latest = await s.latestLeafByLabel(t, 'src1');
        assert.ok(latest?.value.equals(Buffer.from('z')));
        assert.ok(latest?.extraData?.equals(Buffer.from('extra:z')));
        assert.equal(await s.latestLeafByLabel(t, 'none'), null);
        const byId = await s.leafByIdentityHash(t, h('id:y'));
        assert.equal(byId?.label, 'src2');
        assert.equal(byId?.index, null);
      });

      it('rejects leaves for a tree that does not exist', async () => {
        await assert.rejects(s.queueLeaves(424242, [leaf('q')]), (e) => isError(e, StorageError, 'NOT_FOUND'));
      });
    });

    describe('latestLeafByLabel with label ranks', () => {
      const r = (...bytes: number[]) => Buffer.from(bytes);
      const latestValue = async (t: number, label: string) => (await s.latestLeafByLabel(t, label))?.value.toString() ?? null;

      it('answers the greatest rank in memcmp order (unsigned bytes, a proper prefix first), whatever the queue order', async () => {
        const t = await newTree();
        // Ascending memcmp order: empty < 00 < 00 ff < 01 < 01 00 < 7f ff ff < 80 < ff < ff 00.
        const ascending = [r(), r(0), r(0, 0xff), r(1), r(1, 0), r(0x7f, 0xff, 0xff), r(0x80), r(0xff), r(0xff, 0)];
        const order = [4, 8, 0, 6, 2, 7, 1, 5, 3]; // every rank once, greatest neither first nor last
        let best = -1;
        for (const i of order) {
          await s.queueLeaves(t, [leaf(`rank${i}`, { label: 'L', labelRank: ascending[i] })]);
          best = Math.max(best, i);
          assert.equal(await latestValue(t, 'L'), `rank${best}`, `after queueing rank ${ascending[i].toString('hex')}`);
        }
        const latest = await s.latestLeafByLabel(t, 'L');
        assert.ok(latest?.labelRank.equals(r(0xff, 0)));
        assert.equal(latest?.label, 'L');
      });

      it('answers the most recently queued among equal ranks, also within one batch', async () => {
        const t = await newTree();
        await s.queueLeaves(t, [leaf('e1', { label: 'L', labelRank: r(5) }), leaf('e2', { label: 'L', labelRank: r(5) })]);
        assert.equal(await latestValue(t, 'L'), 'e2');
        await s.queueLeaves(t, [leaf('lower', { label: 'L', labelRank: r(4, 0xff) })]);
        assert.equal(await latestValue(t, 'L'), 'e2', 'a lower rank queued later does not answer');
        await s.queueLeaves(t, [leaf('e3', { label: 'L', labelRank: r(5) })]);
        assert.equal(await latestValue(t, 'L'), 'e3');
      });

      it('defaults to the empty rank: unranked leaves answer by queue order, and any ranked leaf beats them', async () => {
        const t = await newTree();
        const [q] = await s.queueLeaves(t, [leaf('u1', { label: 'L' }), leaf('u2', { label: 'L' })]);
        assert.equal(q.leaf.labelRank.length, 0);
        assert.equal(await latestValue(t, 'L'), 'u2');
        assert.equal((await s.latestLeafByLabel(t, 'L'))?.labelRank.length, 0);
        await s.queueLeaves(t, [leaf('ranked', { label: 'L', labelRank: r(0) }), leaf('u3', { label: 'L' })]);
        assert.equal(await latestValue(t, 'L'), 'ranked');
        assert.equal((await s.leafByIdentityHash(t, h('id:u3')))?.labelRank.length, 0);
      });

      it('keeps ranks per label and per tree', async () => {
        const t = await newTree();
        const other = await newTree();
        await s.queueLeaves(t, [leaf('a-hi', { label: 'A', labelRank: r(9) }), leaf('b-lo', { label: 'B', labelRank: r(1) })]);
        await s.queueLeaves(other, [leaf('a-other', { label: 'A', labelRank: r(0xff) })]);
        await s.queueLeaves(t, [leaf('a-lo', { label: 'A', labelRank: r(2) }), leaf('unlabelled', { labelRank: r(0xff) })]);
        assert.equal(await latestValue(t, 'A'), 'a-hi');
        assert.equal(await latestValue(t, 'B'), 'b-lo');
        assert.equal(await latestValue(other, 'A'), 'a-other');
      });

      it("never changes the original's rank when a duplicate arrives with another rank (stored or in the same batch)", async () => {
        const t = await newTree();
        const [first] = await s.queueLeaves(t, [leaf('orig', { label: 'L', labelRank: r(5) })]);
        assert.ok(first.leaf.labelRank.equals(r(5)));
        const [dup] = await s.queueLeaves(t, [leaf('orig', { label: 'L', labelRank: r(0xff) })]);
        assert.equal(dup.duplicate, true);
        assert.ok(dup.leaf.labelRank.equals(r(5)), 'the duplicate answers the stored rank');
        await s.queueLeaves(t, [leaf('next', { label: 'L', labelRank: r(6) })]);
        assert.equal(await latestValue(t, 'L'), 'next', 'the original still ranks 05, below 06');
        const batch = await s.queueLeaves(t, [
          leaf('pair', { label: 'M', labelRank: r(1) }),
          leaf('pair', { label: 'M', labelRank: r(0xff) }),
        ]);
        assert.deepEqual(
          batch.map((x) => x.duplicate),
          [false, true],
        );
        assert.ok(batch[1].leaf.labelRank.equals(r(1)), 'within a batch the first wins, rank included');
        await s.queueLeaves(t, [leaf('m2', { label: 'M', labelRank: r(2) })]);
        assert.equal(await latestValue(t, 'M'), 'm2');
        assert.ok((await s.leafByIdentityHash(t, h('id:pair')))?.labelRank.equals(r(1)));
      });

      it('keeps the rank when the leaf is sequenced', async () => {
        const t = await newTree();
        await s.queueLeaves(t, [leaf('s-hi', { label: 'L', labelRank: r(9) }), leaf('s-lo', { label: 'L', labelRank: r(3) })]);
        const pending = await s.pendingLeaves(t, 10);
        const range = CompactRange.empty();
        for (const p of pending) range.append(p.leafHash);
        const tiles = [{ id: { level: 0, index: 0 }, data: Buffer.concat(pending.map((p) => p.leafHash)) }];
        const head = signHead(signer, range, 2000, 1);
        await s.integrate(t, { expectedRevision: 0, firstIndex: 0, queueIds: pending.map((p) => p.queueId), tiles, head });
        const latest = await s.latestLeafByLabel(t, 'L');
        assert.equal(latest?.value.toString(), 's-hi');
        assert.equal(latest?.index, 0);
        assert.ok(latest?.labelRank.equals(r(9)));
        assert.ok((await s.leavesByRange(t, 1, 2))[0]?.labelRank.equals(r(3)));
      });

      // Only for backends that keep data past close (not :memory:).
      if (reopen)
        it('keeps ranks across close and reopen', async () => {
          const w = await reopen();
          const t = (await w.createTree({ name: `reopen-${n++}`, personality: 'log', publicKey: signer.publicKey.spki }, head0, 5)).id;
          await w.queueLeaves(t, [
            leaf('k-hi', { label: 'L', labelRank: r(0x80) }),
            leaf('k-lo', { label: 'L', labelRank: r(0x7f, 0xff) }),
          ]);
          await w.close();
          const again = await reopen();
          try {
            const latest = await again.latestLeafByLabel(t, 'L');
            assert.equal(latest?.value.toString(), 'k-hi');
            assert.ok(latest?.labelRank.equals(r(0x80)));
            assert.ok((await again.leafByIdentityHash(t, h('id:k-lo')))?.labelRank.equals(r(0x7f, 0xff)));
          } finally {
            await again.close();
          }
        });
    });

    describe('integrate', () => {
      it('returns pending leaves in queue order, bounded by limit', async () => {
        const t = await newTree();
        await s.queueLeaves(
          t,
          ['p0', 'p1', 'p2', 'p3'].map((x, i) => leaf(x, { queuedAt: 100 + i })),
        );
        const p = await s.pendingLeaves(t, 3);
        assert.deepEqual(
          p.map((x) => x.leafHash.toString('hex')),
          ['p0', 'p1', 'p2'].map((x) => h(x).toString('hex')),
        );
        // The sequencer keeps head timestamps at or after every promise it integrates.
        assert.deepEqual(
          p.map((x) => x.queuedAt),
          [100, 101, 102],
        );
      });

      it('is a compare-and-swap on the revision: a stale integration writes nothing', async () => {
        const t = await newTree();
        await s.queueLeaves(t, [leaf('c0'), leaf('c1')]);
        const pending = await s.pendingLeaves(t, 10);
        const range = CompactRange.empty();
        for (const p of pending) range.append(p.leafHash);
        const head1 = signHead(signer, range, 2000, 1);
        const tiles = [{ id: { level: 0, index: 0 }, data: Buffer.concat(pending.map((p) => p.leafHash)) }];
        await s.integrate(t, { expectedRevision: 0, firstIndex: 0, queueIds: pending.map((p) => p.queueId), tiles, head: head1 });
        await assert.rejects(
          s.integrate(t, { expectedRevision: 0, firstIndex: 0, queueIds: pending.map((p) => p.queueId), tiles, head: head1 }),
          (e) => isError(e, StorageError, 'CONFLICT'),
        );
        const latest = await s.latestHead(t);
        assert.equal(latest?.revision, 1);
        assert.ok(latest?.rootHash.equals(range.root()));
        assert.equal(await s.pendingCount(t), 0);
        const [tile] = await s.getTiles(t, [{ level: 0, index: 0 }]);
        assert.equal(tile?.length, 64);
        const leaves = await s.leavesByRange(t, 0, 10);
        assert.deepEqual(
          leaves.map((l) => l.index),
          [0, 1],
        );
        assert.ok((await s.headAtRevision(t, 0))?.rootHash.equals(head0.rootHash));
      });

      it('refuses a head whose size is not the old size plus the batch (StorageError CORRUPT), writing nothing', async () => {
        const t = await newTree();
        await s.queueLeaves(t, [leaf('z0')]);
        const pending = await s.pendingLeaves(t, 10);
        const range = CompactRange.empty();
        range.append(pending[0].leafHash);
        range.append(pending[0].leafHash);
        const head = signHead(signer, range, 2000, 1);
        await assert.rejects(s.integrate(t, { expectedRevision: 0, firstIndex: 0, queueIds: [pending[0].queueId], tiles: [], head }), (e) =>
          isError(e, StorageError, 'CORRUPT'),
        );
        assert.equal((await s.latestHead(t))?.revision, 0);
        assert.equal(await s.pendingCount(t), 1);
      });

      it('answers undefined for tiles that do not exist', async () => {
        assert.deepEqual(await s.getTiles(tree, [{ level: 3, index: 7 }]), [undefined]);
      });
    });

    // Rules that hold between instances sharing one database (two frontends; two
    // processes on one SQLite file), or, where a backend cannot share (:memory:),
    // between concurrent calls on one instance.
    describe(`between ${reopen ? 'two instances on one database' : 'concurrent calls on one instance'}`, () => {
      let b: LogStorage;
      const spec = (name: string) => ({ name: `${name}-${n++}`, personality: 'log', publicKey: signer.publicKey.spki });
      before(async () => {
        b = reopen ? await reopen() : s;
      });
      after(async () => {
        if (b !== s) await b.close();
      });

      it('stores each identity once when both queue the same leaves at once, and exactly one caller sees it as new', async () => {
        const t = (await s.createTree(spec('dedup'), head0, 1)).id;
        const batches = Array.from({ length: 10 }, (_, k) => Array.from({ length: 40 }, (_, j) => leaf(`d${(k * 17 + j) % 200}`)));
        const results = await Promise.all(batches.flatMap((batch) => [s.queueLeaves(t, batch), b.queueLeaves(t, [...batch].reverse())]));
        const fresh = new Map<string, number>();
        for (const r of results.flat()) {
          const k = r.leaf.identityHash.toString('hex');
          fresh.set(k, (fresh.get(k) ?? 0) + (r.duplicate ? 0 : 1));
        }
        const distinct = new Set(batches.flat().map((l) => l.identityHash.toString('hex'))).size;
        assert.ok(distinct > 150);
        assert.equal(fresh.size, distinct);
        assert.ok(
          [...fresh.values()].every((x) => x === 1),
          'one non-duplicate answer per identity',
        );
        assert.equal(await s.pendingCount(t), distinct);
        assert.equal((await b.pendingLeaves(t, 1000)).length, distinct);
      });

      it('lets exactly one of two concurrent integrations on the same revision win; the other gets CONFLICT and writes nothing', async () => {
        const t = (await s.createTree(spec('cas'), head0, 1)).id;
        await s.queueLeaves(t, [leaf('x'), leaf('y'), leaf('z')]);
        const pending = await b.pendingLeaves(t, 10);
        const attempt = (on: LogStorage, k: number, ts: number) => {
          const range = CompactRange.empty();
          for (const p of pending.slice(0, k)) range.append(p.leafHash);
          const head = signHead(signer, range, ts, 1);
          const tiles = [{ id: { level: 0, index: 0 }, data: Buffer.concat(pending.slice(0, k).map((p) => p.leafHash)) }];
          return on.integrate(t, { expectedRevision: 0, firstIndex: 0, queueIds: pending.slice(0, k).map((p) => p.queueId), tiles, head });
        };
        const settled = await Promise.allSettled([attempt(s, 2, 2000), attempt(b, 3, 3000)]);
        const won = settled.filter((x) => x.status === 'fulfilled');
        const lost = settled.filter((x): x is PromiseRejectedResult => x.status === 'rejected');
        assert.equal(won.length, 1);
        assert.ok(isError(lost[0].reason, StorageError, 'CONFLICT'), String(lost[0].reason));
        const head = await s.latestHead(t);
        const winnerSize = settled[0].status === 'fulfilled' ? 2 : 3;
        assert.equal(head?.revision, 1);
        assert.equal(head?.size, winnerSize);
        assert.equal(await b.pendingCount(t), 3 - winnerSize);
        assert.equal((await s.leavesByRange(t, 0, 10)).length, winnerSize);
      });

      it('refuses to sequence a leaf twice: CONFLICT, and the revision stays', async () => {
        const t = (await s.createTree(spec('twice'), head0, 1)).id;
        await s.queueLeaves(t, [leaf('p')]);
        const [p] = await s.pendingLeaves(t, 1);
        const r1 = CompactRange.empty();
        r1.append(p.leafHash);
        const tiles = [{ id: { level: 0, index: 0 }, data: p.leafHash }];
        await s.integrate(t, { expectedRevision: 0, firstIndex: 0, queueIds: [p.queueId], tiles, head: signHead(signer, r1, 2000, 1) });
        const r2 = r1.clone();
        r2.append(p.leafHash);
        const again = { expectedRevision: 1, firstIndex: 1, queueIds: [p.queueId], tiles, head: signHead(signer, r2, 3000, 2) };
        await assert.rejects(b.integrate(t, again), (e) => isError(e, StorageError, 'CONFLICT'));
        assert.equal((await s.latestHead(t))?.revision, 1);
      });

      it('rejects an integration whose head revision does not follow the expected one with StorageError CORRUPT', async () => {
        const t = (await s.createTree(spec('badrev'), head0, 1)).id;
        const head = signHead(signer, CompactRange.empty(), 2000, 5);
        await assert.rejects(s.integrate(t, { expectedRevision: 0, firstIndex: 0, queueIds: [], tiles: [], head }), (e) =>
          isError(e, StorageError, 'CORRUPT'),
        );
        assert.equal((await s.latestHead(t))?.revision, 0);
      });

      it('rejects an integration into a tree that does not exist with StorageError NOT_FOUND', async () => {
        const head = signHead(signer, CompactRange.empty(), 2000, 1);
        await assert.rejects(b.integrate(987_654, { expectedRevision: 0, firstIndex: 0, queueIds: [], tiles: [], head }), (e) =>
          isError(e, StorageError, 'NOT_FOUND'),
        );
      });

      it('keeps input order as queue order, seen from the other instance', async () => {
        const t = (await s.createTree(spec('order'), head0, 1)).id;
        const batch = Array.from({ length: 64 }, (_, i) => leaf(`o${i}`));
        await s.queueLeaves(t, batch);
        const pending = await b.pendingLeaves(t, 100);
        assert.deepEqual(
          pending.map((p) => p.leafHash.toString('hex')),
          batch.map((l) => l.leafHash.toString('hex')),
        );
      });

      it('answers a duplicate of a stored leaf, repeated within one batch, with the stored leaf both times', async () => {
        const t = (await s.createTree(spec('dupdup'), head0, 1)).id;
        await s.queueLeaves(t, [leaf('s', { queuedAt: 1 })]);
        const r = await b.queueLeaves(t, [leaf('s', { queuedAt: 99 }), leaf('u'), leaf('s', { queuedAt: 98 })]);
        assert.deepEqual(
          r.map((x) => x.duplicate),
          [true, false, true],
        );
        assert.equal(r[0].leaf.queuedAt, 1);
        assert.equal(r[2].leaf.queuedAt, 1);
      });
    });

    describe('leases', () => {
      it('grants one holder at a time, renews, and frees on release or expiry', async () => {
        const t = await newTree();
        assert.equal(await s.acquireLease(t, 'a', 60_000), true);
        assert.equal(await s.acquireLease(t, 'b', 60_000), false);
        assert.equal(await s.acquireLease(t, 'a', 60_000), true, 'renewal');
        await s.releaseLease(t, 'a');
        assert.equal(await s.acquireLease(t, 'b', 1), true);
        await new Promise((r) => setTimeout(r, 20));
        assert.equal(await s.acquireLease(t, 'a', 60_000), true, 'expired lease is taken over');
      });
    });

    describe('through Log and Sequencer', () => {
      it('sequences 1000 leaves into the RFC 6962 root and proves every one', async () => {
        const { log, seq } = await newLog(s, `e2e-${n++}`);
        const want = CompactRange.empty();
        for (let i = 0; i < 1000; i += 100) {
          await log.queueLeaves(Array.from({ length: 100 }, (_, j) => ({ value: leafValue(i + j) })));
        }
        for (let i = 0; i < 1000; i++) want.append(hashLeaf(leafValue(i)));
        assert.equal(await drain(seq), 1000);
        const head = await log.latestHead();
        assert.equal(head.size, 1000);
        assert.ok(head.rootHash.equals(want.root()));
        for (const i of [0, 1, 255, 256, 257, 511, 512, 999]) {
          for (const size of [i + 1, 300, 1000].filter((x) => x > i)) {
            const proof = await log.getInclusionProof(i, size);
            const root = (() => {
              const r = CompactRange.empty();
              for (let j = 0; j < size; j++) r.append(hashLeaf(leafValue(j)));
              return r.root();
            })();
            verifyInclusion(i, size, hashLeaf(leafValue(i)), proof, root);
          }
        }
        const byHash = await log.getInclusionProofByHash(hashLeaf(leafValue(700)), 1000);
        assert.equal(byHash.index, 700);
        verifyInclusion(700, 1000, hashLeaf(leafValue(700)), byHash.proof, head.rootHash);
      });

      it('keeps every head consistent with every earlier head', async () => {
        const { log, seq } = await newLog(s, `cons-${n++}`);
        const heads: StoredHead[] = [];
        for (let b = 0; b < 6; b++) {
          await log.queueLeaves(Array.from({ length: 37 * (b + 1) }, (_, j) => ({ value: Buffer.from(`c${b}-${j}`) })));
          await drain(seq);
          heads.push(await log.latestHead());
        }
        for (let i = 0; i < heads.length; i++) {
          for (let j = i; j < heads.length; j++) {
            const p = await log.getConsistencyProof(heads[i].size, heads[j].size);
            verifyConsistency(heads[i].size, heads[j].size, p, heads[i].rootHash, heads[j].rootHash);
          }
        }
        const revs = heads.map((x) => x.revision);
        assert.deepEqual(
          revs,
          [...revs].sort((a, b) => a - b),
        );
      });

      it('returns the original leaf, with its index, for a duplicate queued after sequencing', async () => {
        const { log, seq } = await newLog(s, `dup-${n++}`);
        const first = await log.queueLeaf({ value: Buffer.from('same'), queuedAt: 111 });
        assert.equal(first.duplicate, false);
        await drain(seq);
        const again = await log.queueLeaf({ value: Buffer.from('same'), queuedAt: 222 });
        assert.equal(again.duplicate, true);
        assert.equal(again.leaf.queuedAt, 111);
        assert.equal(again.leaf.index, 0);
        assert.equal((await log.latestHead()).size, 1);
      });

      it('carries labelRank from LeafInput to storage, empty by default', async () => {
        const { log } = await newLog(s, `rank-${n++}`);
        await log.queueLeaves([
          { value: Buffer.from('hi'), label: 'L', labelRank: Buffer.from([2]) },
          { value: Buffer.from('plain'), label: 'L' },
          { value: Buffer.from('lo'), label: 'L', labelRank: Buffer.from([1, 0xff]) },
        ]);
        const latest = await log.getLatestByLabel('L');
        assert.equal(latest?.value.toString(), 'hi');
        assert.equal((await log.getLeafByIdentityHash(hashLeaf(Buffer.from('plain'))))?.labelRank.length, 0);
      });

      it('group-commits concurrent queue calls without losing or mixing results', async () => {
        const { log } = await newLog(s, `gc-${n++}`);
        const results = await Promise.all(Array.from({ length: 200 }, (_, i) => log.queueLeaf({ value: Buffer.from(`g${i % 150}`) })));
        for (const [i, r] of results.entries()) assert.ok(r.leaf.value.equals(Buffer.from(`g${i % 150}`)));
        assert.equal(results.filter((r) => r.duplicate).length, 50);
      });

      it('serves leaves by range with extra data, clamped to the tree size', async () => {
        const { log, seq } = await newLog(s, `rng-${n++}`);
        await log.queueLeaves(Array.from({ length: 10 }, (_, i) => ({ value: leafValue(i), extraData: Buffer.from(`x${i}`) })));
        await drain(seq);
        const got = await log.getLeaves(3, 50);
        assert.deepEqual(
          got.map((l) => l.index),
          [3, 4, 5, 6, 7, 8, 9],
        );
        assert.ok(got[0].extraData?.equals(Buffer.from('x3')));
      });

      it('finds every leaf by range, identity and leaf hash across batches and queue ids shared with another tree', async () => {
        // Two trees queue in turns, so each tree's queue ids have gaps, and
        // batches of 4 cut the runs again: ranges must cross every such seam.
        const a = await newLog(s, `seam-a-${n++}`);
        const b = await newLog(s, `seam-b-${n++}`);
        const aSeq = new Sequencer({ storage: s, tree: a.log.tree, signer: a.signer, batchSize: 4, maxRootAgeMs: 0 });
        const value = (t: string, i: number) => Buffer.from(`${t}-${i}`);
        let na = 0;
        let nb = 0;
        for (const [ka, kb] of [
          [3, 2],
          [1, 4],
          [5, 1],
          [2, 2],
          [6, 3],
        ]) {
          await a.log.queueLeaves(Array.from({ length: ka }, () => ({ value: value('a', na++) })));
          await b.log.queueLeaves(Array.from({ length: kb }, () => ({ value: value('b', nb++) })));
          if (na > 10) await drain(aSeq);
        }
        await drain(aSeq);
        await drain(b.seq);
        assert.equal((await a.log.latestHead()).size, na);
        for (let start = 0; start <= na + 1; start++) {
          for (let end = start; end <= na + 2; end++) {
            const got = await s.leavesByRange(a.log.tree.id, start, end);
            const want = Array.from({ length: Math.max(0, Math.min(end, na) - start) }, (_, i) => start + i);
            assert.deepEqual(
              got.map((l) => l.index),
              want,
              `range [${start}, ${end})`,
            );
            for (const l of got) assert.ok(l.value.equals(value('a', l.index as number)), `value of leaf ${l.index}`);
          }
        }
        for (let i = 0; i < na; i++) {
          const h = hashLeaf(value('a', i));
          assert.equal((await s.leafByIdentityHash(a.log.tree.id, h))?.index, i);
          assert.deepEqual(
            (await s.leavesByLeafHash(a.log.tree.id, h)).map((l) => l.index),
            [i],
          );
        }
        const bLeaves = await s.leavesByRange(b.log.tree.id, 0, nb);
        assert.deepEqual(
          bLeaves.map((l) => l.value.toString()),
          Array.from({ length: nb }, (_, i) => `b-${i}`),
        );
      });
    });
  });
}
