/**
 * The fastify app factory both personalities share: pino logging, a body
 * limit, the one error handler (errors.ts), and `trustProxy` only when the
 * operator says so. Personalities mount themselves as plugins under a prefix;
 * health and metrics routes are added with health.ts / metrics.ts.
 *
 * Routes stay thin: parse → processX(input) → serialize (STYLE.md §7).
 */
import Fastify, { type FastifyInstance, LogController } from 'fastify';
import type { Logger } from 'pino';
import { defaultErrorMapper, type ErrorMapper, errorHandler } from './errors.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** The app's error → status table; personalities add their error classes to it when mounted. */
    errorMapper: ErrorMapper;
  }
}

/** Default request body limit: a hub blob is ≤ 64 KiB (≈ 87 KiB in base64) plus its signature. */
export const DEFAULT_BODY_LIMIT = 256 * 1024;

export interface AppOptions {
  /** A pino logger; omitted or false: no logging. */
  readonly logger?: Logger | false;
  /** Largest request body accepted, bytes (413 above). Default 256 KiB. */
  readonly bodyLimit?: number;
  /**
   * Whether to believe X-Forwarded-For for the client address (quotas):
   * false (default), true (any proxy: only behind a proxy that overwrites it),
   * or the proxies' addresses/CIDRs. Same meaning as fastify's option.
   */
  readonly trustProxy?: boolean | string | readonly string[];
  /** Log one line per request at info (default false: the metrics count requests). */
  readonly logRequests?: boolean;
  /** Socket idle timeout, ms (default fastify's). */
  readonly keepAliveTimeoutMs?: number;
  readonly errorMapper?: ErrorMapper;
}

export function createApp(opts: AppOptions = {}): FastifyInstance {
  const app = Fastify({
    ...(opts.logger ? { loggerInstance: opts.logger } : { logger: false }),
    bodyLimit: opts.bodyLimit ?? DEFAULT_BODY_LIMIT,
    trustProxy: (opts.trustProxy ?? false) as boolean | string | string[],
    logController: new LogController({ disableRequestLogging: !opts.logRequests }),
    // Stop accepting on close, answer 503 to requests that still arrive, let in-flight ones finish.
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    ...(opts.keepAliveTimeoutMs !== undefined ? { keepAliveTimeout: opts.keepAliveTimeoutMs } : {}),
  }) as unknown as FastifyInstance;
  const mapper = opts.errorMapper ?? defaultErrorMapper();
  app.decorate('errorMapper', mapper);
  app.setErrorHandler(errorHandler(mapper));
  // Once closing, every answer tells the client to hang up, so keep-alive sockets of in-flight requests
  // do not hold close() open (idle ones are closed by forceCloseConnections).
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onSend', async (_req, reply, payload) => {
    if (closing) reply.header('connection', 'close');
    return payload;
  });
  app.setNotFoundHandler((req, reply) => {
    void reply
      .code(404)
      .type('application/json; charset=utf-8')
      .send(JSON.stringify({ error: 'NOT_FOUND', message: `no route ${req.method} ${req.url.split('?')[0]}` }));
  });
  return app;
}
