/**
 * Merkle hashes from hash tiles (c2sp.org/tlog-tiles): perfect-subtree
 * hashes, the tree root and consistency proofs of a tree of a given size,
 * read through a tile source (an HTTP client, or a test's map). The tiles
 * are those of the tree at that size: a tile beyond the size's edge is read
 * partial (`.p/W`), as the spec requires a client to ask.
 *
 * The reader checks each tile's length and nothing else: a server can lie
 * about hashes. What is computed here is what the server claims; callers
 * verify it against a signed checkpoint (a root) or let a verifier check the
 * proof (a witness checks the consistency proof it is sent).
 *
 * No I/O of its own: tiles come from the injected `TileSource`.
 */
import {
  consistencyPlan,
  EMPTY_ROOT,
  ExpandedTile,
  foldRange,
  HASH_SIZE,
  type LeafRange,
  type NodeId,
  rangeNodes,
  tileSlot,
  tileWidthAt,
} from '../merkle/index.ts';
import { TilesError } from './errors.ts';

/** Reads the hash tile (level, index) of width `width` (256 = full). */
export type TileSource = (level: number, index: number, width: number) => Promise<Uint8Array>;

export class TileHashReader {
  readonly #source: TileSource;
  /** Tiles read by this reader, by "level/index/width" (tiles are immutable, so this never goes stale). */
  readonly #tiles = new Map<string, Promise<ExpandedTile>>();

  constructor(source: TileSource) {
    this.#source = source;
  }

  /** Tiles fetched so far (for progress output). */
  get tilesRead(): number {
    return this.#tiles.size;
  }

  #tile(level: number, index: number, width: number): Promise<ExpandedTile> {
    const key = `${level}/${index}/${width}`;
    let t = this.#tiles.get(key);
    if (!t) {
      t = this.#source(level, index, width).then((data) => {
        if (data.length !== width * HASH_SIZE) {
          throw new TilesError('BAD_TILE', `tile ${level}/${index} of width ${width}: got ${data.length} bytes, want ${width * HASH_SIZE}`);
        }
        return new ExpandedTile(data);
      });
      // A failed read is not remembered: the next call asks again.
      t.catch(() => this.#tiles.delete(key));
      this.#tiles.set(key, t);
    }
    return t;
  }

  /** Hashes of perfect nodes of the tree of `size` leaves, in order. Requires every node inside [0, size). */
  async nodeHashes(size: number, nodes: readonly NodeId[]): Promise<Buffer[]> {
    return Promise.all(
      nodes.map(async (n) => {
        if ((n.index + 1) * 2 ** n.level > size) {
          throw new TilesError('OUT_OF_RANGE', `node ${n.level}/${n.index} is not complete in a tree of ${size} leaves`);
        }
        const s = tileSlot(n);
        const width = tileWidthAt(s.tile, size);
        return Buffer.from((await this.#tile(s.tile.level, s.tile.index, width)).node(s.height, s.begin));
      }),
    );
  }

  /** MTH of each leaf range of the tree of `size` leaves. */
  async rangeHashes(size: number, ranges: readonly LeafRange[]): Promise<Buffer[]> {
    return Promise.all(ranges.map(async (r) => foldRange(await this.nodeHashes(size, rangeNodes(r.begin, r.end)))));
  }

  /** The root of the tree of `size` leaves (RFC 6962 §2.1; the empty hash for 0). */
  async root(size: number): Promise<Buffer> {
    if (size === 0) return Buffer.from(EMPTY_ROOT);
    return (await this.rangeHashes(size, [{ begin: 0, end: size }]))[0];
  }

  /** The RFC 6962 §2.1.2 consistency proof from `size1` to `size2` (empty when size1 is 0 or equal to size2). */
  async consistencyProof(size1: number, size2: number): Promise<Buffer[]> {
    return this.rangeHashes(size2, consistencyPlan(size1, size2));
  }
}
