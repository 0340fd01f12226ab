/**
 * Fast routes (src/http/fast-routes.ts): a POST route declared with
 * `config.fast` is answered ahead of fastify's router over a real socket,
 * and must answer exactly as its fastify route does (which inject() and
 * every request the fast path declines still reach): status, body, content
 * type, the route's headers, Retry-After, connection: close on 413 and while
 * closing; errors logged as the error handler logs them; request metrics
 * counted; time limits enforced by the same server.
 */
import assert from 'node:assert/strict';
import { createServer, request } from 'node:http';
import { connect } from 'node:net';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import type { FastifyInstance, RouteOptions } from 'fastify';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { CodecError } from '../../src/codec/index.ts';
import { createApp, defaultErrorMapper, type FastRoute, FastRoutes, registerMetrics } from '../../src/http/index.ts';
import { QuotaError, StorageError } from '../../src/log/index.ts';

const STUCK_MS = 60_000;
const URL_PATH = '/p/echo';

/** The route's logic, shared by both paths: the body names what to do. */
async function logic(body: Buffer): Promise<string> {
  const what = body.toString('utf8');
  if (what === 'quota') throw new QuotaError('user:ip:192.0.2.1:write', 2500);
  if (what === 'busy') throw new StorageError('UNAVAILABLE', 'the database is busy');
  if (what === 'bug') throw new Error('a bug with /secret/path');
  if (what === '' || what === 'bad') throw new CodecError('BAD_JSON', `got ${JSON.stringify(what)}, want a greeting`);
  return JSON.stringify({ echo: what });
}

interface Setup {
  readonly app: FastifyInstance;
  readonly served: { fast: number; fastify: number };
  readonly logs: { level: number; msg: string }[];
  readonly registry: Registry;
  port(): number;
}

async function setup(o: { trustProxy?: boolean; bodyLimit?: number } = {}): Promise<Setup> {
  const logs: { level: number; msg: string }[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      logs.push(JSON.parse(String(chunk)));
      cb();
    },
  });
  const app = createApp({ logger: pino({ level: 'debug' }, sink), trustProxy: o.trustProxy, bodyLimit: o.bodyLimit ?? 1024 });
  const registry = new Registry();
  registerMetrics(app, { registry });
  const served = { fast: 0, fastify: 0 };
  await app.register(
    async (scope) => {
      scope.removeAllContentTypeParsers();
      scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, b, done) => done(null, b));
      scope.addHook('onSend', (_req, reply, payload, done) => {
        reply.header('access-control-allow-origin', '*');
        done(null, payload);
      });
      const fast: FastRoute = {
        headers: { 'access-control-allow-origin': '*' },
        handle: (body) => {
          served.fast++;
          return logic(body);
        },
      };
      scope.post('/echo', { config: { fast } }, async (req, reply) => {
        served.fastify++;
        const json = await logic(Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0));
        return reply.type('application/json; charset=utf-8').send(json);
      });
    },
    { prefix: '/p' },
  );
  await app.listen({ host: '127.0.0.1', port: 0 });
  return { app, served, logs, registry, port: () => (app.server.address() as { port: number }).port };
}

interface Answer {
  readonly status: number;
  readonly body: string;
  readonly headers: Record<string, string | undefined>;
}

function post(
  port: number,
  body: string,
  opts: { path?: string; chunked?: boolean; headers?: Record<string, string> } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { 'content-type': 'application/json', ...opts.headers };
    if (!opts.chunked) headers['content-length'] = String(Buffer.byteLength(body));
    const req = request({ host: '127.0.0.1', port, method: 'POST', path: opts.path ?? URL_PATH, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), headers: res.headers as Answer['headers'] }),
      );
    });
    req.on('error', reject);
    if (opts.chunked) {
      // Two chunks, no Content-Length: the limit must be enforced while reading.
      req.write(body.slice(0, body.length >> 1));
      req.end(body.slice(body.length >> 1));
    } else req.end(body);
  });
}

async function injected(app: FastifyInstance, body: string): Promise<Answer> {
  const r = await app.inject({ method: 'POST', url: URL_PATH, payload: body, headers: { 'content-type': 'application/json' } });
  return { status: r.statusCode, body: r.body, headers: r.headers as Answer['headers'] };
}

/** What both paths must agree on. */
function comparable(a: Answer) {
  return {
    status: a.status,
    body: a.body,
    type: a.headers['content-type'],
    cors: a.headers['access-control-allow-origin'],
    retryAfter: a.headers['retry-after'],
  };
}

describe('fast routes', () => {
  const cases = [
    { desc: 'a success', body: 'hello', status: 200 },
    { desc: 'a client error (CodecError → 400)', body: 'bad', status: 400 },
    { desc: 'an empty body', body: '', status: 400 },
    { desc: 'a quota refusal (429 with Retry-After)', body: 'quota', status: 429 },
    { desc: 'storage unavailable (503 with Retry-After 1)', body: 'busy', status: 503 },
    { desc: 'a bug (500, no internal message)', body: 'bug', status: 500 },
  ];
  for (const tc of cases) {
    it(`answers ${tc.desc} as the fastify route does`, async () => {
      const s = await setup();
      try {
        const fast = await post(s.port(), tc.body);
        assert.equal(s.served.fast, 1, 'the fast path served the socket request');
        const slow = await injected(s.app, tc.body);
        assert.equal(s.served.fastify, 1, 'inject() went through fastify');
        assert.equal(fast.status, tc.status);
        assert.deepEqual(comparable(fast), comparable(slow));
        if (tc.status !== 200) assert.deepEqual(Object.keys(JSON.parse(fast.body)).sort(), ['error', 'message']);
      } finally {
        await s.app.close();
      }
    });
  }

  it('answers 413 BODY_TOO_LARGE with connection: close, from Content-Length and while reading a chunked body', async () => {
    const s = await setup({ bodyLimit: 1024 });
    try {
      const big = 'x'.repeat(2000);
      const slow = await injected(s.app, big);
      for (const chunked of [false, true]) {
        const fast = await post(s.port(), big, { chunked });
        assert.deepEqual(comparable(fast), comparable(slow));
        assert.equal(fast.status, 413);
        assert.equal(fast.headers.connection, 'close');
      }
      assert.equal(s.served.fast, 0, 'the route never ran');
    } finally {
      await s.app.close();
    }
  });

  it('leaves to fastify what is not exactly POST <url>, and everything when the client address comes from X-Forwarded-For', async () => {
    const s = await setup();
    try {
      assert.equal((await post(s.port(), 'hello', { path: `${URL_PATH}?x=1` })).status, 200);
      const slash = await post(s.port(), 'hello', { path: `${URL_PATH}/`, headers: { 'content-type': 'text/plain' } });
      assert.equal(slash.status, 404, slash.body);
      assert.deepEqual(s.served, { fast: 0, fastify: 1 });
    } finally {
      await s.app.close();
    }
    const proxied = await setup({ trustProxy: true });
    try {
      assert.equal((await post(proxied.port(), 'hello', { headers: { 'x-forwarded-for': '192.0.2.7' } })).status, 200);
      assert.deepEqual(proxied.served, { fast: 0, fastify: 1 });
    } finally {
      await proxied.app.close();
    }
  });

  it('logs refusals and failures as the error handler does', async () => {
    const s = await setup();
    try {
      for (const b of ['quota', 'busy', 'bug']) await post(s.port(), b);
      const levels = s.logs.filter((l) => l.msg === 'request refused' || l.msg === 'request failed').map((l) => [l.level, l.msg]);
      assert.deepEqual(levels, [
        [30, 'request refused'],
        [40, 'request refused'],
        [50, 'request failed'],
      ]);
    } finally {
      await s.app.close();
    }
  });

  it('counts its answers in the request metrics under the route pattern', async () => {
    const s = await setup();
    try {
      await post(s.port(), 'hello');
      await post(s.port(), 'bad');
      const text = await s.registry.metrics();
      assert.match(text, /grapevine_http_requests_total\{route="\/p\/echo",method="POST",status="200"\} 1/);
      assert.match(text, /grapevine_http_requests_total\{route="\/p\/echo",method="POST",status="400"\} 1/);
      assert.match(text, /grapevine_http_request_seconds_count\{route="\/p\/echo",method="POST"\} 2/);
    } finally {
      await s.app.close();
    }
  });

  it("answers 503 UNAVAILABLE with connection: close once the server is closing (the app's onRequest answer)", async () => {
    const fr = new FastRoutes({ enabled: true, bodyLimit: 1024, mapper: defaultErrorMapper(), logger: null, closing: () => true });
    let ran = false;
    fr.register({ method: 'POST', url: '/x', handler: () => {} } as RouteOptions, {
      handle: async () => {
        ran = true;
        return '{}';
      },
    });
    const server = createServer((req, res) => {
      if (!fr.serve(req, res)) res.writeHead(500).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const late = await post((server.address() as { port: number }).port, 'hello', { path: '/x' });
      assert.equal(late.status, 503);
      assert.equal(late.headers.connection, 'close');
      assert.deepEqual(JSON.parse(late.body), { error: 'UNAVAILABLE', message: 'the server is shutting down' });
      assert.equal(ran, false);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it('is cut by the server’s request time limit like any route', { timeout: STUCK_MS }, async () => {
    const app = createApp({ http: { requestTimeoutMs: 1000, headersTimeoutMs: 1000 } });
    let ran = false;
    const fast: FastRoute = {
      handle: async () => {
        ran = true;
        return '{}';
      },
    };
    app.post('/slow', { config: { fast } }, async () => '{}');
    await app.listen({ host: '127.0.0.1', port: 0 });
    try {
      const socket = connect((app.server.address() as { port: number }).port, '127.0.0.1');
      let got = '';
      socket.setEncoding('utf8');
      socket.on('data', (d: string) => (got += d));
      socket.on('error', () => {});
      const closed = new Promise((r) => socket.on('close', r));
      await new Promise((r) => socket.once('connect', r));
      socket.write('POST /slow HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\n\r\n');
      for (let i = 0; i < 500 && !socket.destroyed; i++) {
        socket.write('x');
        await new Promise((r) => setTimeout(r, 100));
      }
      await closed;
      assert.match(got, /^HTTP\/1\.1 408 /);
      assert.equal(ran, false);
    } finally {
      await app.close();
    }
  });
});
