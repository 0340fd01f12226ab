/**
 * The RFC 6962 §4 HTTP API as a fastify plugin, mounted with a prefix:
 *
 *     app.register(ctRoutes, { prefix: '/ct/v1', ct })
 *
 * Each route is parse (params.ts) → ct.processX (ct-log.ts) → serialize
 * (src/codec ct-json.ts). Bodies are read raw whatever the Content-Type and
 * parsed strictly, so every malformed submission is a 400 with a reason.
 * Wrong methods answer 405 with Allow. Errors go through src/http's mapper,
 * taught CT_ERROR_STATUS here.
 */
import type { FastifyPluginAsync, FastifyReply, HTTPMethods } from 'fastify';
import {
  encodeBase64,
  formatAddChainResponse,
  formatGetEntries,
  formatGetEntryAndProof,
  formatGetProofByHash,
  formatGetSth,
  formatGetSthConsistency,
} from '../../codec/index.ts';
import { type FastRoute, methodNotAllowed, requestClient } from '../../http/index.ts';
import type { SubmissionKind } from './admission.ts';
import type { CtLog } from './ct-log.ts';
import { CT_ERROR_STATUS, CtError } from './errors.ts';
import type { CtMetrics } from './metrics.ts';
import { chainBody, consistencyParams, entriesParams, entryAndProofParams, proofByHashParams, type Query } from './params.ts';

export interface CtRoutesOptions {
  readonly ct: CtLog;
  readonly metrics?: CtMetrics;
}

/** The methods a CT route answers 405 for when it does not take them. */
const ALL_METHODS: HTTPMethods[] = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'];

function json(reply: FastifyReply, body: string): FastifyReply {
  return reply.type('application/json').send(body);
}

export const ctRoutes: FastifyPluginAsync<CtRoutesOptions> = async (app, { ct, metrics }) => {
  app.errorMapper.add(CtError, CT_ERROR_STATUS);
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  if (metrics) {
    app.addHook('onResponse', async (req, reply) => {
      const endpoint = (req.routeOptions.url ?? '').split('/').pop() || 'unmatched';
      metrics.requests.inc({ log: ct.log.tree.name, endpoint, status: String(reply.statusCode) });
      metrics.requestSeconds.observe({ log: ct.log.tree.name, endpoint }, reply.elapsedTime / 1000);
    });
  }

  const submit = (kind: SubmissionKind) => async (req: { body: unknown; ip: string }, reply: FastifyReply) => {
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const sct = await ct.processAddChain(kind, chainBody(body), requestClient(req));
    return json(reply, formatAddChainResponse(sct));
  };
  // The two submission routes are also served on the fast path over a socket (src/http/fast-routes.ts, as the
  // hub's add-signed-blob): the same parse → processAddChain → format, the same errors, the same metrics.
  const fast = (kind: SubmissionKind, endpoint: string): FastRoute => ({
    handle: async (body, c) =>
      formatAddChainResponse(await ct.processAddChain(kind, chainBody(body), requestClient({ ip: c.ip, server: app }))),
    ...(metrics
      ? {
          answered: (status: number, seconds: number) => {
            metrics.requests.inc({ log: ct.log.tree.name, endpoint, status: String(status) });
            metrics.requestSeconds.observe({ log: ct.log.tree.name, endpoint }, seconds);
          },
        }
      : {}),
  });
  // §4.1, §4.2
  app.post('/add-chain', { config: { fast: fast('x509_entry', 'add-chain') } }, submit('x509_entry'));
  methodNotAllowed(app, '/add-chain', ['POST'], ALL_METHODS);
  app.post('/add-pre-chain', { config: { fast: fast('precert_entry', 'add-pre-chain') } }, submit('precert_entry'));
  methodNotAllowed(app, '/add-pre-chain', ['POST'], ALL_METHODS);

  // §4.3
  app.get('/get-sth', async (req, reply) => json(reply, formatGetSth(await ct.processGetSth(requestClient(req)))));
  methodNotAllowed(app, '/get-sth', ['GET'], ALL_METHODS);

  // §4.4
  app.get('/get-sth-consistency', async (req, reply) => {
    const { first, second } = consistencyParams(req.query as Query);
    return json(reply, formatGetSthConsistency(await ct.processGetSthConsistency(first, second, requestClient(req))));
  });
  methodNotAllowed(app, '/get-sth-consistency', ['GET'], ALL_METHODS);

  // §4.5
  app.get('/get-proof-by-hash', async (req, reply) => {
    const { hash, treeSize } = proofByHashParams(req.query as Query);
    return json(reply, formatGetProofByHash(await ct.processGetProofByHash(hash, treeSize, requestClient(req))));
  });
  methodNotAllowed(app, '/get-proof-by-hash', ['GET'], ALL_METHODS);

  // §4.6
  app.get('/get-entries', async (req, reply) => {
    const { start, end } = entriesParams(req.query as Query);
    return json(reply, formatGetEntries(await ct.processGetEntries(start, end, requestClient(req))));
  });
  methodNotAllowed(app, '/get-entries', ['GET'], ALL_METHODS);

  // §4.7
  app.get('/get-roots', async (req, reply) =>
    json(reply, JSON.stringify({ certificates: ct.processGetRoots(requestClient(req)).map(encodeBase64) })),
  );
  methodNotAllowed(app, '/get-roots', ['GET'], ALL_METHODS);

  // §4.8
  app.get('/get-entry-and-proof', async (req, reply) => {
    const { leafIndex, treeSize } = entryAndProofParams(req.query as Query);
    return json(reply, formatGetEntryAndProof(await ct.processGetEntryAndProof(leafIndex, treeSize, requestClient(req))));
  });
  methodNotAllowed(app, '/get-entry-and-proof', ['GET'], ALL_METHODS);
};
