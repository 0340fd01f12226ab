/**
 * Fast routes: a few hot POST endpoints answered by Node's HTTP server
 * directly, ahead of fastify's router. For the hub's add-signed-blob (issue 8
 * §2.3) fastify's per-request work — request and reply objects, hooks, the
 * content-type parser, an async resource, a child logger — costs a good part
 * of what the endpoint itself costs besides its two signatures.
 *
 * A fast route is declared on its fastify route (`config: { fast }`, picked
 * up by an onRoute hook), which stays registered and answers whenever the fast
 * path does not: under inject() (tests), when the client address comes from
 * X-Forwarded-For (trustProxy: fastify's proxy-addr rules decide it), and for
 * every request that is not exactly `POST <url>` (a query string, another
 * method, a trailing slash). The fast path keeps what fastify gives such a
 * route (test/http/fast-routes.test.ts checks each against the fastify path):
 * - the route's body limit, checked on Content-Length and while reading:
 *   413 BODY_TOO_LARGE, "Request body is too large", connection: close;
 * - every error answered by the app's ErrorMapper — `{ error, message }`,
 *   Retry-After — and logged as the error handler logs (`logAnswer`);
 * - 503 UNAVAILABLE with connection: close once the server is closing;
 * - the route's extra headers (CORS) on every answer, `application/json;
 *   charset=utf-8`, and the request metrics (route, method, status, latency).
 * Time limits (request, headers, idle, keep-alive) are the server's own, the
 * same for both paths.
 *
 * Concurrency: `serve` runs per request on the event loop; the route table is
 * written only while routes are registered, before the server listens.
 */
import { type IncomingMessage, type ServerResponse, STATUS_CODES } from 'node:http';
import type { FastifyBaseLogger, RouteOptions } from 'fastify';
import { statusCodeName } from './client-errors.ts';
import { type ErrorMapper, logAnswer } from './errors.ts';

/** What a fast route does with a request body. */
export interface FastRoute {
  /** The JSON answer (200); a rejection is answered as the error handler would. `ip`: the socket's peer. */
  handle(body: Buffer, client: { readonly ip: string }): Promise<string>;
  /** Headers on every answer of the route, errors included (e.g. CORS). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Called once per answer of the fast path, as the route's own onResponse hook would be (its metrics). */
  answered?(status: number, seconds: number): void;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Serve this POST route on the fast path too (src/http/fast-routes.ts). */
    fast?: FastRoute;
  }
}

/** Called once per answer of the fast path, as fastify's onResponse hook would be. */
export type AnsweredHook = (route: string, method: string, status: number, seconds: number) => void;

export interface FastRoutesOptions {
  /** False serves nothing here (trustProxy: the client address is fastify's to work out). */
  readonly enabled: boolean;
  /** The app's body limit, for routes without their own. */
  readonly bodyLimit: number;
  readonly mapper: ErrorMapper;
  readonly logger: FastifyBaseLogger | null;
  /** True once the server is closing (new requests get 503). */
  readonly closing: () => boolean;
}

interface Entry {
  /** The fastify route's options: its bodyLimit is read when a request comes (hooks may set it after registration). */
  readonly route: RouteOptions;
  readonly fast: FastRoute;
}

const JSON_TYPE = 'application/json; charset=utf-8';
const TOO_LARGE = JSON.stringify({ error: statusCodeName(413), message: 'Request body is too large' });
const CLOSING = JSON.stringify({ error: 'UNAVAILABLE', message: 'the server is shutting down' });

export class FastRoutes {
  readonly #o: FastRoutesOptions;
  readonly #routes = new Map<string, Entry>();
  readonly #answered: AnsweredHook[] = [];

  constructor(opts: FastRoutesOptions) {
    this.#o = opts;
  }

  /** Adds the route's fast path (from the onRoute hook). Only POST routes without parameters are served here. */
  register(route: RouteOptions, fast: FastRoute): void {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    if (methods.length !== 1 || methods[0] !== 'POST' || /[:*]/.test(route.url)) {
      throw new Error(`fast route ${route.url}: only POST routes with a fixed path, got ${methods.join(',')}`);
    }
    this.#routes.set(route.url, { route, fast });
  }

  /** Runs `hook` after every answer of the fast path (the request metrics). */
  onAnswered(hook: AnsweredHook): void {
    this.#answered.push(hook);
  }

  /** The server's request listener calls this first: true when the request is answered here. */
  serve(req: IncomingMessage, res: ServerResponse): boolean {
    if (!this.#o.enabled || req.method !== 'POST') return false;
    const entry = this.#routes.get(req.url ?? '');
    if (!entry) return false;
    const started = performance.now();
    const answer = (status: number, body: string, headers?: Readonly<Record<string, string>>, close = false) => {
      if (res.headersSent || res.destroyed) return;
      const h: Record<string, string | number> = {
        ...entry.fast.headers,
        ...headers,
        'content-type': JSON_TYPE,
        'content-length': Buffer.byteLength(body),
      };
      if (close || this.#o.closing()) h.connection = 'close';
      try {
        res.writeHead(status, STATUS_CODES[status], h);
        res.end(body);
      } catch (err) {
        this.#o.logger?.error({ err }, 'fast route: answer failed');
        res.destroy();
        return;
      }
      const seconds = (performance.now() - started) / 1000;
      for (const hook of this.#answered) hook(entry.route.url, 'POST', status, seconds);
      entry.fast.answered?.(status, seconds);
    };
    const fail = (err: unknown) => {
      const a = this.#o.mapper.answer(err);
      if (this.#o.logger) logAnswer(this.#o.logger, a, err);
      answer(a.status, JSON.stringify(a.body), a.headers);
    };

    if (this.#o.closing()) {
      answer(503, CLOSING);
      req.resume();
      return true;
    }
    const limit = entry.route.bodyLimit ?? this.#o.bodyLimit;
    const declared = req.headers['content-length'];
    if (declared !== undefined && Number(declared) > limit) {
      answer(413, TOO_LARGE, undefined, true);
      req.resume();
      return true;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    req.on('data', (c: Buffer) => {
      if (refused) return;
      size += c.length;
      if (size > limit) {
        refused = true;
        chunks.length = 0;
        answer(413, TOO_LARGE, undefined, true);
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (refused) return;
      const body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size);
      let answered: Promise<string>;
      try {
        answered = entry.fast.handle(body, { ip: req.socket.remoteAddress ?? '' });
      } catch (err) {
        fail(err); // a handler that throws instead of rejecting
        return;
      }
      answered.then((json) => answer(200, json), fail);
    });
    // A client that goes away mid-body gets no answer; Node closes the socket.
    req.on('error', () => {});
    return true;
  }
}
