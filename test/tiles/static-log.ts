/**
 * A tiled log served as static files over loopback HTTP, as a tlog-tiles log
 * is deployed (a directory behind any web server): /checkpoint signed by a
 * TestLog's Ed25519 key, /tile/<L>/<N>[.p/<W>] from the reference tree, and
 * the sumdb layout (/latest, /tile/8/…) when asked. `tamper` edits a tile.
 */
import { createServer, type Server } from 'node:http';
import { CompactRange, TILE_WIDTH } from '../../src/merkle/index.ts';
import { parseTilePath, type TileLayout } from '../../src/tiles/index.ts';
import type { TestLog } from '../witness/fixtures.ts';

/** Row L of the tiles of a tree: the level-8L node hashes. */
export function tileRows(leaves: readonly Buffer[]): Buffer[][] {
  const rows: Buffer[][] = [[...leaves]];
  const c = CompactRange.empty();
  for (const h of leaves) {
    c.append(h, (level, _i, hash) => {
      if (level > 0 && level % 8 === 0) {
        rows[level / 8] = rows[level / 8] ?? [];
        rows[level / 8].push(hash);
      }
    });
  }
  return rows;
}

export interface StaticLog {
  readonly url: string;
  /** The size served (the checkpoint's); set it to serve a larger tree of the same log. */
  size: number;
  tamper?: (level: number, index: number, data: Buffer) => Buffer;
  requests: number;
  close(): Promise<void>;
}

export async function serveStaticLog(log: TestLog, size: number, layout: TileLayout = 'tlog-tiles'): Promise<StaticLog> {
  const state: { size: number; tamper?: StaticLog['tamper']; requests: number } = { size, requests: 0 };
  const server: Server = createServer((req, res) => {
    state.requests++;
    const path = (req.url ?? '').replace(/^\//, '');
    const send = (status: number, body: Buffer | string, type = 'application/octet-stream') => {
      res.writeHead(status, { 'content-type': type });
      res.end(body);
    };
    if (path === (layout === 'sumdb' ? 'latest' : 'checkpoint')) return send(200, log.checkpoint(state.size), 'text/plain; charset=utf-8');
    const tilePath = layout === 'sumdb' ? path.replace(/^tile\/8\//, 'tile/') : path;
    let t: ReturnType<typeof parseTilePath>;
    try {
      t = parseTilePath(tilePath);
    } catch {
      return send(404, 'not found\n');
    }
    if (t.kind !== 'hash' || (layout === 'sumdb') !== path.startsWith('tile/8/')) return send(404, 'not found\n');
    const row = tileRows(log.leaves.slice(0, state.size))[t.level] ?? [];
    const hashes = row.slice(t.index * TILE_WIDTH, t.index * TILE_WIDTH + t.width);
    if (hashes.length < t.width) return send(404, 'not found\n');
    const data = Buffer.concat(hashes);
    return send(200, state.tamper ? state.tamper(t.level, t.index, data) : data);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  if (addr === null || typeof addr === 'string') throw new Error('no port');
  return Object.assign(state, {
    url: `http://127.0.0.1:${addr.port}`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  }) as StaticLog;
}
