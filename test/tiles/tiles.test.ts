/**
 * src/tiles: canonical tile paths (c2sp.org/tlog-tiles), hashes and proofs
 * read from tiles against the reference implementation, and rebuilding a
 * tree from its tiles, with tampered tiles caught.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TILE_WIDTH, verifyConsistency } from '../../src/merkle/index.ts';
import {
  entriesTilePath,
  formatTileIndex,
  hashTilePath,
  parseTilePath,
  rebuildFromTiles,
  TileHashReader,
  type TileSource,
  TilesError,
  TlogTilesClient,
  treeTiles,
} from '../../src/tiles/index.ts';
import { refLeafHash, refProof, refRoot } from '../merkle/reference.ts';
import { assertThrowsCode } from '../support/assert-code.ts';
import { TestLog } from '../witness/fixtures.ts';
import { serveStaticLog, tileRows } from './static-log.ts';

/** A TileSource over rows, counting reads; `tamper` edits a tile's bytes before they are served. */
function source(rows: Buffer[][], tamper?: (level: number, index: number, data: Buffer) => Buffer): TileSource & { reads: number } {
  const f = async (level: number, index: number, width: number) => {
    f.reads++;
    const row = rows[level] ?? [];
    const data = Buffer.concat(row.slice(index * TILE_WIDTH, index * TILE_WIDTH + width));
    return tamper ? tamper(level, index, data) : data;
  };
  f.reads = 0;
  return f;
}

const leaves = (n: number) => Array.from({ length: n }, (_, i) => refLeafHash(Buffer.from(`leaf ${i}`)));

describe('tile paths', () => {
  const cases: [string, number, number, number][] = [
    ['tile/0/000', 0, 0, 256],
    ['tile/0/005.p/7', 0, 5, 7],
    ['tile/1/x001/x234/067', 1, 1234067, 256],
    ['tile/63/999.p/255', 63, 999, 255],
    ['tile/2/x001/000', 2, 1000, 256],
  ];
  for (const [path, level, index, width] of cases) {
    it(`${path} ↔ level ${level} index ${index} width ${width}`, () => {
      assert.equal(hashTilePath(level, index, width), path);
      assert.deepEqual(parseTilePath(path), { kind: 'hash', level, index, width });
    });
  }

  it('writes entry bundles, data tiles and the sumdb layout', () => {
    assert.equal(entriesTilePath('entries', 1234067, 3), 'tile/entries/x001/x234/067.p/3');
    assert.equal(entriesTilePath('data', 0, 256), 'tile/data/000');
    assert.equal(hashTilePath(1, 5, 256, 'sumdb'), 'tile/8/1/005');
    assert.equal(entriesTilePath('data', 5, 10, 'sumdb'), 'tile/8/data/005.p/10');
    assert.deepEqual(parseTilePath('tile/entries/x002/000.p/1'), { kind: 'entries', index: 2000, width: 1 });
    assert.equal(formatTileIndex(9_007_199_254_740_991), 'x009/x007/x199/x254/x740/991');
  });

  for (const bad of [
    'tile/0/5',
    'tile/0/0005',
    'tile/0/x000/005',
    'tile/0/005.p/256',
    'tile/0/005.p/0',
    'tile/0/005.p/07',
    'tile/0/005.p/7/8',
    'tile/64/000',
    'tile/01/000',
    'tile/a/000',
    'tile/0/x1/000',
    'tiles/0/000',
    'tile/0',
    'tile/0/000/',
  ]) {
    it(`refuses ${bad}`, () => {
      assertThrowsCode(() => parseTilePath(bad), TilesError, 'BAD_PATH');
    });
  }

  it('lists the tiles of the spec example: size 70,000', () => {
    const t = treeTiles(70_000);
    const at = (l: number) => t.filter((x) => x.level === l);
    assert.equal(at(0).filter((x) => x.width === 256).length, 273);
    assert.deepEqual(at(0).at(-1), { level: 0, index: 273, width: 112 });
    assert.deepEqual(at(1), [
      { level: 1, index: 0, width: 256 },
      { level: 1, index: 1, width: 17 },
    ]);
    assert.deepEqual(at(2), [{ level: 2, index: 0, width: 1 }]);
    assert.equal(t.length, 274 + 2 + 1);
  });
});

describe('TileHashReader', () => {
  const ls = leaves(700);
  const rows = tileRows(ls);

  for (const size of [0, 1, 255, 256, 257, 512, 513, 700]) {
    it(`gives the reference root of size ${size}`, async () => {
      const r = new TileHashReader(source(tileRows(ls.slice(0, size))));
      assert.deepEqual(await r.root(size), refRoot(ls.slice(0, size)));
    });
  }

  for (const [m, n] of [
    [1, 700],
    [255, 257],
    [256, 512],
    [300, 700],
    [512, 513],
  ]) {
    it(`gives the reference consistency proof ${m} → ${n}, and it verifies`, async () => {
      const r = new TileHashReader(source(tileRows(ls.slice(0, n))));
      const proof = await r.consistencyProof(m, n);
      assert.deepEqual(proof, refProof(m, ls.slice(0, n)));
      verifyConsistency(m, n, proof, refRoot(ls.slice(0, m)), refRoot(ls.slice(0, n)));
    });
  }

  it('reads each tile once', async () => {
    const s = source(rows);
    const r = new TileHashReader(s);
    await r.root(700);
    await r.consistencyProof(300, 700);
    assert.equal(s.reads, r.tilesRead);
  });

  it('refuses a tile of the wrong length, and a node outside the tree', async () => {
    const r = new TileHashReader(source(rows, (_l, _i, d) => d.subarray(32)));
    await assert.rejects(r.root(700), (e) => e instanceof TilesError && e.code === 'BAD_TILE');
    await assert.rejects(
      new TileHashReader(source(rows)).nodeHashes(100, [{ level: 7, index: 0 }]),
      (e) => e instanceof TilesError && e.code === 'OUT_OF_RANGE',
    );
  });
});

describe('rebuildFromTiles', () => {
  const ls = leaves(66_000);
  const rows = tileRows(ls);

  it('rebuilds the root of 66,000 leaves across three tile levels, reading every tile', async () => {
    const progress: number[] = [];
    const res = await rebuildFromTiles(source(rows), 66_000, { root: refRoot(ls), onProgress: (p) => progress.push(p.tilesRead) });
    assert.deepEqual(res.root, refRoot(ls));
    assert.equal(res.tilesRead, treeTiles(66_000).length);
    assert.equal(progress.at(-1), treeTiles(66_000).length);
  });

  it('catches a level-1 tile that disagrees with the leaves', async () => {
    const s = source(rows, (level, index, data) => {
      if (level === 1 && index === 0) data[5] ^= 1;
      return data;
    });
    await assert.rejects(rebuildFromTiles(s, 66_000), (e) => e instanceof TilesError && e.code === 'MISMATCH');
  });

  it('catches leaves that do not give the checkpoint root', async () => {
    const s = source(rows, (level, index, data) => {
      if (level === 0 && index === 257) data[0] ^= 1;
      return data;
    });
    await assert.rejects(rebuildFromTiles(s, 66_000, { root: refRoot(ls) }), (e) => e instanceof TilesError && e.code === 'MISMATCH');
  });
});

describe('TlogTilesClient over HTTP', () => {
  it('reads a partial tile the log no longer serves (404) as the start of the full tile', async () => {
    const log = new TestLog('tiles.example/pruned', 600);
    const served = await serveStaticLog(log, 600);
    const asked: string[] = [];
    const pruning: typeof fetch = async (input, init) => {
      const url = String(input);
      asked.push(url);
      // Level-0 partials are gone (their full tiles exist at size 600); the level-1 partial is still the edge.
      return /\/tile\/0\/.*\.p\//.test(url) ? new Response('not found\n', { status: 404 }) : fetch(input, init);
    };
    try {
      const client = new TlogTilesClient({ url: served.url, fetch: pruning });
      // The tree of 300 leaves ends inside level-0 tile 1: a partial tile of width 44.
      const proof = await client.reader().consistencyProof(260, 300);
      assert.deepEqual(proof, log.proof(260, 300));
      verifyConsistency(260, 300, proof, log.root(260), log.root(300));
      assert.ok(asked.some((u) => u.endsWith('/tile/0/001.p/44')) && asked.some((u) => u.endsWith('/tile/0/001')));
      // Any other failure stays a failure.
      const down = new TlogTilesClient({ url: served.url, fetch: async () => new Response('', { status: 500 }) });
      await assert.rejects(down.reader().consistencyProof(260, 300), (e: unknown) => e instanceof TilesError && e.status === 500);
    } finally {
      await served.close();
    }
  });
});
