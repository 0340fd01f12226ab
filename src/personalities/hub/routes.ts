/**
 * The hub's HTTP routes, `/<prefix>/gossip/v0/<endpoint>` (specs/gossip-hub.md
 * §1), as a fastify plugin registered once per hub instance with its prefix:
 *
 *     app.register(hubRoutes, { prefix: '/gamut', hub })
 *
 * Each route is parse (wire.ts) → hub.processX → serialize (wire.ts). Bodies
 * are read raw and parsed by wire.ts whatever the Content-Type, as the
 * original did, so every parse failure is a 400 with a clear reason. Wrong
 * methods answer 405 with Allow; CORS is open (`cors.AllowAll()` in the
 * original): the hub serves public, signed data.
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest, HTTPMethods } from 'fastify';
import { type FastRoute, methodNotAllowed, requestClient } from '../../http/index.ts';
import { HUB_ERROR_STATUS, HubError } from '../../hub/errors.ts';
import {
  formatAddSignedBlobResponse,
  formatConsistencyResponse,
  formatEntriesResponse,
  formatGetSthResponse,
  formatLatestResponse,
  formatProofByHashResponse,
  formatSourceKeysResponse,
  HUB_PATH_PREFIX,
  HubEndpoint,
  hashParam,
  parseAddSignedBlobBody,
  type SignedBytes,
  uintParam,
  upperBoundParam,
} from '../../hub/wire.ts';
import type { HubService } from './hub.ts';

export interface HubRoutesOptions {
  readonly hub: HubService;
}

type Query = Record<string, unknown>;

/**
 * Serialized answers of signed objects the hub hands out again and again
 * (cached SGTs of resubmissions, the served head): keyed by object identity,
 * so an answer is formatted once per object and dropped with it.
 */
const formatted = new WeakMap<SignedBytes, string>();
function once(sgt: SignedBytes, format: (s: SignedBytes) => string): string {
  let body = formatted.get(sgt);
  if (body === undefined) {
    body = format(sgt);
    formatted.set(sgt, body);
  }
  return body;
}
/** Every answer's CORS header: the hub serves public, signed data (`cors.AllowAll()` in the original). */
const CORS = Object.freeze({ 'access-control-allow-origin': '*' });
/** The methods a hub route answers 405 for (§1: "Wrong HTTP method → 405"); OPTIONS is CORS's. */
const ALL_METHODS: HTTPMethods[] = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH'];

function json(reply: FastifyReply, body: string): FastifyReply {
  return reply.type('application/json').send(body);
}

export const hubRoutes: FastifyPluginAsync<HubRoutesOptions> = async (app, { hub }) => {
  app.errorMapper.add(HubError, HUB_ERROR_STATUS);

  // Raw bodies for every content type, parsed strictly by wire.ts (scoped to this plugin). application/json, what
  // clients send, is named too: fastify caches the parser of a named type, and parses the header anew for '*'.
  app.removeAllContentTypeParsers();
  const raw = (_req: FastifyRequest, body: Buffer, done: (err: null, body: Buffer) => void) => done(null, body);
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, raw);
  app.addContentTypeParser('*', { parseAs: 'buffer' }, raw);

  // Callback style, not async: an async hook costs a promise and a tick on every answer.
  app.addHook('onSend', (_req, reply, payload, done) => {
    reply.headers(CORS);
    done(null, payload);
  });
  app.options(`${HUB_PATH_PREFIX}*`, async (_req, reply) =>
    reply
      .code(204)
      .header('access-control-allow-methods', 'GET, POST, OPTIONS')
      .header('access-control-allow-headers', 'content-type')
      .header('access-control-max-age', '86400')
      .send(),
  );

  const path = (ep: string) => `${HUB_PATH_PREFIX}${ep}`;

  // The hot route, as a plain function that answers when processing settles: an async handler would cost a
  // promise, fastify's wrapThenable and the reply's thenable assimilation on every request. Errors take the
  // same path as thrown ones (reply.send(err) → the app's error handler → {error, message}).
  // Served on the fast path too (src/http/fast-routes.ts): same parse → process → format, same errors.
  const fast: FastRoute = {
    headers: CORS,
    handle: async (body, c) => {
      const sgt = await hub.processAddSignedBlob(parseAddSignedBlobBody(body), requestClient({ ip: c.ip, server: app }));
      return once(sgt, formatAddSignedBlobResponse);
    },
  };
  app.post(path(HubEndpoint.addSignedBlob), { config: { fast } }, (req, reply) => {
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    let parsed: ReturnType<typeof parseAddSignedBlobBody>;
    try {
      parsed = parseAddSignedBlobBody(body);
    } catch (err) {
      reply.send(err);
      return;
    }
    hub.processAddSignedBlob(parsed, requestClient(req)).then(
      (sgt) => {
        let body: string;
        try {
          body = once(sgt, formatAddSignedBlobResponse);
        } catch (err) {
          reply.send(err);
          return;
        }
        json(reply, body);
      },
      (err: unknown) => {
        reply.send(err);
      },
    );
  });
  methodNotAllowed(app, path(HubEndpoint.addSignedBlob), ['POST'], ALL_METHODS);

  app.get(path(HubEndpoint.getSth), async (req, reply) =>
    json(reply, once(await hub.processGetSth(requestClient(req)), formatGetSthResponse)),
  );

  app.get(path(HubEndpoint.getSthConsistency), async (req, reply) => {
    const q = req.query as Query;
    const proof = await hub.processGetSthConsistency({ first: uintParam(q, 'first'), second: uintParam(q, 'second') }, requestClient(req));
    return json(reply, formatConsistencyResponse(proof));
  });

  app.get(path(HubEndpoint.getProofByHash), async (req, reply) => {
    const q = req.query as Query;
    const proof = await hub.processGetProofByHash({ hash: hashParam(q, 'hash'), treeSize: uintParam(q, 'tree_size') }, requestClient(req));
    return json(reply, formatProofByHashResponse(proof));
  });

  app.get(path(HubEndpoint.getEntries), async (req, reply) => {
    const q = req.query as Query;
    const entries = await hub.processGetEntries({ start: uintParam(q, 'start'), end: upperBoundParam(q, 'end') }, requestClient(req));
    return json(reply, formatEntriesResponse(entries));
  });

  app.get(path(HubEndpoint.getSourceKeys), async (req, reply) =>
    json(reply, formatSourceKeysResponse(hub.processGetSourceKeys(requestClient(req)))),
  );

  app.get(path(HubEndpoint.getLatestForSource), async (req, reply) => {
    // §1.7: the parameter is `src_id` (the doc comment's `source_id` is wrong); missing or unknown → 404.
    const id = (req.query as Query).src_id;
    const entry = await hub.processGetLatestForSource({ sourceId: typeof id === 'string' ? id : '' }, requestClient(req));
    if (!entry) return reply.code(204).send();
    return json(reply, formatLatestResponse(entry));
  });

  for (const ep of [
    HubEndpoint.getSth,
    HubEndpoint.getSthConsistency,
    HubEndpoint.getProofByHash,
    HubEndpoint.getEntries,
    HubEndpoint.getSourceKeys,
    HubEndpoint.getLatestForSource,
  ]) {
    methodNotAllowed(app, path(ep), ['GET'], ALL_METHODS);
  }
};
