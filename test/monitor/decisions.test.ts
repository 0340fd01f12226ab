/**
 * The monitor's pure decisions, table by table: SourceView findings,
 * consistency judgement on served proofs, poll timing, the promise book.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkSignedHead, type SignedHead } from '../../src/evidence/index.ts';
import { judgeByInclusion, judgeConsistency, nextDelayMs, PromiseBook, type Seen, SourceView } from '../../src/monitor/index.ts';
import { consistencyProof, ctWorld, inclusionPath, leaves, root, T0 } from '../evidence/fixtures.ts';

const ct = ctWorld();
const honest = leaves(40);
const forked = [...honest.slice(0, 6), ...leaves(34, 'forked')];

function seen(ls: Buffer[], size: number, ts: number, o: { latest?: boolean; at?: number } = {}): Seen {
  const head: SignedHead = ct.head(ls, size, ts);
  const x = checkSignedHead(head, ct.log);
  return { size: x.size, root: x.root, timeNs: x.timeNs, head, latest: o.latest ?? false, observedAtMs: o.at ?? ts };
}

describe('SourceView.assess', () => {
  const cases: { desc: string; chain: Seen[]; next: Seen; want: string[] }[] = [
    { desc: 'the first head needs no check', chain: [], next: seen(honest, 8, T0), want: [] },
    { desc: 'a known head is known', chain: [seen(honest, 8, T0)], next: seen(honest, 8, T0 + 5), want: [] },
    { desc: 'same size, other root: fork', chain: [seen(honest, 8, T0)], next: seen(forked, 8, T0 + 1), want: ['fork'] },
    {
      desc: 'a larger head: check from the largest below',
      chain: [seen(honest, 4, T0), seen(honest, 8, T0 + 1)],
      next: seen(honest, 12, T0 + 2),
      want: ['check 8→12'],
    },
    {
      desc: 'a head between two: checks with both neighbours',
      chain: [seen(honest, 4, T0), seen(honest, 12, T0 + 2)],
      next: seen(honest, 8, T0 + 1),
      want: ['check 4→8', 'check 8→12'],
    },
    {
      desc: 'smaller and signed later than a larger: rollback',
      chain: [seen(honest, 12, T0)],
      next: seen(honest, 8, T0 + 9),
      want: ['rollback', 'check 8→12'],
    },
    {
      desc: 'larger and signed before a smaller one: rollback',
      chain: [seen(honest, 8, T0 + 9)],
      next: seen(honest, 12, T0),
      want: ['rollback', 'check 8→12'],
    },
    { desc: 'size 0 with another root: empty-root', chain: [], next: seenEmptyWrong(), want: ['empty-root'] },
  ];
  for (const c of cases) {
    it(c.desc, () => {
      const v = new SourceView();
      for (const h of c.chain) v.add(h);
      const a = v.assess(c.next);
      assert.deepEqual(
        a.findings.map((f) => (f.kind === 'check' ? `check ${f.from.size}→${f.to.size}` : f.kind)),
        c.want,
      );
      assert.equal(a.known, c.desc === 'a known head is known');
    });
  }

  it('calls a smaller latest claim a regression only when it was received after the larger claim', () => {
    // Plain checkpoints would carry no time; here the heads are signed in order, so no rollback either.
    const v = new SourceView();
    const big = seen(honest, 12, T0, { latest: true, at: 100 });
    v.add(big);
    assert.deepEqual(
      v.assess(seen(honest, 8, T0 - 1, { latest: true, at: 50 })).findings.map((f) => f.kind),
      ['check'],
    );
    assert.deepEqual(
      v.assess(seen(honest, 8, T0 - 1, { latest: true, at: 150 })).findings.map((f) => f.kind),
      ['regression', 'check'],
    );
  });

  it('keeps the freshest signature of its largest head for promise deadlines', () => {
    const v = new SourceView();
    v.add(seen(honest, 8, T0));
    v.claimed(seen(honest, 8, T0 + 50));
    v.claimed(seen(forked, 8, T0 + 99)); // another root: never the freshest
    assert.equal(v.freshest?.timeNs, BigInt(T0 + 50) * 1_000_000n);
  });
});

function seenEmptyWrong(): Seen {
  const head = ct.head([], 0, T0);
  const x = checkSignedHead(head, ct.log);
  // The signature covers the real empty root; the view only sees (size, root), so give it another root.
  return { size: 0, root: Buffer.alloc(32, 3), timeNs: x.timeNs, head, latest: false, observedAtMs: T0 };
}

describe('judgeConsistency', () => {
  const a = seen(honest, 10, T0);
  const b = seen(honest, 20, T0 + 1);
  const f = seen(forked, 20, T0 + 1);

  it('consistent on the honest proof', () => {
    assert.equal(judgeConsistency(a, b, consistencyProof(honest, 10, 20)).verdict, 'consistent');
  });

  it('inconsistent when the forked tree’s own proof binds another root at 10', () => {
    const j = judgeConsistency(a, f, consistencyProof(forked, 10, 20));
    assert.equal(j.verdict, 'inconsistent');
    assert.equal(j.verdict === 'inconsistent' && j.derivation.recomputedRoot, root(forked, 10).toString('base64'));
  });

  it('unproven on garbage, or when the old size is a power of two (then the inclusion decides)', () => {
    assert.equal(judgeConsistency(a, f, [Buffer.alloc(32, 1), Buffer.alloc(32, 2)]).verdict, 'unproven');
    const a8 = seen(honest, 8, T0);
    const j = judgeConsistency(a8, f, consistencyProof(forked, 8, 20));
    assert.deepEqual(j.verdict === 'unproven' && j.needInclusion, true);
    assert.equal(judgeByInclusion(a8, f, forked[7], inclusionPath(forked, 7, 20)).verdict, 'inconsistent');
    assert.equal(judgeByInclusion(a8, b, honest[7], inclusionPath(honest, 7, 20)).verdict, 'consistent');
    assert.equal(judgeByInclusion(a8, f, forked[6], inclusionPath(forked, 7, 20)).verdict, 'unproven');
  });
});

describe('nextDelayMs', () => {
  const t = { intervalMs: 10_000, minIntervalMs: 2_000, jitter: 0.1, maxBackoffMs: 60_000 };
  const cases: [string, number, number, number][] = [
    ['on success, the interval with the jitter drawn low', 0, 0, 9_000],
    ['on success, the interval with the jitter drawn high', 0, 0.9999, 11_000],
    ['after one failure, twice the interval', 1, 0.5, 20_000],
    ['after many failures, the cap', 30, 0.5, 60_000],
  ];
  for (const [desc, failures, r, want] of cases) it(desc, () => assert.equal(nextDelayMs(t, failures, r), want));
  it('never below the minimum interval', () => assert.equal(nextDelayMs({ ...t, intervalMs: 100 }, 0, 0), 2_000));
});

describe('PromiseBook', () => {
  const p = (n: number, t: bigint) => ({ log: 'l', leafHash: Buffer.alloc(32, n), timeNs: t, deadlineNs: t + 10n, signed: {} as never });

  it('holds a promise once, gives it back when a head is signed strictly after its deadline, oldest first', () => {
    const b = new PromiseBook(2);
    assert.equal(b.add(p(1, 100n)), true);
    assert.equal(b.add(p(1, 100n)), false);
    assert.equal(b.add(p(2, 50n)), true);
    assert.equal(b.add(p(3, 10n)), false, 'full');
    assert.deepEqual(
      b.due('l', 110n).map((x) => x.timeNs),
      [50n],
    );
    assert.deepEqual(
      b.due('l', 111n).map((x) => x.timeNs),
      [50n, 100n],
    );
    b.settle('l', Buffer.alloc(32, 2));
    assert.equal(b.size, 1);
    assert.deepEqual(b.due('other', 1000n), []);
  });
});
