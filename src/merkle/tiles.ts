/**
 * Tile arithmetic in the C2SP tlog-tiles layout (c2sp.org/tlog-tiles):
 * tiles of height 8 and width 256. The tile at tile-level L, index N holds
 * the level-8L node hashes [N·256, N·256 + w), concatenated; w < 256 only
 * for the rightmost (partial) tile of a level. Level-0 tiles hold leaf hashes;
 * a level-1 tile holds the roots of 256 full level-0 tiles, and so on.
 *
 * A node (level, index) with 8L ≤ level < 8L+8 lies inside tile (L, N): it is
 * the MTH of 2^(level-8L) consecutive entries of that tile's bottom row.
 */
import { ProofError } from './errors.ts';
import type { NodeId } from './nodes.ts';
import { HASH_SIZE, hashChildren } from './rfc6962.ts';

export const TILE_HEIGHT = 8;
export const TILE_WIDTH = 256;

export interface TileId {
  readonly level: number;
  readonly index: number;
}

/** Where a perfect node lives: which tile, and which bottom-row entries [begin, end) of it it covers. */
export interface TileSlot {
  readonly tile: TileId;
  readonly begin: number;
  readonly end: number;
  /** Level of the node inside the tile (0 = bottom row). */
  readonly height: number;
}

export function tileSlot(node: NodeId): TileSlot {
  const level = Math.floor(node.level / TILE_HEIGHT);
  const height = node.level - level * TILE_HEIGHT;
  const span = 2 ** height;
  const first = node.index * span; // index in the level-8L row
  const tileIndex = Math.floor(first / TILE_WIDTH);
  const begin = first - tileIndex * TILE_WIDTH;
  return { tile: { level, index: tileIndex }, begin, end: begin + span, height };
}

/** Width the tile (level, index) has in a tree of `size` leaves (0 when it does not exist yet). */
export function tileWidthAt(tile: TileId, size: number): number {
  const rowSize = Math.floor(size / 2 ** (TILE_HEIGHT * tile.level));
  const w = rowSize - tile.index * TILE_WIDTH;
  return w <= 0 ? 0 : Math.min(w, TILE_WIDTH);
}

/** The rightmost tile of every tile level of a tree of `size` leaves, with its width (0: not started yet). */
export function edgeTiles(size: number): { id: TileId; width: number }[] {
  const out: { id: TileId; width: number }[] = [];
  for (let level = 0; TILE_WIDTH ** level <= size; level++) {
    const row = Math.floor(size / TILE_WIDTH ** level);
    const id = { level, index: Math.floor(row / TILE_WIDTH) };
    out.push({ id, width: tileWidthAt(id, size) });
  }
  return out;
}

/** The first `width` hashes of a tile's data, as separate buffers (copies). */
export function splitTile(data: Uint8Array, width: number): Buffer[] {
  if (data.length < width * HASH_SIZE) {
    throw new ProofError('BAD_HASH_SIZE', `tile data of ${data.length} bytes holds fewer than ${width} hashes`);
  }
  const out: Buffer[] = [];
  for (let j = 0; j < width; j++) out.push(Buffer.from(data.subarray(j * HASH_SIZE, (j + 1) * HASH_SIZE)));
  return out;
}

/**
 * A tile with all of its interior levels computed once, so that any perfect
 * node inside it is a lookup. Row h holds the complete nodes at height h
 * above the tile's bottom, contiguous (one Buffer per row keeps the memory
 * per tile at about 2 × width × 32 bytes).
 */
export class ExpandedTile {
  readonly width: number;
  readonly #rows: Buffer[];

  constructor(data: Uint8Array) {
    if (data.length % HASH_SIZE !== 0 || data.length > TILE_WIDTH * HASH_SIZE) {
      throw new ProofError('BAD_HASH_SIZE', `tile data of ${data.length} bytes is not 1..${TILE_WIDTH} hashes`);
    }
    this.width = data.length / HASH_SIZE;
    const rows = [Buffer.from(data)];
    for (let h = 1; h < TILE_HEIGHT; h++) {
      const below = rows[h - 1];
      const n = Math.floor(below.length / HASH_SIZE / 2);
      const row = Buffer.allocUnsafe(n * HASH_SIZE);
      for (let j = 0; j < n; j++) {
        const o = 2 * j * HASH_SIZE;
        hashChildren(below.subarray(o, o + HASH_SIZE), below.subarray(o + HASH_SIZE, o + 2 * HASH_SIZE)).copy(row, j * HASH_SIZE);
      }
      rows.push(row);
    }
    this.#rows = rows;
  }

  /**
   * Hash of the node covering bottom entries [begin, begin + 2^height).
   * Requires 0 ≤ height < 8, begin a multiple of 2^height (a node, not a
   * range straddling two), and those entries present; ProofError BAD_INDEX
   * otherwise.
   */
  node(height: number, begin: number): Buffer {
    const row = this.#rows[height];
    const span = 2 ** height;
    if (!Number.isSafeInteger(begin) || begin < 0 || begin % span !== 0) {
      throw new ProofError('BAD_INDEX', `entry ${begin} does not start a node of height ${height}`);
    }
    const o = (begin / span) * HASH_SIZE;
    if (row === undefined || o + HASH_SIZE > row.length) {
      throw new ProofError('BAD_INDEX', `node at height ${height}, entry ${begin} is not complete in a tile of width ${this.width}`);
    }
    return row.subarray(o, o + HASH_SIZE);
  }
}
