/**
 * Rebuilds a tiled log's tree from its hash tiles and checks it against a
 * signed checkpoint's size and root (c2sp.org/tlog-tiles §Merkle Tree):
 *
 * - every level-0 tile of the tree of `size` leaves is read, in order, and
 *   its hashes appended to a compact range: the fold must be the root;
 * - every node the appends complete at levels 8, 16, … is kept, and every
 *   tile of levels ≥ 1 must hold exactly those nodes (a higher-level tile
 *   that disagrees with the leaves below it is a MISMATCH too).
 *
 * Tiles are read `concurrency` at a time but consumed in order. Memory: the
 * level-8 row (size/256 hashes) and above, never the leaves.
 */
import { CompactRange, HASH_SIZE, TILE_HEIGHT, TILE_WIDTH, tileWidthAt } from '../merkle/index.ts';
import { TilesError } from './errors.ts';
import type { TileSource } from './reader.ts';

export interface RebuildProgress {
  readonly tilesRead: number;
  readonly tilesTotal: number;
}

export interface RebuildResult {
  readonly size: number;
  readonly root: Buffer;
  readonly tilesRead: number;
}

/** Every tile (level, index, width) of the tree of `size` leaves, level by level, left to right. */
export function treeTiles(size: number): { level: number; index: number; width: number }[] {
  const out: { level: number; index: number; width: number }[] = [];
  for (let level = 0; TILE_WIDTH ** level <= size; level++) {
    const row = Math.floor(size / TILE_WIDTH ** level);
    for (let index = 0; index * TILE_WIDTH < row; index++) out.push({ level, index, width: tileWidthAt({ level, index }, size) });
  }
  return out;
}

/** Reads in order with a window of `n` requests in flight. */
async function* ordered<T, R>(items: readonly T[], n: number, f: (t: T) => Promise<R>): AsyncGenerator<[T, R]> {
  const inflight: Promise<R>[] = [];
  let next = 0;
  while (next < items.length && inflight.length < n) inflight.push(f(items[next++]));
  for (let i = 0; i < items.length; i++) {
    const r = await (inflight.shift() as Promise<R>);
    if (next < items.length) inflight.push(f(items[next++]));
    yield [items[i], r];
  }
}

/**
 * Rebuilds the tree of `size` leaves from `source` and returns its root.
 * Throws TilesError MISMATCH when a higher-level tile disagrees with the
 * leaves, or (with `root` given) when the rebuilt root is not `root`;
 * BAD_TILE for a tile of the wrong length.
 */
export async function rebuildFromTiles(
  source: TileSource,
  size: number,
  opts: { readonly root?: Uint8Array; readonly concurrency?: number; readonly onProgress?: (p: RebuildProgress) => void } = {},
): Promise<RebuildResult> {
  const tiles = treeTiles(size);
  const rows = new Map<number, Buffer[]>();
  const compact = CompactRange.empty();
  const keep = (level: number, _index: number, hash: Buffer) => {
    if (level > 0 && level % TILE_HEIGHT === 0) {
      const row = rows.get(level / TILE_HEIGHT) ?? [];
      row.push(hash);
      rows.set(level / TILE_HEIGHT, row);
    }
  };
  let read = 0;
  for await (const [t, data] of ordered(tiles, opts.concurrency ?? 8, (t) => source(t.level, t.index, t.width))) {
    const where = `tile ${t.level}/${t.index}${t.width < TILE_WIDTH ? `.p/${t.width}` : ''}`;
    if (data.length !== t.width * HASH_SIZE)
      throw new TilesError('BAD_TILE', `${where}: got ${data.length} bytes, want ${t.width * HASH_SIZE}`);
    for (let j = 0; j < t.width; j++) {
      const h = Buffer.from(data.subarray(j * HASH_SIZE, (j + 1) * HASH_SIZE));
      if (t.level === 0) {
        compact.append(h, keep);
        continue;
      }
      const want = rows.get(t.level)?.[t.index * TILE_WIDTH + j];
      if (!want?.equals(h)) {
        throw new TilesError(
          'MISMATCH',
          `${where}: hash ${j} is ${h.toString('hex')}, the leaves below give ${want?.toString('hex') ?? 'nothing'}`,
        );
      }
    }
    opts.onProgress?.({ tilesRead: ++read, tilesTotal: tiles.length });
  }
  const root = compact.root();
  if (opts.root !== undefined && !root.equals(opts.root)) {
    throw new TilesError(
      'MISMATCH',
      `the tiles of ${size} leaves give root ${root.toString('hex')}, the checkpoint says ${Buffer.from(opts.root).toString('hex')}`,
    );
  }
  return { size, root, tilesRead: read };
}
