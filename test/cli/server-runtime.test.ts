/**
 * What the server commands share (src/cli/server-runtime.ts): reading a
 * config file into one CliError line. Listening and closing are the server
 * builder's (test/server/server.test.ts).
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CliError } from '../../src/cli/errors.ts';
import { loadConfigFile } from '../../src/cli/server-runtime.ts';
import { CtConfigError } from '../../src/config/ct.ts';
import { loadHubConfigText } from '../../src/config/hub.ts';
import { tempDir } from '../support/temp-dir.ts';

describe('loadConfigFile', () => {
  const dir = tempDir('gv-runtime-');

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
