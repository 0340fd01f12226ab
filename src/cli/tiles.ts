/**
 * `grapevine tiles verify --url PREFIX --vkey VKEY…`: reads a tiled log's
 * checkpoint (c2sp.org/tlog-tiles; Go sumdb with --layout sumdb), verifies
 * it under the given keys, rebuilds the tree from every hash tile and checks
 * the root and every higher-level tile (src/tiles/rebuild.ts). Progress on
 * stderr; the result as one JSON line on stdout. Exit 0 when the tiles
 * rebuild the signed tree, 1 when they do not or the checkpoint is not
 * validly signed.
 */
import { type Command, Option } from 'commander';
import { CheckpointError, openCheckpoint } from '../checkpoint/index.ts';
import { NoteError, VerifierSet, verifierFromVkey } from '../note/index.ts';
import { rebuildFromTiles, TilesError, TlogTilesClient } from '../tiles/index.ts';
import { intArg } from './args.ts';
import { CliError } from './errors.ts';
import { printJsonLine } from './output.ts';

const collect = (v: string, prev: string[]) => [...prev, v];

export function registerTiles(tiles: Command): void {
  tiles
    .command('verify')
    .description('Rebuild a tiled log from its tiles and check it against its signed checkpoint')
    .requiredOption('--url <prefix>', "the log's prefix URL (checkpoint and tile/ under it)")
    .requiredOption('--vkey <vkey>', "the log's key (repeatable; one must have signed the checkpoint)", collect, [])
    .option('--origin <origin>', 'the origin the checkpoint must carry')
    .addOption(new Option('--layout <layout>', 'tile layout').choices(['tlog-tiles', 'sumdb']).default('tlog-tiles'))
    .option('--concurrency <n>', 'tiles fetched at once', intArg, 8)
    .action(async (o: { url: string; vkey: string[]; origin?: string; layout: 'tlog-tiles' | 'sumdb'; concurrency: number }) => {
      const keys = new VerifierSet(o.vkey.map(verifierFromVkey));
      const client = new TlogTilesClient({ url: o.url, layout: o.layout });
      let cp: ReturnType<typeof openCheckpoint>;
      try {
        cp = openCheckpoint(await client.checkpoint(), { log: keys, ...(o.origin !== undefined ? { origin: o.origin } : {}) });
      } catch (err) {
        if (err instanceof NoteError || err instanceof CheckpointError)
          throw new CliError('INVALID', `checkpoint: ${err.code}: ${err.message}`, { cause: err });
        throw err;
      }
      const { size, rootHash, origin } = cp.checkpoint;
      process.stderr.write(`grapevine: ${origin}: checkpoint of ${size} leaves verified; rebuilding from tiles\n`);
      let shown = -1;
      try {
        const r = await rebuildFromTiles((l, i, w) => client.hashTile(l, i, w), size, {
          root: rootHash,
          concurrency: Math.max(1, o.concurrency),
          onProgress: ({ tilesRead, tilesTotal }) => {
            const pct = Math.floor((100 * tilesRead) / tilesTotal);
            if (pct >= shown + 10 || tilesRead === tilesTotal) {
              shown = pct;
              process.stderr.write(`grapevine: tiles ${tilesRead}/${tilesTotal} (${pct}%)\n`);
            }
          },
        });
        printJsonLine({ ok: true, origin, size, rootHash: rootHash.toString('base64'), tiles: r.tilesRead });
      } catch (err) {
        if (err instanceof TilesError) throw new CliError('INVALID', `${o.url}: ${err.code}: ${err.message}`, { cause: err });
        throw err;
      }
    });
}
