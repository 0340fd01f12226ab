import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type ConfigErrorClass,
  ConfigProblemsError,
  duration,
  durationMs,
  fileReader,
  listenProblem,
  parseYamlText,
  resolvePath,
  splitListen,
} from '../../src/config/fields.ts';

class TestConfigError extends ConfigProblemsError {
  constructor(problems: readonly string[], options?: { cause?: unknown }) {
    super('test config', problems, options);
  }
}

describe('config building blocks (config/fields.ts)', () => {
  it('reads durations with a unit and refuses bare numbers', () => {
    assert.equal(durationMs('500ms'), 500);
    assert.equal(durationMs('10s'), 10_000);
    assert.equal(durationMs('2m'), 120_000);
    assert.equal(durationMs('1h'), 3_600_000);
    assert.equal(durationMs('10'), undefined);
    assert.equal(durationMs(' 10s'), undefined, 'durationMs does not trim; the duration schema does');
    assert.equal(duration.parse(' 2m '), 120_000);
    assert.equal(duration.safeParse(5).success, false);
  });

  it('accepts host:port listen addresses and splits off IPv6 brackets', () => {
    for (const ok of ['127.0.0.1:6962', '[::1]:80', 'localhost:65535', '0.0.0.0:0', '[::]:8080'])
      assert.equal(listenProblem(ok), undefined, ok);
    // An empty host is refused: "all interfaces" is said as 0.0.0.0 or [::], and a URL needs a host.
    for (const bad of ['nowhere', 'host:65536', 'a:b:1', '[fe80::1%eth0]:80', 'h:123456', ':8080', '::1:80'])
      assert.match(listenProblem(bad) ?? '', /^listen: got .*, want host:port/, bad);
    assert.match(listenProblem('x', '--listen') ?? '', /^--listen: got "x"/);
    assert.deepEqual(splitListen('[::1]:80'), { host: '::1', port: 80 });
    assert.deepEqual(splitListen('127.0.0.1:6962'), { host: '127.0.0.1', port: 6962 });
  });

  it('resolves paths against the config directory and turns unreadable files into problems', () => {
    assert.equal(resolvePath('/cfg', 'keys/a.pem'), '/cfg/keys/a.pem');
    assert.equal(resolvePath('/cfg', '/abs/a.pem'), '/abs/a.pem');
    const problems: string[] = [];
    const read = fileReader(
      {
        baseDir: '/cfg',
        readFile: (p) => {
          if (p === '/cfg/here') return Buffer.from('x');
          throw Object.assign(new Error('gone'), { code: 'ENOENT' });
        },
      },
      problems,
    );
    assert.deepEqual(read('here', 'a'), Buffer.from('x'));
    assert.equal(read('gone', 'b'), null);
    assert.deepEqual(problems, ['b: cannot read /cfg/gone: ENOENT']);
  });

  it('fails malformed YAML with the given error class, code INVALID and one line that does not quote the text', () => {
    const Err: ConfigErrorClass = TestConfigError;
    assert.deepEqual(parseYamlText('', Err), {});
    assert.throws(
      () => parseYamlText('password: [s3cr3t-value', Err),
      (err: unknown) =>
        err instanceof TestConfigError &&
        err.code === 'INVALID' &&
        err.problems.length === 1 &&
        /^not valid YAML: .*line 1/.test(err.problems[0]) &&
        !err.message.includes('s3cr3t') &&
        err.cause === undefined,
    );
  });
});
