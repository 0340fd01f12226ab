/**
 * The HTTP edges of createApp (issue 8 §3, §4): every refusal has the body
 * `{error, message}` whoever raised it, repeated query parameters are
 * refused, expected refusals are logged without a stack, and slow or greedy
 * clients are cut off — checked over real sockets on loopback, since Node's
 * parser and timers are what is under test.
 */
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { createApp, DEFAULT_HTTP_LIMITS, httpLimits } from '../../src/http/index.ts';
import { QuotaError, StorageError } from '../../src/log/index.ts';

/** A stuck-test bound only: a cut expected after ~1 s that has not come in a minute is a failure. */
const STUCK_MS = 60_000;

async function listening(app: FastifyInstance): Promise<number> {
  await app.listen({ host: '127.0.0.1', port: 0 });
  return (app.server.address() as { port: number }).port;
}

/** Everything the server sends on one socket until it closes the connection. */
function openSocket(port: number): Promise<{ socket: Socket; closed: Promise<string> }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let got = '';
    socket.setEncoding('utf8');
    socket.on('data', (s: string) => (got += s));
    const closed = new Promise<string>((r) => socket.on('close', () => r(got)));
    socket.on('error', () => {}); // a reset after the server's answer is the expected end
    socket.once('connect', () => resolve({ socket, closed }));
    socket.once('error', reject);
  });
}

/** Status and parsed JSON body of a raw HTTP/1.1 response. */
function parseResponse(raw: string): { status: number; body: unknown } {
  const m = /^HTTP\/1\.1 (\d{3}) [^\r]*\r\n([\s\S]*?)\r\n\r\n([\s\S]*)$/.exec(raw);
  assert.ok(m, `an HTTP response, got ${JSON.stringify(raw.slice(0, 200))}`);
  return { status: Number(m[1]), body: JSON.parse(m[3]) };
}

function assertErrorShape(body: unknown, code: string): void {
  assert.deepEqual(Object.keys(body as object).sort(), ['error', 'message']);
  assert.equal((body as { error: string }).error, code);
  assert.equal(typeof (body as { message: unknown }).message, 'string');
}

/** Writes `chunks` one at a time, `gapMs` apart, until the socket closes; resolves with how many were written. */
async function trickle(socket: Socket, chunks: readonly string[], gapMs: number): Promise<number> {
  let n = 0;
  for (const c of chunks) {
    if (socket.destroyed || socket.writableEnded || socket.closed) break;
    socket.write(c);
    n++;
    await new Promise((r) => setTimeout(r, gapMs));
  }
  return n;
}

describe('createApp: one error shape', () => {
  it('answers unknown routes, bad JSON, oversized bodies and repeated parameters with {error, message}', async () => {
    const app = createApp({ bodyLimit: 1024 });
    app.post('/json', async (req) => req.body);
    app.get('/q', async (req) => req.query);
    try {
      const cases = [
        { req: { url: '/nope' }, status: 404, code: 'NOT_FOUND' },
        {
          req: { method: 'POST' as const, url: '/json', headers: { 'content-type': 'application/json' }, payload: '{' },
          status: 400,
          code: 'BAD_REQUEST',
        },
        { req: { method: 'POST' as const, url: '/json', payload: { x: 'y'.repeat(2000) } }, status: 413, code: 'BODY_TOO_LARGE' },
        {
          req: { method: 'POST' as const, url: '/json', headers: { 'content-type': 'text/x-nope' }, payload: 'x' },
          status: 415,
          code: 'UNSUPPORTED_MEDIA_TYPE',
        },
        { req: { url: '/q?start=1&start=2' }, status: 400, code: 'BAD_REQUEST' },
      ];
      for (const tc of cases) {
        const r = await app.inject(tc.req);
        assert.equal(r.statusCode, tc.status, `${tc.req.url}: ${r.body}`);
        assertErrorShape(r.json(), tc.code);
      }
      assert.match((await app.inject({ url: '/q?start=1&start=2' })).json().message, /"start" given 2 times, want once/);
      assert.deepEqual((await app.inject({ url: '/q?start=1&end=2' })).json(), { start: '1', end: '2' }, 'single parameters pass');
    } finally {
      await app.close();
    }
  });

  it('answers headers larger than Node accepts with 431 {error, message} over a real socket', async () => {
    const app = createApp();
    app.get('/', async () => 'ok');
    const port = await listening(app);
    try {
      const { socket, closed } = await openSocket(port);
      socket.write(`GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(64 * 1024)}\r\n\r\n`);
      const { status, body } = parseResponse(await closed);
      assert.equal(status, 431);
      assertErrorShape(body, 'HEADERS_TOO_LARGE');
    } finally {
      await app.close();
    }
  });
});

describe('createApp: logging of refusals', () => {
  it('logs 429 at info and 503 at warn without a stack, and failures at error with one', async () => {
    const lines: { level: number; msg: string; err?: { stack?: string }; refusal?: unknown }[] = [];
    const sink = new Writable({
      write(chunk, _enc, cb) {
        lines.push(JSON.parse(String(chunk)));
        cb();
      },
    });
    const app = createApp({ logger: pino({ level: 'debug' }, sink) });
    app.get('/quota', async () => {
      throw new QuotaError('user:ip:192.0.2.1:write', 1000);
    });
    app.get('/backlog', async () => {
      throw new StorageError('UNAVAILABLE', 'the database is busy');
    });
    app.get('/bug', async () => {
      throw new Error('a bug');
    });
    try {
      assert.equal((await app.inject({ url: '/quota' })).statusCode, 429);
      assert.equal((await app.inject({ url: '/backlog' })).statusCode, 503);
      assert.equal((await app.inject({ url: '/bug' })).statusCode, 500);
      const about = (msg: string) => lines.filter((l) => l.msg === msg);
      const refused = about('request refused');
      assert.deepEqual(
        refused.map((l) => l.level),
        [30, 40],
        'quota at info, backlog at warn',
      );
      for (const l of refused) assert.equal(JSON.stringify(l).includes('stack'), false, 'no stack for a refusal');
      const failed = about('request failed');
      assert.equal(failed.length, 1);
      assert.equal(failed[0].level, 50);
      assert.match(failed[0].err?.stack ?? '', /a bug/);
    } finally {
      await app.close();
    }
  });
});

describe('createApp: time and connection limits', () => {
  it('has defaults that bound every request (Node’s own 300 s is otherwise turned off by fastify)', () => {
    const app = createApp();
    assert.equal(app.server.requestTimeout, DEFAULT_HTTP_LIMITS.requestTimeoutMs);
    assert.equal(app.server.headersTimeout, DEFAULT_HTTP_LIMITS.headersTimeoutMs);
    assert.equal(app.server.keepAliveTimeout, DEFAULT_HTTP_LIMITS.keepAliveTimeoutMs);
    assert.equal(app.server.timeout, DEFAULT_HTTP_LIMITS.idleTimeoutMs);
    assert.equal(app.server.maxConnections, DEFAULT_HTTP_LIMITS.maxConnections);
    assert.ok(DEFAULT_HTTP_LIMITS.requestTimeoutMs > 0 && DEFAULT_HTTP_LIMITS.requestTimeoutMs <= 60_000);
  });

  it('never lets the headers outlast the whole request', () => {
    assert.equal(httpLimits({ requestTimeoutMs: 1000, headersTimeoutMs: 5000 }).headersTimeoutMs, 1000);
  });

  it('cuts a request whose body trickles in slower than the request time limit, answering 408 {error, message}', {
    timeout: STUCK_MS,
  }, async () => {
    const app = createApp({ http: { requestTimeoutMs: 1000, headersTimeoutMs: 1000 } });
    let handled = false;
    app.post('/p', async () => {
      handled = true;
      return 'ok';
    });
    const port = await listening(app);
    try {
      const { socket, closed } = await openSocket(port);
      // 500 body bytes, one every 100 ms: 50 s to finish, so only the server can end this within the stuck bound.
      socket.write('POST /p HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 500\r\n\r\n');
      const sent = await trickle(
        socket,
        Array.from({ length: 500 }, () => 'x'),
        100,
      );
      assert.ok(sent < 500, `the server cut the body after ${sent} of 500 bytes`);
      const { status, body } = parseResponse(await closed);
      assert.equal(status, 408);
      assertErrorShape(body, 'REQUEST_TIMEOUT');
      assert.equal(handled, false, 'the route never ran on half a body');
    } finally {
      await app.close();
    }
  });

  it('cuts a client whose headers trickle in slower than the headers time limit', { timeout: STUCK_MS }, async () => {
    const app = createApp({ http: { requestTimeoutMs: 5000, headersTimeoutMs: 1000 } });
    app.get('/', async () => 'ok');
    const port = await listening(app);
    try {
      const { socket, closed } = await openSocket(port);
      const header = `GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ${'a'.repeat(500)}\r\n\r\n`;
      const sent = await trickle(socket, [...header], 100);
      assert.ok(sent < header.length, `the server cut the headers after ${sent} of ${header.length} bytes`);
      assert.equal(parseResponse(await closed).status, 408);
    } finally {
      await app.close();
    }
  });

  it('closes connections beyond maxConnections at once', { timeout: STUCK_MS }, async () => {
    const app = createApp({ http: { maxConnections: 2 } });
    app.get('/', async () => 'ok');
    const port = await listening(app);
    const open: Socket[] = [];
    try {
      // Two connections the server has surely accepted: each got an answer and stays open (keep-alive).
      for (let i = 0; i < 2; i++) {
        const { socket } = await openSocket(port);
        open.push(socket);
        const answered = new Promise<void>((r) => socket.once('data', () => r()));
        socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
        await answered;
      }
      const third = await openSocket(port);
      open.push(third.socket);
      third.socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
      assert.equal(await third.closed, '', 'closed without an answer');
    } finally {
      for (const s of open) s.destroy();
      await app.close();
    }
  });
});
