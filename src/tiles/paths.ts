/**
 * Tile paths of the static read APIs (c2sp.org/tlog-tiles §Merkle Tree and
 * §Log Entries; c2sp.org/static-ct-api §Log Entries; Go sumdb tlog.Tile.Path).
 * Pure.
 *
 *   tile/<L>/<N>[.p/<W>]          hash tile: level L (0..63), index N, partial width W (1..255)
 *   tile/entries/<N>[.p/<W>]      entry bundle (tlog-tiles)
 *   tile/data/<N>[.p/<W>]         data tile (static-ct-api)
 *   tile/8/<L>/<N>[.p/<W>]        Go sumdb: the tile height in the path; `data` for L = -1
 *
 * N is written in 3-digit groups, all but the last prefixed with "x":
 * 1234067 → x001/x234/067; 5 → 005. Parsing accepts only the canonical form,
 * so every tile has exactly one path (and one cache entry).
 */
import { TILE_HEIGHT, TILE_WIDTH } from '../merkle/index.ts';
import { TilesError } from './errors.ts';

/** Where the tiles of a log live: the C2SP layout, or Go sumdb's with the height in the path. */
export type TileLayout = 'tlog-tiles' | 'sumdb';

/** What a tile path names. `width` is 256 for a full tile. */
export type TilePath =
  | { readonly kind: 'hash'; readonly level: number; readonly index: number; readonly width: number }
  | { readonly kind: 'entries' | 'data'; readonly index: number; readonly width: number };

const MAX_LEVEL = 63;

/** The x-grouped decimal of a tile index. Requires a safe integer ≥ 0. */
export function formatTileIndex(n: number): string {
  if (!Number.isSafeInteger(n) || n < 0) throw new TilesError('BAD_PATH', `got tile index ${n}, want an integer in 0..2^53-1`);
  let s = String(n % 1000).padStart(3, '0');
  for (let rest = Math.floor(n / 1000); rest > 0; rest = Math.floor(rest / 1000)) s = `x${String(rest % 1000).padStart(3, '0')}/${s}`;
  return s;
}

function suffix(width: number): string {
  if (!Number.isInteger(width) || width < 1 || width > TILE_WIDTH)
    throw new TilesError('BAD_PATH', `got tile width ${width}, want 1..${TILE_WIDTH}`);
  return width === TILE_WIDTH ? '' : `.p/${width}`;
}

/** The path of a hash tile (relative to the log's prefix). */
export function hashTilePath(level: number, index: number, width: number, layout: TileLayout = 'tlog-tiles'): string {
  if (!Number.isInteger(level) || level < 0 || level > MAX_LEVEL)
    throw new TilesError('BAD_PATH', `got tile level ${level}, want 0..${MAX_LEVEL}`);
  const h = layout === 'sumdb' ? `${TILE_HEIGHT}/` : '';
  return `tile/${h}${level}/${formatTileIndex(index)}${suffix(width)}`;
}

/** The path of an entry bundle (tlog-tiles `entries`, static-ct-api `data`; sumdb `8/data`). */
export function entriesTilePath(kind: 'entries' | 'data', index: number, width: number, layout: TileLayout = 'tlog-tiles'): string {
  const h = layout === 'sumdb' ? `${TILE_HEIGHT}/` : '';
  return `tile/${h}${kind}/${formatTileIndex(index)}${suffix(width)}`;
}

const GROUP = /^x[0-9]{3}$/;
const LAST = /^[0-9]{3}$/;
const DECIMAL = /^(0|[1-9][0-9]*)$/;

function bad(path: string, why: string): TilesError {
  return new TilesError('BAD_PATH', `tile path ${JSON.stringify(path.slice(0, 80))}: ${why}`);
}

/**
 * Parses a C2SP tile path (`tile/…`, the tlog-tiles layout). Throws TilesError
 * BAD_PATH for anything but the canonical form: a leading zero group ("x000"),
 * a width of 256 or 0, a level above 63.
 */
export function parseTilePath(path: string): TilePath {
  const parts = path.split('/');
  if (parts[0] !== 'tile' || parts.length < 3) throw bad(path, 'want tile/<L>/<N>[.p/<W>]');
  const head = parts[1];
  let width: number = TILE_WIDTH;
  let groups = parts.slice(2);
  const pi = groups.findIndex((g) => g.endsWith('.p'));
  if (pi >= 0) {
    if (pi !== groups.length - 2) throw bad(path, '.p must be followed by the width and nothing else');
    const w = groups[pi + 1];
    if (!DECIMAL.test(w) || Number(w) < 1 || Number(w) >= TILE_WIDTH) throw bad(path, `got width ${JSON.stringify(w)}, want 1..255`);
    width = Number(w);
    groups = [...groups.slice(0, pi), groups[pi].slice(0, -2)];
  }
  if (groups.length === 0 || !LAST.test(groups[groups.length - 1]) || !groups.slice(0, -1).every((g) => GROUP.test(g))) {
    throw bad(path, 'want the index as x-prefixed 3-digit groups and a last 3-digit group');
  }
  if (groups.length > 1 && groups[0] === 'x000') throw bad(path, 'leading zero group');
  let index = 0;
  for (const g of groups) index = index * 1000 + Number(g.replace(/^x/, ''));
  if (!Number.isSafeInteger(index)) throw bad(path, 'index above 2^53-1');
  if (head === 'entries' || head === 'data') return { kind: head, index, width };
  if (!DECIMAL.test(head) || Number(head) > MAX_LEVEL) throw bad(path, `got level ${JSON.stringify(head)}, want 0..${MAX_LEVEL}`);
  return { kind: 'hash', level: Number(head), index, width };
}
