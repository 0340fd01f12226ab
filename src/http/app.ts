/**
 * The fastify app factory both personalities share: pino logging, a body
 * limit, time and connection limits (limits.ts), the one error handler
 * (errors.ts), and `trustProxy` only when the operator says so.
 * Personalities mount themselves as plugins under a prefix; health and
 * metrics routes are added with health.ts / metrics.ts.
 *
 * Every answer that is not a success has the body `{ "error": CODE,
 * "message": … }`, whoever raised it: Grapevine (errors.ts), fastify (413,
 * 415, bad JSON), Node's parser (400, 408, 431: client-errors.ts), an unknown
 * route (404), a repeated query parameter (400) or a request arriving while
 * the server shuts down (503).
 *
 * Routes stay thin: parse → processX(input) → serialize (STYLE.md §7).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import Fastify, { type FastifyInstance, type FastifyReply, LogController } from 'fastify';
import type { Logger } from 'pino';
import { clientErrorHandler } from './client-errors.ts';
import { defaultErrorMapper, type ErrorMapper, errorHandler } from './errors.ts';
import { FastRoutes } from './fast-routes.ts';
import { lazyChildLoggers } from './lazy-logger.ts';
import { checkingIntervalMs, type HttpLimits, httpLimits } from './limits.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** The app's error → status table; personalities add their error classes to it when mounted. */
    errorMapper: ErrorMapper;
    /** POST routes also answered ahead of fastify's router (fast-routes.ts); declared with `config.fast`. */
    fastRoutes: FastRoutes;
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
  /** Time and connection limits; each one left out is its default (limits.ts). */
  readonly http?: Partial<HttpLimits>;
  readonly errorMapper?: ErrorMapper;
}

function sendError(reply: FastifyReply, status: number, error: string, message: string): FastifyReply {
  return reply.code(status).type('application/json; charset=utf-8').send(JSON.stringify({ error, message }));
}

export function createApp(opts: AppOptions = {}): FastifyInstance {
  const limits = httpLimits(opts.http);
  const mapper = opts.errorMapper ?? defaultErrorMapper();
  let closing = false;
  const bodyLimit = opts.bodyLimit ?? DEFAULT_BODY_LIMIT;
  const fast = new FastRoutes({
    enabled: (opts.trustProxy ?? false) === false,
    bodyLimit,
    mapper,
    logger: opts.logger || null,
    closing: () => closing,
  });
  const app = Fastify({
    ...(opts.logger ? { loggerInstance: opts.logger } : { logger: false }),
    // Without request logging a request logs only when it fails: make its child logger then, not per request.
    ...(opts.logger && !opts.logRequests ? { childLoggerFactory: lazyChildLoggers } : {}),
    bodyLimit,
    trustProxy: (opts.trustProxy ?? false) as boolean | string | string[],
    logController: new LogController({ disableRequestLogging: !opts.logRequests }),
    // Requests arriving once closing get our 503 (the onRequest hook below); in-flight ones finish.
    return503OnClosing: false,
    forceCloseConnections: 'idle',
    requestTimeout: limits.requestTimeoutMs,
    connectionTimeout: limits.idleTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    http: {
      requestTimeout: limits.requestTimeoutMs,
      headersTimeout: limits.headersTimeoutMs,
      connectionsCheckingInterval: checkingIntervalMs(limits),
    },
    clientErrorHandler,
  }) as unknown as FastifyInstance;
  app.server.maxConnections = limits.maxConnections;
  // The fast routes are asked first (fast-routes.ts); fastify's server, its limits and its handler are kept as
  // they are. (Extra servers fastify binds for a host name with several addresses use its handler alone.)
  const [handler] = app.server.listeners('request') as ((req: IncomingMessage, res: ServerResponse) => void)[];
  app.server.removeAllListeners('request');
  app.server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (!fast.serve(req, res)) handler.call(app.server, req, res);
  });
  app.decorate('errorMapper', mapper);
  app.decorate('fastRoutes', fast);
  app.setErrorHandler(errorHandler(mapper));
  // A route with `config.fast` is also served on the fast path (fast-routes.ts).
  app.addHook('onRoute', (route) => {
    if (route.config?.fast) fast.register(route, route.config.fast);
  });
  // Once closing, every answer tells the client to hang up, so keep-alive sockets of in-flight requests
  // do not hold close() open (idle ones are closed by forceCloseConnections).
  app.addHook('preClose', async () => {
    closing = true;
  });
  // Hooks in callback style: an async hook costs a promise and a tick on every request. A hook that
  // answers does not call done().
  app.addHook('onRequest', (req, reply, done) => {
    if (closing) {
      sendError(reply, 503, 'UNAVAILABLE', 'the server is shutting down');
      return;
    }
    // Every parameter of every API is single-valued: a repeat is refused rather than one copy picked.
    const query = (req.query ?? {}) as Record<string, unknown>;
    for (const name in query) {
      const value = query[name];
      if (Array.isArray(value)) {
        sendError(reply, 400, 'BAD_REQUEST', `query parameter ${JSON.stringify(name)} given ${value.length} times, want once`);
        return;
      }
    }
    done();
  });
  app.addHook('onSend', (_req, reply, payload, done) => {
    if (closing) reply.header('connection', 'close');
    done(null, payload);
  });
  app.setNotFoundHandler((req, reply) => {
    void sendError(reply, 404, 'NOT_FOUND', `no route ${req.method} ${req.url.split('?')[0]}`);
  });
  return app;
}
