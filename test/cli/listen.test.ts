/**
 * Server commands and their address: a bad port is a usage error (exit 2);
 * a port in use is one line (exit 1), found before anything is created.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { grapevine } from '../support/cli.ts';
import { tempDir } from '../support/temp-dir.ts';

describe('server commands and their address', () => {
  let busy: Server;
  let port = 0;
  before(async () => {
    busy = createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
    port = (busy.address() as { port: number }).port;
  });
  after(() => new Promise<void>((r) => busy.close(() => r())));

  for (const bad of ['abc', '-1', '65536', '8080x', '']) {
    it(`answers \`serve --port ${JSON.stringify(bad)}\` with a usage error (exit 2, one line, no stack)`, () => {
      const r = grapevine(['serve', '--data', join(tmpdir(), 'gv-never'), '--port', bad]);
      assert.equal(r.code, 2, r.stderr);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.match(r.stderr, /want a port number/);
    });
  }

  it('refuses a port in use with one line before creating the demo site (exit 1)', () => {
    const data = join(tempDir('gv-listen-'), 'site');
    const r = grapevine(['serve', '--data', data, '--init-if-missing', '--port', String(port)]);
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.stderr, `grapevine: cannot listen on 127.0.0.1:${port}: the address is already in use (EADDRINUSE)\n`);
    assert.equal(existsSync(data), false, 'nothing was created');
  });

  it('refuses a port in use with one line in `ct serve`, before creating the tree', () => {
    const dir = tempDir('gv-listen-');
    assert.equal(grapevine(['ct', 'test-ca', '--out', dir, '--log-config']).code, 0);
    const yaml = join(dir, 'ct.yaml');
    writeFileSync(yaml, readFileSync(yaml, 'utf8').replace(/^listen: .*$/m, `listen: 127.0.0.1:${port}`));
    const r = grapevine(['ct', 'serve', '--config', yaml, '--create-tree']);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /^grapevine: cannot listen on 127\.0\.0\.1:\d+: the address is already in use \(EADDRINUSE\)\n$/);
    assert.equal(existsSync(join(dir, 'ct.db')), false, 'no database was created');
  });
});
