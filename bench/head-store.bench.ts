/**
 * HeadStore on SQLite (issue 10 §4; the witness needs ≥ 2,800 durable
 * compare-and-swaps per second across many keys):
 *   - the ceiling: write + fsync of one 4 KiB page per second on this file system
 *   - swaps one at a time (one transaction and one fsync each)
 *   - swaps with many in flight, group-committed (one transaction per event-loop turn)
 * Every swap is durable when it resolves (WAL, synchronous=FULL).
 */
import { closeSync, fsyncSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashLeaf } from '../src/merkle/index.ts';
import { openHeadStore } from '../src/storage/index.ts';
import { fmt, line, median, pct } from './lib.ts';

const dir = mkdtempSync(join(tmpdir(), 'gv-bench-heads-'));

function fsyncCeiling(): number {
  const fd = openSync(join(dir, 'fsync.bin'), 'w');
  const page = Buffer.alloc(4096, 1);
  const rates: number[] = [];
  for (let round = 0; round < 5; round++) {
    const n = 200;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) {
      writeSync(fd, page, 0, page.length, i * page.length);
      fsyncSync(fd);
    }
    rates.push((n * 1000) / (performance.now() - t0));
  }
  closeSync(fd);
  return median(rates);
}

async function main() {
  try {
    const ceiling = fsyncCeiling();
    line('ceiling: 4 KiB write + fsync', `${fmt(ceiling)} /s`);
    const store = await openHeadStore(`sqlite:${join(dir, 'heads.db')}`);
    const KEYS = 10_000;
    const revision = new Map<number, number>();
    const rec = (k: number, size: number) => ({ size, rootHash: hashLeaf(Buffer.from(`${k}/${size}`)), body: Buffer.alloc(300, k % 251) });
    const swap = async (k: number) => {
      const r = revision.get(k) ?? 0;
      if (!(await store.compareAndSwap(`log-${k}`, r, rec(k, r + 1)))) throw new Error(`lost a swap on log-${k}`);
      revision.set(k, r + 1);
    };
    let next = 0;
    const serial = async (n: number) => {
      const t0 = performance.now();
      for (let i = 0; i < n; i++) await swap(next++ % KEYS);
      return (n * 1000) / (performance.now() - t0);
    };
    const concurrent = async (n: number, inFlight: number) => {
      const t0 = performance.now();
      let started = 0;
      const worker = async () => {
        while (started < n) {
          started++;
          await swap(next++ % KEYS);
        }
      };
      await Promise.all(Array.from({ length: inFlight }, worker));
      return (n * 1000) / (performance.now() - t0);
    };
    await serial(200); // warm up
    const one = median([await serial(1000), await serial(1000), await serial(1000)]);
    line('durable CAS, one at a time', `${fmt(one)} /s  (${pct(one / ceiling)} of the fsync ceiling)`);
    for (const inFlight of [16, 256]) {
      const many = median([await concurrent(10_000, inFlight), await concurrent(10_000, inFlight), await concurrent(10_000, inFlight)]);
      line(`durable CAS, ${inFlight} in flight over ${fmt(KEYS)} keys`, `${fmt(many)} /s  (target ≥ 2,800)`);
    }
    await store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
