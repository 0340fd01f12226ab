/**
 * The server builder (src/server/server.ts): start and stop order, failed
 * starts, per-part body limits, readiness, and the fatal stop.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';
import type { Part, ReadinessCheck } from '../../src/http/index.ts';
import { startServer } from '../../src/server/index.ts';

/** A part that records what the server does with it. */
class Recorder implements Part {
  fatal: ((reason: string, err: unknown) => void) | null = null;
  constructor(
    readonly name: string,
    readonly log: string[],
    readonly o: { bodyLimit?: number; failStart?: boolean; check?: ReadinessCheck['check'] } = {},
  ) {}
  get bodyLimit() {
    return this.o.bodyLimit;
  }
  readiness(): ReadinessCheck[] {
    return [{ name: this.name, check: this.o.check ?? (() => 'fine') }];
  }
  async mount(app: FastifyInstance): Promise<void> {
    app.post(`/${this.name}`, async (req) => ({ got: (req.body as Buffer | string).length }));
  }
  async start(): Promise<void> {
    if (this.o.failStart) throw new Error(`${this.name} cannot start`);
    this.log.push(`start ${this.name}`);
  }
  async stop(): Promise<void> {
    this.log.push(`stop ${this.name}`);
  }
  onFatal(handler: (reason: string, err: unknown) => void): void {
    this.fatal = handler;
  }
}

const storage = (log: string[], ping: () => Promise<void> = async () => {}) => ({
  ping,
  close: async () => void log.push('close storage'),
});

describe('startServer', () => {
  it('starts the parts in order before listening, and stops them in reverse after draining, once', async () => {
    const log: string[] = [];
    const parts = [new Recorder('a', log), new Recorder('b', log)];
    const s = await startServer({ host: '127.0.0.1', port: 0, parts, registry: new Registry(), storage: storage(log), ownStorage: true });
    assert.deepEqual(log, ['start a', 'start b']);
    assert.match(s.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal((await fetch(`${s.url}/healthz`)).status, 200);
    await Promise.all([s.close(), s.close()]);
    await s.close();
    assert.deepEqual(log, ['start a', 'start b', 'stop b', 'stop a', 'close storage']);
    assert.equal(s.app.server.listening, false);
    assert.equal(await s.done, 0);
  });

  it('stops what it started, in reverse, and closes its storage when a part cannot start', async () => {
    const log: string[] = [];
    const parts = [new Recorder('a', log), new Recorder('b', log), new Recorder('c', log, { failStart: true })];
    await assert.rejects(
      startServer({ host: '127.0.0.1', port: 0, parts, registry: new Registry(), storage: storage(log), ownStorage: true }),
      /c cannot start/,
    );
    assert.deepEqual(log, ['start a', 'start b', 'stop b', 'stop a', 'close storage']);
  });

  it('stops its parts and closes its storage when the port is taken', async () => {
    const first = await startServer({ host: '127.0.0.1', port: 0, parts: [], registry: new Registry() });
    const log: string[] = [];
    await assert.rejects(
      startServer({
        host: '127.0.0.1',
        port: first.port,
        parts: [new Recorder('a', log)],
        registry: new Registry(),
        storage: storage(log),
        ownStorage: true,
      }),
      (err: NodeJS.ErrnoException) => err.code === 'EADDRINUSE',
    );
    assert.deepEqual(log, ['start a', 'stop a', 'close storage']);
    await first.close();
  });

  it("gives each part's routes its body limit (413 above it), and others the largest", async () => {
    const log: string[] = [];
    const parts = [new Recorder('small', log, { bodyLimit: 1024 }), new Recorder('large', log, { bodyLimit: 8192 })];
    const s = await startServer({ host: '127.0.0.1', port: 0, parts, registry: new Registry(), listen: false });
    const post = (url: string, n: number) =>
      s.app.inject({ method: 'POST', url, payload: 'x'.repeat(n), headers: { 'content-type': 'text/plain' } });
    assert.equal((await post('/small', 1024)).statusCode, 200);
    assert.equal((await post('/small', 1025)).statusCode, 413);
    assert.equal((await post('/large', 8192)).statusCode, 200);
    assert.equal((await post('/large', 8193)).statusCode, 413);
    await s.close();
  });

  it("answers /readyz with the storage ping and every part's checks, 503 when one fails", async () => {
    const log: string[] = [];
    let bad = false;
    const parts = [
      new Recorder('a', log),
      new Recorder('b', log, {
        check: () => {
          if (bad) throw new Error('b is stuck');
          return 'ok';
        },
      }),
    ];
    const s = await startServer({ host: '127.0.0.1', port: 0, parts, registry: new Registry(), storage: storage(log), listen: false });
    const ok = await s.app.inject({ url: '/readyz' });
    assert.equal(ok.statusCode, 200);
    assert.deepEqual(ok.json().checks, { storage: 'ok', a: 'fine', b: 'ok' });
    bad = true;
    const r = await s.app.inject({ url: '/readyz' });
    assert.equal(r.statusCode, 503);
    assert.equal(r.json().checks.b, 'FAIL: b is stuck');
    await s.close();
  });

  it('drains, stops every part and exits 1 when a part reports a fatal error', async () => {
    const log: string[] = [];
    const a = new Recorder('a', log);
    const b = new Recorder('b', log);
    let exited: number | null = null;
    const s = await startServer({
      host: '127.0.0.1',
      port: 0,
      parts: [a, b],
      registry: new Registry(),
      storage: storage(log),
      ownStorage: true,
      exit: (code) => {
        exited = code;
      },
    });
    a.fatal?.('the sequencer stopped on a fatal error', new Error('CORRUPT'));
    assert.equal(await s.done, 1);
    assert.equal(exited, 1);
    assert.deepEqual(log, ['start a', 'start b', 'stop b', 'stop a', 'close storage']);
    assert.equal(s.app.server.listening, false);
  });
});
