/**
 * The static read API of a published tree, a fastify plugin registered under
 * the log's prefix (c2sp.org/tlog-tiles; c2sp.org/static-ct-api):
 *
 *   GET <prefix>/checkpoint                  the signed checkpoint (with the witnesses' cosignatures
 *                                            once a policy quorum is reached: witnessing.ts)
 *   GET <prefix>/tile/<L>/<N>[.p/<W>]         hash tiles
 *   GET <prefix>/tile/entries/<N>[.p/<W>]     entry bundles (hub)          ┐ one of the two,
 *   GET <prefix>/tile/data/<N>[.p/<W>]        static-ct-api data tiles (CT) ┘ as the tree says
 *   GET <prefix>/issuer/<hex sha256>          chain certificates (CT)
 *
 * Tiles exist up to the published checkpoint's size only; a tile's content
 * never changes (stored tiles only grow at the right edge, and a partial
 * tile is named by its width), so tiles, bundles and issuers are served as
 * immutable for a year; the checkpoint must not be cached (tlog-tiles: a few
 * seconds at most). Paths are parsed strictly (tiles/paths.ts): a
 * non-canonical path is 404, as a static file server would answer.
 */
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { TILE_WIDTH, tileWidthAt } from '../merkle/index.ts';
import { parseTilePath, TilesError } from '../tiles/index.ts';
import { PUBLISH_ERROR_STATUS, PublishError } from './errors.ts';
import type { PublishedTree } from './tree.ts';
import type { CheckpointWitnessing } from './witnessing.ts';

const IMMUTABLE = 'public, max-age=31536000, immutable';
const FINGERPRINT = /^[0-9a-f]{64}$/;

export interface PublishRoutesOptions {
  readonly tree: PublishedTree;
  /** When the log gets its checkpoints cosigned: what `checkpoint` serves. */
  readonly witnessing?: CheckpointWitnessing;
}

function binary(reply: FastifyReply, data: Buffer): FastifyReply {
  return reply.header('cache-control', IMMUTABLE).type('application/octet-stream').send(data);
}

export const publishRoutes: FastifyPluginAsync<PublishRoutesOptions> = async (app, { tree, witnessing }) => {
  app.errorMapper.add(PublishError, PUBLISH_ERROR_STATUS);
  // A tile path that does not parse names nothing here.
  app.errorMapper.add(TilesError, { BAD_PATH: 404, '*': 500 });

  app.get('/checkpoint', async (_req, reply) => {
    const note = witnessing ? await witnessing.served() : (await tree.checkpoint()).note;
    return reply.header('cache-control', 'no-cache').type('text/plain; charset=utf-8').send(note);
  });

  app.get('/tile/*', async (req, reply) => {
    const t = parseTilePath(`tile/${(req.params as { '*': string })['*']}`);
    const { size } = await tree.checkpoint();
    if (t.kind === 'hash') {
      if (t.width > tileWidthAt({ level: t.level, index: t.index }, size)) {
        throw new PublishError('NOT_FOUND', `tile ${t.level}/${t.index} has fewer than ${t.width} hashes in the published tree of ${size}`);
      }
      return binary(reply, await tree.hashTile(t.level, t.index, t.width, size));
    }
    if (t.kind !== tree.entriesKind) throw new PublishError('NOT_FOUND', `this log publishes tile/${tree.entriesKind}, not tile/${t.kind}`);
    if (t.width > Math.min(TILE_WIDTH, size - t.index * TILE_WIDTH)) {
      throw new PublishError('NOT_FOUND', `entry bundle ${t.index} has fewer than ${t.width} entries in the published tree of ${size}`);
    }
    return binary(reply, await tree.entryBundle(t.index, t.width));
  });

  app.get<{ Params: { fp: string } }>('/issuer/:fp', async (req, reply) => {
    const cert = tree.issuer && FINGERPRINT.test(req.params.fp) ? await tree.issuer(req.params.fp) : null;
    if (!cert) throw new PublishError('NOT_FOUND', `no issuer ${req.params.fp.slice(0, 64)}`);
    return reply.header('cache-control', IMMUTABLE).type('application/pkix-cert').send(cert);
  });
};
