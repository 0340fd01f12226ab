/**
 * What the server commands share (src/cli/server-runtime.ts): reading a
 * config file into one CliError line, listening, and the graceful close over
 * the caller's closers.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import { CliError } from '../../src/cli/errors.ts';
import { listen, loadConfigFile } from '../../src/cli/server-runtime.ts';
import { CtConfigError } from '../../src/config/ct.ts';
import { loadHubConfigText } from '../../src/config/hub.ts';
import { createApp } from '../../src/http/index.ts';

const logger = pino({ level: 'silent' });

describe('loadConfigFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gv-runtime-'));

  it('refuses a missing file with CliError FAILED', () => {
    assert.throws(
      () => loadConfigFile(join(dir, 'none.yaml'), loadHubConfigText),
      (err: unknown) => err instanceof CliError && err.code === 'FAILED',
    );
  });

  it("turns the config's problems into CliError INVALID, with the config error as cause", () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'instances: []\nbogus: 1\n');
    assert.throws(
      () => loadConfigFile(file, loadHubConfigText),
      (err: unknown) => err instanceof CliError && err.code === 'INVALID' && (err.cause as { problems?: unknown[] }).problems?.length === 2,
    );
  });

  it('resolves relative paths from the config file directory', () => {
    const file = join(dir, 'any.yaml');
    writeFileSync(file, 'x: 1\n');
    const seen = loadConfigFile(file, (_text, o) => o.baseDir);
    assert.equal(seen, dir);
  });

  it('lets errors other than config problems through', () => {
    const file = join(dir, 'ok.yaml');
    writeFileSync(file, 'x: 1\n');
    const boom = new Error('boom');
    assert.throws(
      () =>
        loadConfigFile(file, () => {
          throw boom;
        }),
      (err: unknown) => err === boom,
    );
    assert.throws(
      () =>
        loadConfigFile(file, () => {
          throw new CtConfigError(['a: b']);
        }),
      (err: unknown) => err instanceof CliError && err.code === 'INVALID',
    );
  });
});

describe('listen', () => {
  it('gives the URL of the bound port and closes the app, then the closers in order, once', async () => {
    const app = createApp({ logger });
    const order: string[] = [];
    const l = await listen(app, {
      host: '127.0.0.1',
      port: 0,
      logger,
      closers: [
        { name: 'a', close: () => void order.push('a') },
        { name: 'b', close: async () => void order.push('b') },
      ],
    });
    assert.ok(l.port > 0);
    assert.equal(l.url, `http://127.0.0.1:${l.port}`);
    await Promise.all([l.close(), l.close()]);
    await l.close();
    assert.deepEqual(order, ['a', 'b']);
    assert.equal(app.server.listening, false);
  });

  it('runs the closers and rethrows when the port is taken', async () => {
    const first = createApp({ logger });
    const taken = await listen(first, { host: '127.0.0.1', port: 0, logger, closers: [] });
    const order: string[] = [];
    await assert.rejects(
      listen(createApp({ logger }), {
        host: '127.0.0.1',
        port: taken.port,
        logger,
        closers: [{ name: 'storage', close: () => void order.push('storage') }],
      }),
      (err: NodeJS.ErrnoException) => err.code === 'EADDRINUSE',
    );
    assert.deepEqual(order, ['storage']);
    await taken.close();
  });
});
