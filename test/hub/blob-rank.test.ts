/**
 * blob.ts labelRank: the bytes storage orders get-latest-for-src by
 * (LogStorage.latestLeafByLabel, memcmp order) must order entries exactly
 * as §1.7 `entryIsLater` (isLater), with equal keys ranked by the earliest
 * hub timestamp ("the first such entry stays").
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { isLater, labelRank, orderKey, type ParsedBlob } from '../../src/hub/index.ts';
import { MAX_LABEL_RANK_BYTES } from '../../src/log/index.ts';

const U64_MAX = (1n << 64n) - 1n;
const hex = (b: Buffer) => b.toString('hex');
const u64 = (v: bigint) => v.toString(16).padStart(16, '0');

/** What §1.7 says about a vs b: 1 when a is later, -1 when b is, else the earlier hub timestamp stays (ranks higher). */
function want(a: readonly bigint[], ta: bigint, b: readonly bigint[], tb: bigint): number {
  if (isLater(a, b)) return 1;
  if (isLater(b, a)) return -1;
  return ta < tb ? 1 : ta > tb ? -1 : 0;
}

describe('labelRank', () => {
  it('is each key element as 8 bytes big-endian, then 2^64-1 minus the hub timestamp', () => {
    assert.equal(hex(labelRank([5n, 0x0102030405060708n], 3n)), `${u64(5n)}0102030405060708${u64(U64_MAX - 3n)}`);
    assert.equal(hex(labelRank([], 0n)), 'ff'.repeat(8));
  });

  it('clamps values to [0, 2^64-1]', () => {
    assert.equal(hex(labelRank([-5n, U64_MAX + 9n], -1n)), `${u64(0n)}${'ff'.repeat(8)}${'ff'.repeat(8)}`);
    assert.equal(hex(labelRank([1n], U64_MAX + 1n)), `${u64(1n)}${u64(0n)}`);
  });

  const cases: { desc: string; a: [bigint[], bigint]; b: [bigint[], bigint]; want: number }[] = [
    { desc: 'a larger tree size, whatever the timestamps', a: [[10n, 1n], 9n], b: [[9n, 99n], 1n], want: 1 },
    { desc: 'equal sizes, a later source timestamp', a: [[10n, 6n], 9n], b: [[10n, 5n], 1n], want: 1 },
    { desc: 'the high bit set (unsigned, not two’s complement)', a: [[1n << 63n], 0n], b: [[(1n << 63n) - 1n], 0n], want: 1 },
    { desc: 'sizes that differ only in the low byte', a: [[0x1ffn], 0n], b: [[0x200n], 0n], want: -1 },
    { desc: 'equal keys: the earlier hub timestamp stays', a: [[7n], 100n], b: [[7n], 101n], want: 1 },
    { desc: 'equal keys and timestamps', a: [[7n, 1n], 5n], b: [[7n, 1n], 5n], want: 0 },
  ];
  for (const tc of cases) {
    it(`compares like §1.7 for ${tc.desc}`, () => {
      assert.equal(Math.sign(Buffer.compare(labelRank(...tc.a), labelRank(...tc.b))), tc.want);
      assert.equal(want(tc.a[0], tc.a[1], tc.b[0], tc.b[1]), tc.want, 'the case itself follows isLater');
    });
  }

  it('orders any two entries of one source kind as isLater does, ties by the earliest hub timestamp (property)', () => {
    const value = fc.oneof(fc.bigInt({ min: 0n, max: U64_MAX }), fc.constantFrom(0n, 1n, 255n, 256n, (1n << 63n) - 1n, 1n << 63n, U64_MAX));
    const entries = fc
      .integer({ min: 0, max: 3 })
      .chain((len) =>
        fc.tuple(fc.array(value, { minLength: len, maxLength: len }), fc.array(value, { minLength: len, maxLength: len }), value, value),
      );
    fc.assert(
      fc.property(entries, ([a, b, ta, tb]) => {
        // Shared prefixes and equal keys are where orders go wrong: try b as drawn, b = a, and b sharing a's first element.
        for (const bb of [b, a, a.length > 0 ? [a[0], ...b.slice(1)] : b]) {
          assert.equal(Math.sign(Buffer.compare(labelRank(a, ta), labelRank(bb, tb))), want(a, ta, bb, tb));
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('orders the keys of every source kind as isLater does, within MAX_LABEL_RANK_BYTES', () => {
    const root = Buffer.alloc(32);
    const kinds: ((n: number, t: number) => ParsedBlob)[] = [
      () => ({ kind: 'UNKNOWN' }),
      (n, t) => ({ kind: 'RFC6962STH', treeSize: n, timestamp: t, rootHash: root }),
      (n, t) => ({ kind: 'GOSSIPHUB', treeSize: n, timestamp: BigInt(t) * 1_000_000n, rootHash: root }),
      (n) => ({ kind: 'CHECKPOINT', origin: 'o', treeSize: n, rootHash: root }),
      (n) => ({ kind: 'GONOTARY', origin: 'go.sum database tree', treeSize: n, rootHash: root }),
    ];
    const sizes = [0, 1, 255, 256, 2 ** 32, Number.MAX_SAFE_INTEGER];
    for (const kind of kinds) {
      const entries = sizes.flatMap((n, i) =>
        [0, 1_700_000_000_000].map((t, j) => {
          const hubTs = 1_700_000_000_000_000_000n + BigInt(i * 10 + j);
          return { key: orderKey(kind(n, t), hubTs), hubTs };
        }),
      );
      for (const a of entries) {
        const ra = labelRank(a.key, a.hubTs);
        assert.ok(ra.length <= MAX_LABEL_RANK_BYTES);
        for (const b of entries) {
          assert.equal(Math.sign(Buffer.compare(ra, labelRank(b.key, b.hubTs))), want(a.key, a.hubTs, b.key, b.hubTs), kind(1, 1).kind);
        }
      }
    }
  });
});
