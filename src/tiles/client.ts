/**
 * A client of a tiled log's read API (c2sp.org/tlog-tiles; Go sumdb's
 * layout with the height in the path): the checkpoint, hash tiles and entry
 * bundles, over `fetch`. What it returns is unverified bytes of the right
 * length; verification is the caller's (a checkpoint against the log's keys,
 * tiles against the checkpoint: rebuild.ts).
 */
import { HASH_SIZE, TILE_WIDTH } from '../merkle/index.ts';
import { TilesError } from './errors.ts';
import { entriesTilePath, hashTilePath, type TileLayout } from './paths.ts';
import { TileHashReader } from './reader.ts';

export interface TilesClientOptions {
  /** The log's prefix URL, e.g. https://log.example/2026h1 (tiles at <prefix>/tile/…). */
  readonly url: string;
  /** `tlog-tiles` (default: checkpoint at <prefix>/checkpoint) or `sumdb` (<prefix>/latest, tile/8/…). */
  readonly layout?: TileLayout;
  readonly fetch?: typeof fetch;
  /** Per-request time limit, ms (default 30 s). */
  readonly timeoutMs?: number;
  /** Largest body accepted, bytes (default 1 MiB; a full hash tile is 8 KiB). */
  readonly maxBodyBytes?: number;
}

export class TlogTilesClient {
  readonly url: string;
  readonly layout: TileLayout;
  readonly #fetch: typeof fetch;
  readonly #timeoutMs: number;
  readonly #maxBody: number;

  constructor(opts: TilesClientOptions) {
    this.url = opts.url.replace(/\/+$/, '');
    this.layout = opts.layout ?? 'tlog-tiles';
    this.#fetch = opts.fetch ?? fetch;
    this.#timeoutMs = opts.timeoutMs ?? 30_000;
    this.#maxBody = opts.maxBodyBytes ?? 1024 * 1024;
  }

  /**
   * The client of the tiled log whose checkpoint is at `checkpointUrl`:
   * tlog-tiles `<prefix>/checkpoint`, or Go sumdb's `<prefix>/latest` (tile/8/
   * paths); null for any other URL.
   */
  static forCheckpointUrl(checkpointUrl: string, opts: Omit<TilesClientOptions, 'url' | 'layout'> = {}): TlogTilesClient | null {
    const m = /^(.*)\/(checkpoint|latest)$/.exec(checkpointUrl);
    return m ? new TlogTilesClient({ ...opts, url: m[1], layout: m[2] === 'latest' ? 'sumdb' : 'tlog-tiles' }) : null;
  }

  /** GET <prefix>/<path>; TilesError HTTP for any status but 200 or a body over the limit. */
  async get(path: string): Promise<Buffer> {
    const url = `${this.url}/${path}`;
    let res: Response;
    try {
      res = await this.#fetch(url, { signal: AbortSignal.timeout(this.#timeoutMs) });
    } catch (err) {
      throw new TilesError('HTTP', `${url}: ${(err as Error).message}`, { cause: err });
    }
    const body = Buffer.from(await res.arrayBuffer());
    if (res.status !== 200) throw new TilesError('HTTP', `${url}: HTTP ${res.status}`, { status: res.status });
    if (body.length > this.#maxBody) throw new TilesError('BAD_TILE', `${url}: got ${body.length} bytes, want at most ${this.#maxBody}`);
    return body;
  }

  /** The log's latest signed checkpoint, unverified (tlog-tiles `checkpoint`, sumdb `latest`). */
  checkpoint(): Promise<Buffer> {
    return this.get(this.layout === 'sumdb' ? 'latest' : 'checkpoint');
  }

  hashTile(level: number, index: number, width: number): Promise<Buffer> {
    return this.get(hashTilePath(level, index, width, this.layout));
  }

  /** An entry bundle (`entries`) or static-ct-api data tile (`data`). */
  entriesTile(kind: 'entries' | 'data', index: number, width: number): Promise<Buffer> {
    return this.get(entriesTilePath(kind, index, width, this.layout));
  }

  /**
   * A hash reader over this log's tiles. A partial tile the log no longer
   * serves (404: it may drop a partial once the full tile exists) is read as
   * the first `width` hashes of the full tile: tiles are immutable, so the
   * full tile begins with every partial one.
   */
  reader(): TileHashReader {
    return new TileHashReader(async (level, index, width) => {
      try {
        return await this.hashTile(level, index, width);
      } catch (err) {
        if (width === TILE_WIDTH || !(err instanceof TilesError) || err.status !== 404) throw err;
        const full = await this.hashTile(level, index, TILE_WIDTH);
        return full.subarray(0, width * HASH_SIZE);
      }
    });
  }
}
