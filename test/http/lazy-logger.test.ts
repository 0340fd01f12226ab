/**
 * Per-request loggers made on first use (src/http/lazy-logger.ts): a request
 * that logs nothing makes no pino child; one that fails still logs with its
 * request id, as fastify's own child would.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import { createApp } from '../../src/http/index.ts';

describe('lazy per-request loggers', () => {
  it('make no child for a request that logs nothing, and log a failure with its request id', async () => {
    const lines: { msg: string; reqId?: string; level: number }[] = [];
    const sink = new Writable({
      write(chunk, _enc, cb) {
        lines.push(JSON.parse(String(chunk)));
        cb();
      },
    });
    const logger = pino({ level: 'info' }, sink);
    let children = 0;
    const child = logger.child.bind(logger);
    logger.child = ((...a: Parameters<typeof child>) => {
      children++;
      return child(...a);
    }) as typeof logger.child;
    const app = createApp({ logger });
    app.get('/ok', async () => 'ok');
    app.get('/bug', async () => {
      throw new Error('a bug');
    });
    try {
      await app.ready();
      const made = children; // fastify's own, for the app and its plugins
      for (let i = 0; i < 5; i++) assert.equal((await app.inject({ url: '/ok' })).statusCode, 200);
      assert.equal(children - made, 0, 'no child logger for quiet requests');
      assert.equal((await app.inject({ url: '/bug' })).statusCode, 500);
      assert.equal(children - made, 1);
      const failed = lines.filter((l) => l.msg === 'request failed');
      assert.equal(failed.length, 1);
      assert.match(failed[0].reqId ?? '', /^req-/);
      assert.equal(failed[0].level, 50);
    } finally {
      await app.close();
    }
  });

  it('keep fastify’s own children when every request is logged', async () => {
    const logger = pino({ level: 'silent' });
    let children = 0;
    const child = logger.child.bind(logger);
    logger.child = ((...a: Parameters<typeof child>) => {
      children++;
      return child(...a);
    }) as typeof logger.child;
    const app = createApp({ logger, logRequests: true });
    app.get('/ok', async () => 'ok');
    try {
      await app.ready();
      const made = children;
      await app.inject({ url: '/ok' });
      assert.equal(children - made, 1);
    } finally {
      await app.close();
    }
  });
});
