/**
 * The witness never cosigns two inconsistent checkpoints of one origin, even
 * when many submitters race with diverging checkpoints (c2sp.org/tlog-witness:
 * the compare of `old` with the stored size and the write MUST be atomic).
 *
 * Branches of one log (same key, same first leaves, then different leaves)
 * each push their own checkpoints over loopback HTTP, recovering from 409 as
 * a log does; a hook between decision and compare-and-swap yields a random
 * number of times, so decisions on one state are forced to overlap. The
 * oracle: every checkpoint answered 200 is a prefix of the largest one
 * answered 200 (its root recomputed from the branch that signed it).
 *
 * Two witness frontends share one state (memory: one store; SQLite: two
 * connections to one file; PostgreSQL: two pools on one schema) and the
 * submitters alternate between them, so the compare-and-swap is decided by
 * the database, not by one process's event loop.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Registry } from 'prom-client';
import type { HeadStore } from '../../src/audit/index.ts';
import { parseNote } from '../../src/note/index.ts';
import { type ClosableHeadStore, MemoryHeadStore, openHeadStore } from '../../src/storage/index.ts';
import { parseTlogSize, WitnessMetrics } from '../../src/witness/index.ts';
import { createTestDatabase, pgSkip, reportSkipped, type TestDatabase } from '../storage/pg-harness.ts';
import { tempDir } from '../support/temp-dir.ts';
import { startWitness, TestLog, testCosigner, type WitnessServer } from './fixtures.ts';

const BRANCHES = 8;
const ROUNDS = 12;
const yields = async (n: number) => {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
};

/**
 * Holds a request before its swap until another request is held too (or a
 * few hundred event-loop turns passed), then lets it go after a random number
 * of turns: decisions on one state overlap, and their swaps race.
 */
let gathered = 0;
async function gather(): Promise<void> {
  gathered++;
  for (let i = 0; i < 300 && gathered < 2; i++) await yields(1);
  await yields(Math.floor(Math.random() * 4));
  gathered--;
}

interface Cosigned {
  readonly branch: number;
  readonly size: number;
}

interface Backend {
  readonly name: string;
  /** A fresh database; `open` gives a new connection to it each call. */
  fresh(): Promise<{ open: () => Promise<HeadStore> }>;
}

const closers: (() => Promise<void>)[] = [];
const track = async (s: ClosableHeadStore) => {
  closers.push(() => s.close());
  return s;
};

const backends: Backend[] = [
  {
    name: 'memory',
    fresh: async () => {
      const store = new MemoryHeadStore();
      return { open: async () => store };
    },
  },
  {
    name: 'SQLite',
    fresh: async () => {
      const url = `sqlite:${join(tempDir('gv-witness-race-'), 'witness.db')}`;
      return { open: async () => track(await openHeadStore(url)) };
    },
  },
];
let pg: TestDatabase | null = null;
if (!pgSkip('test/witness/race.test.ts')) {
  before(async () => {
    pg = await createTestDatabase('gv_witness_race');
  });
  backends.push({
    name: 'PostgreSQL',
    fresh: async () => {
      const url = await (pg as TestDatabase).freshSchema();
      return { open: async () => track(await openHeadStore(url, { poolSize: 4 })) };
    },
  });
} else {
  describe('racing submitters on PostgreSQL', () => reportSkipped('the witness race on PostgreSQL'));
}
after(async () => {
  for (const c of closers) await c();
  await pg?.drop();
});

for (const backend of backends) {
  describe(`racing submitters on ${backend.name}`, () => {
    const servers: WitnessServer[] = [];
    after(async () => {
      for (const s of servers) await s.close();
    });

    it(`${BRANCHES} diverging branches never get two inconsistent checkpoints cosigned`, async () => {
      const base = new TestLog('example.com/raced', 4);
      const branches = Array.from({ length: BRANCHES }, (_, i) => base.fork(4, 0).append(ROUNDS * 3, ` branch ${i}`));
      const metrics = new WitnessMetrics(new Registry());
      const db = await backend.fresh();
      const cosigner = testCosigner();
      const frontends = [
        await startWitness({
          logs: [base.spec()],
          cosigners: [cosigner],
          store: await db.open(),
          metrics,
          testingOnlyHooks: { beforeSwap: gather },
        }),
        await startWitness({
          logs: [base.spec()],
          cosigners: [cosigner],
          store: await db.open(),
          metrics,
          testingOnlyHooks: { beforeSwap: gather },
        }),
      ];
      servers.push(...frontends);
      const w = frontends[0];
      assert.equal((await w.add(0, [], base.checkpoint(4))).status, 200);

      const cosigned: Cosigned[] = [{ branch: -1, size: 4 }];
      const statuses = new Map<number, number>();
      await Promise.all(
        branches.map(async (log, branch) => {
          let old = 4;
          for (let round = 0; round < ROUNDS; round++) {
            const size = Math.min(log.leaves.length, old + 1 + Math.floor(Math.random() * 3));
            const res = await frontends[(branch + round) % 2].add(old, log.proof(old, size), log.checkpoint(size));
            statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
            if (res.status === 200) {
              cosigned.push({ branch, size });
              old = size;
            } else if (res.status === 409) {
              old = parseTlogSize(res.text);
              if (old > log.leaves.length) return;
            } else {
              assert.equal(res.status, 422, res.text);
              return; // this branch forked away from what the witness cosigned
            }
          }
        }),
      );

      // Every cosigned checkpoint is a prefix of the largest one cosigned.
      const top = cosigned.reduce((a, b) => (b.size > a.size ? b : a));
      const topLog = top.branch < 0 ? base : branches[top.branch];
      for (const c of cosigned) {
        const log = c.branch < 0 ? base : branches[c.branch];
        assert.deepEqual(log.root(c.size), topLog.root(c.size), `branch ${c.branch} size ${c.size} is not a prefix of the top`);
      }
      // The race was real: requests decided on states that moved before their swap, and were decided again.
      const conflicts = (await metrics.casConflicts.get()).values[0]?.value ?? 0;
      assert.ok(conflicts > 0, `no compare-and-swap was lost (statuses ${JSON.stringify([...statuses])})`);
      for (const f of frontends) assert.equal(parseNote((await f.get(base.origin)).text).text.split('\n')[1], String(top.size));
    });

    it('two requests decided on one state: one is cosigned, the other re-decides and gets 409', async () => {
      const base = new TestLog('example.com/raced', 4);
      const a = base.fork(4, 0).append(2, ' a');
      const b = base.fork(4, 0).append(2, ' b');
      let waiting: (() => void)[] = [];
      let held = 0;
      // Both requests stop before their swap until both have decided on size 4; later attempts pass straight through.
      const barrier = async () => {
        if (held >= 2) return;
        held++;
        await new Promise<void>((r) => {
          waiting.push(r);
          if (waiting.length === 2) {
            for (const go of waiting) go();
            waiting = [];
          }
        });
      };
      const w = await startWitness({
        logs: [base.spec()],
        store: await (await backend.fresh()).open(),
        testingOnlyHooks: { beforeSwap: barrier },
      });
      servers.push(w);
      held = 2;
      assert.equal((await w.add(0, [], base.checkpoint(4))).status, 200);
      held = 0;
      const [ra, rb] = await Promise.all([w.add(4, a.proof(4, 6), a.checkpoint(6)), w.add(4, b.proof(4, 6), b.checkpoint(6))]);
      assert.deepEqual([ra.status, rb.status].sort(), [200, 409]);
      const loser = ra.status === 409 ? ra : rb;
      assert.equal(loser.text, '6\n');
      const winner = ra.status === 200 ? a : b;
      assert.equal(parseNote((await w.get(base.origin)).text).text.split('\n')[2], winner.root(6).toString('base64'));
    });
  });
}
