/**
 * The shared fastify building blocks: error mapping, client addresses,
 * health, metrics and graceful shutdown.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Counter, Registry } from 'prom-client';
import { CheckpointError } from '../../src/checkpoint/index.ts';
import { CodecError } from '../../src/codec/index.ts';
import { KeyError, SignatureError } from '../../src/crypto/index.ts';
import { GrapevineError } from '../../src/errors.ts';
import {
  clientIp,
  createApp,
  defaultErrorMapper,
  installGracefulShutdown,
  quotaUser,
  quotaUserForIp,
  registerHealth,
  registerMetrics,
  sequencerCheck,
  setIpv6QuotaPrefix,
  storageCheck,
} from '../../src/http/index.ts';
import { HUB_ERROR_STATUS, HubError } from '../../src/hub/index.ts';
import { LogError, QuotaError, StorageError } from '../../src/log/index.ts';
import { ProofError } from '../../src/merkle/index.ts';
import { NoteError } from '../../src/note/index.ts';

class OtherError extends GrapevineError<'X'> {}

describe('ErrorMapper', () => {
  const m = defaultErrorMapper().add(HubError, HUB_ERROR_STATUS);
  const cases: { desc: string; err: unknown; status: number }[] = [
    { desc: 'CodecError', err: new CodecError('BAD_BASE64', 'x'), status: 400 },
    { desc: 'LogError BAD_REQUEST', err: new LogError('BAD_REQUEST', 'x'), status: 400 },
    { desc: 'LogError LEAF_NOT_FOUND', err: new LogError('LEAF_NOT_FOUND', 'x'), status: 404 },
    { desc: 'LogError INCONSISTENT_ROOT', err: new LogError('INCONSISTENT_ROOT', 'x'), status: 500 },
    { desc: 'QuotaError', err: new QuotaError('user:a:write', 1500), status: 429 },
    { desc: 'StorageError UNAVAILABLE', err: new StorageError('UNAVAILABLE', 'db down'), status: 503 },
    { desc: 'StorageError CORRUPT', err: new StorageError('CORRUPT', 'x'), status: 500 },
    { desc: 'ProofError (a proof the server built failed)', err: new ProofError('INCLUSION_MISMATCH', 'x'), status: 500 },
    { desc: 'KeyError', err: new KeyError('MALFORMED_KEY', 'x'), status: 400 },
    { desc: 'SignatureError', err: new SignatureError('BAD_SIGNATURE', 'x'), status: 400 },
    { desc: 'NoteError', err: new NoteError('MALFORMED', 'x'), status: 400 },
    { desc: 'CheckpointError', err: new CheckpointError('MALFORMED', 'x'), status: 400 },
    { desc: 'a GrapevineError class nobody registered', err: new OtherError('X', 'x'), status: 500 },
    { desc: 'a plain Error', err: new Error('boom'), status: 500 },
    {
      desc: "fastify's 413",
      err: Object.assign(new Error('too large'), { statusCode: 413, code: 'FST_ERR_CTP_BODY_TOO_LARGE' }),
      status: 413,
    },
  ];
  for (const tc of cases) it(`maps ${tc.desc} to ${tc.status}`, () => assert.equal(m.statusOf(tc.err), tc.status));

  it('maps every HubError code to the status of its table', () => {
    for (const [code, status] of Object.entries(HUB_ERROR_STATUS)) assert.equal(m.statusOf(new HubError(code as never, 'x')), status, code);
  });

  it('answers QuotaError with Retry-After in whole seconds (at least 1) and StorageError UNAVAILABLE with Retry-After 1', () => {
    assert.equal(m.answer(new QuotaError('b', 1500)).headers['retry-after'], '2');
    assert.equal(m.answer(new QuotaError('b', 10)).headers['retry-after'], '1');
    const u = m.answer(new StorageError('UNAVAILABLE', 'db down'));
    assert.equal(u.headers['retry-after'], '1');
    assert.deepEqual(u.body, { error: 'UNAVAILABLE', message: 'db down' });
  });

  it('never puts an internal message in a 5xx body', () => {
    assert.deepEqual(m.answer(new StorageError('CORRUPT', '/var/lib/secret path')).body, { error: 'CORRUPT', message: 'internal error' });
    assert.deepEqual(m.answer(new Error('stack detail')).body, { error: 'INTERNAL', message: 'internal error' });
  });
});

describe('createApp', () => {
  it('answers errors as JSON {error, message} through the one handler, and unknown routes as 404 JSON', async () => {
    const app = createApp();
    app.get('/q', async () => {
      throw new QuotaError('user:ip:1.2.3.4:read', 2500);
    });
    app.get('/boom', async () => {
      throw new Error('secret');
    });
    const q = await app.inject({ url: '/q' });
    assert.equal(q.statusCode, 429);
    assert.equal(q.headers['retry-after'], '3');
    assert.equal(q.json().error, 'EXHAUSTED');
    const b = await app.inject({ url: '/boom' });
    assert.equal(b.statusCode, 500);
    assert.deepEqual(b.json(), { error: 'INTERNAL', message: 'internal error' });
    const n = await app.inject({ url: '/nope' });
    assert.equal(n.statusCode, 404);
    assert.equal(n.json().error, 'NOT_FOUND');
    await app.close();
  });

  it('enforces the body limit with 413', async () => {
    const app = createApp({ bodyLimit: 1024 });
    app.post('/p', async () => 'ok');
    const r = await app.inject({ method: 'POST', url: '/p', payload: { x: 'y'.repeat(2000) } });
    assert.equal(r.statusCode, 413);
    await app.close();
  });

  it('uses X-Forwarded-For only with trustProxy', async () => {
    for (const [trustProxy, want] of [
      [false, '127.0.0.1'],
      [true, '203.0.113.9'],
    ] as const) {
      const app = createApp({ trustProxy });
      app.get('/ip', async (req) => clientIp(req));
      const r = await app.inject({ url: '/ip', headers: { 'x-forwarded-for': '203.0.113.9' } });
      assert.equal(r.body, want);
      await app.close();
    }
  });
});

describe('client addresses for quotas', () => {
  it('unwraps IPv4-mapped IPv6', () => assert.equal(clientIp({ ip: '::ffff:192.0.2.7' }), '192.0.2.7'));
  it('buckets IPv4 per address and IPv6 per /64', () => {
    assert.equal(quotaUserForIp('192.0.2.7'), 'ip:192.0.2.7');
    assert.equal(quotaUserForIp('2001:db8:1:2:aaaa::1'), 'ip6:2001:db8:1:2::/64');
    assert.equal(quotaUserForIp('2001:db8:1:2:bbbb:cccc:dddd:eeee'), 'ip6:2001:db8:1:2::/64');
    assert.equal(quotaUserForIp('::1'), 'ip6:0:0:0:0::/64');
    assert.equal(quotaUserForIp('2001:db8::ffff:1.2.3.4'), 'ip6:2001:db8:0:0::/64');
  });

  it('buckets IPv6 per a coarser prefix when asked: one /48 is one bucket, a /56 masks inside a group', () => {
    assert.equal(quotaUserForIp('2001:db8:1:2:aaaa::1', 48), 'ip6:2001:db8:1::/48');
    assert.equal(quotaUserForIp('2001:db8:1:ffff::1', 48), 'ip6:2001:db8:1::/48');
    assert.equal(quotaUserForIp('2001:db8:1:12ff::1', 56), 'ip6:2001:db8:1:1200::/56');
    assert.equal(quotaUserForIp('2001:db8:1:2:aaaa::1', 128), 'ip6:2001:db8:1:2:aaaa:0:0:1/128');
    assert.equal(quotaUserForIp('192.0.2.7', 48), 'ip:192.0.2.7', 'IPv4 (and so NAT64 clients) stay per address');
  });

  it('takes the prefix of the app the route belongs to (setIpv6QuotaPrefix), 64 by default', async () => {
    for (const [bits, want] of [
      [undefined, 'ip6:2001:db8:1:2::/64'],
      [48, 'ip6:2001:db8:1::/48'],
    ] as const) {
      const app = createApp({ trustProxy: true });
      if (bits !== undefined) setIpv6QuotaPrefix(app, bits);
      await app.register(async (child) => {
        child.get('/who', async (req) => quotaUser(req));
      });
      const r = await app.inject({ url: '/who', headers: { 'x-forwarded-for': '2001:db8:1:2:aaaa::1' } });
      assert.equal(r.body, want);
      await app.close();
    }
  });
});

describe('registerHealth', () => {
  it('answers /healthz 200, and /readyz 200 only when every check passes (failures and timeouts named)', async () => {
    let up = true;
    const app = createApp();
    registerHealth(app, {
      timeoutMs: 50,
      checks: [
        storageCheck({ ping: async () => (up ? undefined : Promise.reject(new Error('db gone'))) }),
        sequencerCheck({ fatal: null, isLeader: false }, 'seq'),
        { name: 'slow', check: () => (up ? 'fine' : new Promise<string>((r) => setTimeout(() => r('late'), 500))) },
      ],
    });
    assert.equal((await app.inject({ url: '/healthz' })).statusCode, 200);
    const ok = await app.inject({ url: '/readyz' });
    assert.equal(ok.statusCode, 200);
    assert.deepEqual(ok.json(), { status: 'ready', checks: { storage: 'ok', seq: 'follower', slow: 'fine' } });
    up = false;
    const bad = await app.inject({ url: '/readyz' });
    assert.equal(bad.statusCode, 503);
    assert.match(bad.json().checks.storage, /^FAIL: db gone/);
    assert.match(bad.json().checks.slow, /timed out/);
    await app.close();
  });

  it('fails readiness when a sequencer stopped on a fatal error', async () => {
    const app = createApp();
    registerHealth(app, { checks: [sequencerCheck({ fatal: new LogError('INCONSISTENT_ROOT', 'forged head'), isLeader: false }, 'seq')] });
    const r = await app.inject({ url: '/readyz' });
    assert.equal(r.statusCode, 503);
    assert.match(r.json().checks.seq, /forged head/);
    await app.close();
  });
});

describe('registerMetrics', () => {
  it('serves the registry and counts requests by route pattern', async () => {
    const registry = new Registry();
    new Counter({ name: 'my_total', help: 'h', registers: [registry] }).inc(3);
    const app = createApp();
    registerMetrics(app, { registry });
    app.get('/item/:id', async () => 'x');
    await app.inject({ url: '/item/1' });
    await app.inject({ url: '/item/2' });
    const r = await app.inject({ url: '/metrics' });
    assert.equal(r.statusCode, 200);
    assert.match(r.headers['content-type'] as string, /text\/plain/);
    assert.match(r.body, /my_total 3/);
    assert.match(r.body, /grapevine_http_requests_total\{route="\/item\/:id",method="GET",status="200"\} 2/);
    await app.close();
  });
});

describe('installGracefulShutdown', () => {
  it('stops accepting, lets the in-flight request finish, then runs the closers in order, and exits 0', async () => {
    const app = createApp();
    let release: () => void = () => {};
    let entered: () => void = () => {};
    const inHandler = new Promise<void>((r) => {
      entered = r;
    });
    app.get('/slow', async () => {
      await new Promise<void>((r) => {
        release = r;
        entered();
      });
      return 'done';
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const port = (app.server.address() as { port: number }).port;
    const order: string[] = [];
    const exits: number[] = [];
    const h = installGracefulShutdown({
      app,
      signals: [],
      exit: (c) => exits.push(c),
      closers: [
        { name: 'sequencers', close: async () => void order.push('sequencers') },
        { name: 'storage', close: async () => void order.push('storage') },
      ],
    });
    const inflight = fetch(`http://127.0.0.1:${port}/slow`).then((r) => r.text());
    // Shut down only once the request is really in flight (a fixed sleep loses that race on a busy machine).
    await inHandler;
    const done = h.shutdown('test');
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(order, [], 'closers wait for the in-flight request');
    release();
    assert.equal(await inflight, 'done');
    assert.equal(await done, 0);
    assert.deepEqual(order, ['sequencers', 'storage']);
    assert.deepEqual(exits, [0]);
    assert.equal(await h.shutdown('again'), 0, 'runs once');
  });

  it('exits 1 when a closer fails, still running the others', async () => {
    const app = createApp();
    const order: string[] = [];
    const exits: number[] = [];
    const h = installGracefulShutdown({
      app,
      signals: [],
      exit: (c) => exits.push(c),
      closers: [
        {
          name: 'bad',
          close: async () => {
            throw new Error('x');
          },
        },
        { name: 'storage', close: async () => void order.push('storage') },
      ],
    });
    assert.equal(await h.shutdown('test'), 1);
    assert.deepEqual(order, ['storage']);
    assert.deepEqual(exits, [1]);
  });

  it('gives up after the time limit with exit 1', async () => {
    const app = createApp();
    const exits: number[] = [];
    const h = installGracefulShutdown({
      app,
      signals: [],
      timeoutMs: 30,
      exit: (c) => exits.push(c),
      closers: [{ name: 'stuck', close: () => new Promise(() => {}) }],
    });
    assert.equal(await h.shutdown('test'), 1);
    assert.deepEqual(exits, [1]);
  });
});
