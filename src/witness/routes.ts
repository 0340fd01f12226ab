/**
 * The witness's HTTP routes (c2sp.org/tlog-witness), a fastify plugin
 * registered with the submission/monitoring prefix (both the same here):
 *
 *     app.register(witnessRoutes, { prefix: '/witness', witness })
 *
 *   POST <prefix>/add-checkpoint          → 200 text/plain cosignature lines
 *   GET  <prefix>/<origin hash>/checkpoint → 200 text/plain the cosigned checkpoint (§Monitoring)
 *
 * Routes are parse → witness.processX → serialize. Bodies are read raw
 * whatever their Content-Type and bounded to 16 KiB (413 above), the limit of
 * transparency-dev/witness ("enough even in a PQ world"). Errors go through
 * the app's one error mapper (JSON `{error, message}`), except 409, whose
 * body the spec fixes: `<size>\n` as text/x.tlog.size.
 */
import type { FastifyPluginAsync } from 'fastify';
import { WITNESS_ERROR_STATUS, WitnessError } from './errors.ts';
import { formatTlogSize, TLOG_SIZE_CONTENT_TYPE } from './request.ts';
import type { WitnessService } from './service.ts';

/** Largest add-checkpoint body, bytes. */
export const MAX_ADD_CHECKPOINT_BYTES = 16 * 1024;
const ORIGIN_HASH = /^[0-9a-f]{64}$/;
const TEXT = 'text/plain; charset=utf-8';

export interface WitnessRoutesOptions {
  readonly witness: WitnessService;
}

export const witnessRoutes: FastifyPluginAsync<WitnessRoutesOptions> = async (app, { witness }) => {
  app.errorMapper.add(WitnessError, WITNESS_ERROR_STATUS);
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: MAX_ADD_CHECKPOINT_BYTES }, (_req, body, done) => done(null, body));

  app.post('/add-checkpoint', { bodyLimit: MAX_ADD_CHECKPOINT_BYTES }, async (req, reply) => {
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    try {
      const res = await witness.processAddCheckpoint(body);
      return reply.type(TEXT).send(res.body);
    } catch (err) {
      if (err instanceof WitnessError && err.code === 'STALE' && err.size !== undefined) {
        return reply.code(WITNESS_ERROR_STATUS.STALE).type(TLOG_SIZE_CONTENT_TYPE).send(formatTlogSize(err.size));
      }
      throw err;
    }
  });

  app.get<{ Params: { hash: string } }>('/:hash/checkpoint', async (req, reply) => {
    const { hash } = req.params;
    if (!ORIGIN_HASH.test(hash))
      throw new WitnessError('NOT_COSIGNED', `got origin hash ${JSON.stringify(hash.slice(0, 70))}, want 64 lowercase hex digits`);
    return reply.type(TEXT).send(await witness.processGetCheckpoint(hash));
  });
};
