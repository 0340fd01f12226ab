/**
 * The sequencer loop under storage faults (as Sunlight's TestSequenceErrors):
 * each storage call the sequencer makes fails, before writing ('fail') or
 * after its write became durable ('fail-after-persist'), transiently or
 * fatally. Whatever happens:
 * - a transient error costs one run: the loop reloads its state from storage
 *   and integrates everything;
 * - a fatal error stops the loop, with the error as `fatal`;
 * - no acknowledged leaf is lost;
 * - the stored heads form one chain, each consistent with the one before;
 * - no head is signed for a revision after that revision's head was stored
 *   (a persisted head is never followed by a second, different head of the
 *   same revision, which could show a split view).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Signer } from '../../src/crypto/index.ts';
import { decodeLogRoot, LOG_ROOT_DOMAIN, Log, type LogRoot, Sequencer, StorageError } from '../../src/log/index.ts';
import { hashLeaf, verifyConsistency } from '../../src/merkle/index.ts';
import { openStorage } from '../../src/storage/index.ts';
import { type FaultMode, FaultyStorage, type StorageMethod } from '../support/faulty-storage.ts';
import { newSigner } from '../support/keys.ts';
import { waitUntil } from '../support/wait.ts';
import { leafValue } from './fixtures.ts';

/** A signer that records every LogRoot it signs, in order. */
function recordingSigner(inner: Signer): { signer: Signer; signed: LogRoot[] } {
  const signed: LogRoot[] = [];
  return {
    signed,
    signer: {
      publicKey: inner.publicKey,
      sign(data) {
        signed.push(decodeLogRoot(Buffer.from(data).subarray(LOG_ROOT_DOMAIN.length)));
        return inner.sign(data);
      },
    },
  };
}

const unavailable = () => new StorageError('UNAVAILABLE', 'injected: connection lost');
const conflict = () => new StorageError('CONFLICT', 'injected: another sequencer moved the tree');
const corrupt = () => new StorageError('CORRUPT', 'injected: stored data damaged');
/** An error of no domain: a bug (here a bad argument reaching the driver), never an outage, in every backend. */
const bug = () => new TypeError('injected: The "data" argument must be of type Buffer');

interface Case {
  readonly desc: string;
  readonly method: StorageMethod;
  readonly mode: FaultMode;
  readonly error: () => Error;
  readonly times?: number;
  /** Calls let through first: 1 makes the fault hit a run whose state is cached from a successful one. */
  readonly skip?: number;
  readonly want: 'recovers' | 'stops';
}

const cases: Case[] = [
  { desc: 'pendingLeaves unavailable', method: 'pendingLeaves', mode: 'fail', error: unavailable, want: 'recovers' },
  { desc: 'latestHead unavailable while reloading', method: 'latestHead', mode: 'fail', error: unavailable, times: 2, want: 'recovers' },
  { desc: 'getTiles unavailable while reloading', method: 'getTiles', mode: 'fail', error: unavailable, times: 2, want: 'recovers' },
  { desc: 'integrate unavailable, not persisted', method: 'integrate', mode: 'fail', error: unavailable, want: 'recovers' },
  {
    desc: 'integrate unavailable after it persisted',
    method: 'integrate',
    mode: 'fail-after-persist',
    error: unavailable,
    want: 'recovers',
  },
  {
    desc: 'integrate unavailable, not persisted, with state cached',
    method: 'integrate',
    mode: 'fail',
    error: unavailable,
    skip: 1,
    want: 'recovers',
  },
  {
    desc: 'integrate unavailable after it persisted, with state cached',
    method: 'integrate',
    mode: 'fail-after-persist',
    error: unavailable,
    skip: 1,
    want: 'recovers',
  },
  {
    desc: 'pendingLeaves unavailable, with state cached',
    method: 'pendingLeaves',
    mode: 'fail',
    error: unavailable,
    skip: 1,
    want: 'recovers',
  },
  { desc: 'integrate unavailable three times in a row', method: 'integrate', mode: 'fail', error: unavailable, times: 3, want: 'recovers' },
  { desc: 'integrate conflict (another sequencer won)', method: 'integrate', mode: 'fail', error: conflict, want: 'recovers' },
  { desc: 'acquireLease unavailable', method: 'acquireLease', mode: 'fail', error: unavailable, want: 'recovers' },
  {
    desc: 'acquireLease unavailable after it persisted',
    method: 'acquireLease',
    mode: 'fail-after-persist',
    error: unavailable,
    want: 'recovers',
  },
  { desc: 'integrate corrupt, not persisted', method: 'integrate', mode: 'fail', error: corrupt, want: 'stops' },
  { desc: 'integrate throws a TypeError (a bug, not an outage)', method: 'integrate', mode: 'fail', error: bug, want: 'stops' },
  { desc: 'pendingLeaves throws a TypeError (a bug, not an outage)', method: 'pendingLeaves', mode: 'fail', error: bug, want: 'stops' },
  { desc: 'integrate corrupt after it persisted', method: 'integrate', mode: 'fail-after-persist', error: corrupt, want: 'stops' },
  { desc: 'integrate corrupt, with state cached', method: 'integrate', mode: 'fail', error: corrupt, skip: 1, want: 'stops' },
  { desc: 'latestHead corrupt while reloading', method: 'latestHead', mode: 'fail', error: corrupt, want: 'stops' },
  { desc: 'getTiles corrupt while reloading', method: 'getTiles', mode: 'fail', error: corrupt, want: 'stops' },
  { desc: 'pendingLeaves corrupt', method: 'pendingLeaves', mode: 'fail', error: corrupt, want: 'stops' },
];

describe('Sequencer under storage faults', () => {
  for (const c of cases) {
    it(`${c.desc} (${c.mode}): ${c.want === 'recovers' ? 'retries from reloaded state and integrates everything' : 'stops the loop with the error'}`, async () => {
      const inner = await openStorage('sqlite::memory:');
      const storage = new FaultyStorage(inner);
      const { signer, signed } = recordingSigner(newSigner());
      await Log.create(storage, 'faults', 'log', signer, 1_000);
      const log = await Log.open(storage, 'faults', signer);
      const seq = new Sequencer({ storage, tree: log.tree, signer, batchSize: 64, intervalMs: 0, maxRootAgeMs: 0 });
      try {
        // A non-empty tree with a partial edge tile, so a reload has tiles to read.
        await log.queueLeaves(Array.from({ length: 300 }, (_, i) => ({ value: leafValue(i) })));
        while ((await seq.runOnce()) > 0) {}
        const acked = await log.queueLeaves(Array.from({ length: 200 }, (_, i) => ({ value: leafValue(300 + i) })));
        assert.equal(acked.filter((r) => !r.duplicate).length, 200);

        storage.failNext(c.method, c.mode, c.error, c.times ?? 1, c.skip ?? 0);
        seq.start();
        await waitUntil(
          'the loop to finish or stop',
          async () => seq.fatal !== null || (await inner.latestHead(log.tree.id))?.size === 500,
          { stuckMs: 30_000 },
        );
        await seq.stop();

        assert.equal(storage.fired.length, c.times ?? 1, 'every armed fault fired');
        if (c.want === 'stops') {
          assert.equal(seq.fatal, storage.fired[0].error, 'the loop stopped on the injected error');
          // Nothing signed after the error, but the head whose integrate it failed (lost unless persisted).
          const stored = (await inner.latestHead(log.tree.id))!.revision;
          const lost = c.method === 'integrate' && c.mode === 'fail' ? 1 : 0;
          assert.equal(signed.at(-1)?.revision, stored + lost);
          assert.equal(storage.count('integrate', storage.fired[0].at + 1), 0, 'no integration after the fatal error');
        } else {
          assert.equal(seq.fatal, null);
          const last = storage.fired.at(-1)!.at;
          assert.ok(storage.count('latestHead', last + 1) > 0, 'the state was reloaded from storage after the failure');
          const head = await log.latestHead();
          assert.equal(head.size, 500);
          // No acknowledged leaf lost: each is in the tree, at its queue position.
          for (let i = 0; i < 500; i++) {
            const [found] = await log.getLeavesByHash(hashLeaf(leafValue(i)));
            assert.equal(found?.index, i, `leaf ${i}`);
          }
        }

        // One chain of stored heads, each consistent with the one before.
        const latest = (await inner.latestHead(log.tree.id))!;
        let prev = (await inner.headAtRevision(log.tree.id, 0))!;
        for (let r = 1; r <= latest.revision; r++) {
          const h = (await inner.headAtRevision(log.tree.id, r))!;
          assert.ok(h.size >= prev.size && h.timestamp >= prev.timestamp, `head ${r} regressed`);
          if (prev.size > 0)
            verifyConsistency(prev.size, h.size, await log.getConsistencyProof(prev.size, h.size), prev.rootHash, h.rootHash);
          prev = h;
        }
        // The stored head of each revision is the last one signed for it: nothing was signed for a revision once its head was stored.
        for (let r = 0; r <= latest.revision; r++) {
          const stored = (await inner.headAtRevision(log.tree.id, r))!;
          const last = signed.filter((x) => x.revision === r).at(-1);
          assert.ok(
            last && last.size === stored.size && last.rootHash.equals(stored.rootHash) && last.timestamp === stored.timestamp,
            `revision ${r}`,
          );
        }
      } finally {
        await seq.stop();
        await storage.close();
      }
    });
  }
});
