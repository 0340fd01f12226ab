/**
 * Reads perfect-subtree hashes out of stored tiles, through an LRU of
 * expanded tiles (every interior level computed once). A proof then costs
 * O(log n / 8) tile reads on a cold cache and no hashing on a warm one.
 *
 * Stored tiles only ever grow at the right edge and their prefixes never
 * change (append-only), so a cached tile of width w stays correct for every
 * node it completes; a node beyond w triggers a re-read.
 *
 * Concurrency: any number of readers may interleave; a race only costs a
 * duplicate read, never a wrong answer. Each lookup answers from the tiles it
 * found or read itself (held for the call), never by re-reading the shared
 * LRU after an await: while it waits for storage, other lookups may evict a
 * tile it found, or put an older, narrower copy read before the last
 * integration (#put keeps the wider of the two).
 */
import { ExpandedTile, foldRange, type LeafRange, type NodeId, rangeNodes, type TileId, type TileSlot, tileSlot } from '../merkle/index.ts';
import { StorageError } from './errors.ts';
import type { LogStorage } from './storage.ts';

export class TileCache {
  readonly #storage: LogStorage;
  readonly #capacity: number;
  readonly #tiles = new Map<string, ExpandedTile>();
  hits = 0;
  misses = 0;

  /** @param capacity maximum number of expanded tiles kept (each ≤ 16 KiB). */
  constructor(storage: LogStorage, capacity = 8192) {
    this.#storage = storage;
    this.#capacity = capacity;
  }

  /** MTH of each range (each must lie inside a tree the tiles already cover). */
  async rangeHashes(treeId: number, ranges: readonly LeafRange[]): Promise<Buffer[]> {
    const perRange = ranges.map((r) => rangeNodes(r.begin, r.end));
    const hashes = await this.nodeHashes(treeId, perRange.flat());
    let at = 0;
    return perRange.map((nodes) => {
      const hs = hashes.slice(at, at + nodes.length);
      at += nodes.length;
      return foldRange(hs);
    });
  }

  /** Hashes of perfect nodes, in order. */
  async nodeHashes(treeId: number, nodes: readonly NodeId[]): Promise<Buffer[]> {
    const slots = nodes.map(tileSlot);
    // The tiles this call answers from: found wide enough in the LRU, or read below.
    const held = new Map<string, ExpandedTile>();
    const missing = new Map<string, TileId>();
    for (const s of slots) {
      const key = tileKey(treeId, s.tile);
      const t = held.get(key) ?? this.#get(key);
      if (t && t.width >= s.end) {
        held.set(key, t);
        this.hits++;
      } else {
        missing.set(key, s.tile);
      }
    }
    if (missing.size > 0) {
      this.misses += missing.size;
      const ids = [...missing.values()];
      const data = await this.#storage.getTiles(treeId, ids);
      ids.forEach((id, i) => {
        const d = data[i];
        if (!d) return;
        const key = tileKey(treeId, id);
        const t = new ExpandedTile(d);
        held.set(key, t);
        this.#put(key, t);
      });
    }
    return slots.map((s) => lookup(held.get(tileKey(treeId, s.tile)), treeId, s));
  }

  #get(key: string): ExpandedTile | undefined {
    const t = this.#tiles.get(key);
    if (t) {
      this.#tiles.delete(key);
      this.#tiles.set(key, t);
    }
    return t;
  }

  #put(key: string, t: ExpandedTile): void {
    // Tiles only grow at the right edge: a narrower copy is an older read, never newer news.
    const old = this.#tiles.get(key);
    this.#tiles.delete(key);
    this.#tiles.set(key, old && old.width > t.width ? old : t);
    while (this.#tiles.size > this.#capacity) {
      const oldest = this.#tiles.keys().next().value as string;
      this.#tiles.delete(oldest);
    }
  }
}

function lookup(t: ExpandedTile | undefined, treeId: number, s: TileSlot): Buffer {
  if (!t || t.width < s.end) {
    throw new StorageError(
      'CORRUPT',
      `tile ${s.tile.level}/${s.tile.index} of tree ${treeId} is missing or too narrow for entries [${s.begin}, ${s.end})`,
    );
  }
  return t.node(s.height, s.begin);
}

function tileKey(treeId: number, t: TileId): string {
  return `${treeId}/${t.level}/${t.index}`;
}
