/**
 * TileCache: reads perfect-subtree hashes through an LRU of expanded tiles.
 * Every answer must come from a tile wide enough for it, whatever the LRU
 * evicts or concurrent readers put while a lookup waits for storage.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Log, type LogStorage, TileCache } from '../../src/log/index.ts';
import { hashLeaf } from '../../src/merkle/index.ts';
import { openStorage } from '../../src/storage/index.ts';
import { refPath } from '../merkle/reference.ts';
import { drain, leafValue, newLog } from './fixtures.ts';

/** A storage whose next getTiles answers (read at call time) can be held back until released. */
function gated(storage: LogStorage) {
  let holdNext: Promise<void> | null = null;
  const wrapped = new Proxy(storage, {
    get(target, p) {
      if (p === 'getTiles') {
        return async (...args: Parameters<LogStorage['getTiles']>) => {
          const data = await target.getTiles(...args);
          const h = holdNext;
          holdNext = null;
          if (h) await h;
          return data;
        };
      }
      const v = Reflect.get(target, p, target);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
  return {
    storage: wrapped,
    /** Holds the answer of the next getTiles call until the returned function is called. */
    holdNextRead(): () => void {
      let release = () => {};
      holdNext = new Promise((r) => {
        release = r;
      });
      return release;
    },
  };
}

async function grow(log: Log, seq: Parameters<typeof drain>[0], from: number, to: number): Promise<void> {
  await log.queueLeaves(Array.from({ length: to - from }, (_, i) => ({ value: leafValue(from + i) })));
  await drain(seq);
}

const leafHashes = (n: number) => Array.from({ length: n }, (_, i) => hashLeaf(leafValue(i)));
const hexes = (hs: Buffer[]) => hs.map((h) => h.toString('hex'));

describe('TileCache', () => {
  it('answers a lookup whose own reads evict the tiles it found cached (capacity smaller than one proof)', async () => {
    const s = await openStorage('sqlite::memory:');
    const { log, seq } = await newLog(s);
    await grow(log, seq, 0, 300);
    const tiny = await Log.open(s, 'test', null, { tiles: new TileCache(s, 1) });
    // Index 0 of 300 needs tiles 0/0 and 0/1: putting the second evicts the first.
    assert.deepEqual(hexes(await tiny.getInclusionProof(0, 300)), hexes(refPath(0, leafHashes(300))));
    assert.deepEqual(hexes(await tiny.getInclusionProof(299, 300)), hexes(refPath(299, leafHashes(300))));
    await s.close();
  });

  it('is not misled by a slow reader that puts an older, narrower copy of a tile a lookup already found', async () => {
    const raw = await openStorage('sqlite::memory:');
    const { log: writer, seq } = await newLog(raw);
    const g = gated(raw);
    const tiles = new TileCache(g.storage);
    const log = await Log.open(g.storage, 'test', null, { tiles });

    await grow(writer, seq, 0, 10);
    // R1 reads tile 0/0 while it is 10 wide, and is slow to get its answer back.
    const releaseR1 = g.holdNextRead();
    const r1 = log.getInclusionProof(0, 10);
    await grow(writer, seq, 10, 300);
    // The cache learns the full 256-wide tile 0/0.
    await log.getInclusionProof(0, 256);
    // R3 finds 0/0 in the cache and waits for tile 0/1; meanwhile R1 puts its 10-wide 0/0.
    const releaseR3 = g.holdNextRead();
    const r3 = log.getInclusionProof(0, 300);
    await new Promise((r) => setImmediate(r));
    releaseR1();
    assert.deepEqual(hexes(await r1), hexes(refPath(0, leafHashes(10))));
    releaseR3();
    assert.deepEqual(hexes(await r3), hexes(refPath(0, leafHashes(300))));
    // The cache kept the wider copy of 0/0: a proof inside it needs no storage read.
    const misses = tiles.misses;
    assert.deepEqual(hexes(await log.getInclusionProof(200, 256)), hexes(refPath(200, leafHashes(256))));
    assert.equal(tiles.misses, misses);
    await raw.close();
  });
});
