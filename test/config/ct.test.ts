import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { before, describe, it } from 'node:test';
import { CtConfigError, parseCtConfig, resolveCtConfig } from '../../src/config/ct.ts';
import { minimumMmdMs } from '../../src/log/index.ts';
import { certificatePem, type DemoSet, mintDemoSet } from '../../src/x509/testca/index.ts';
import { readerOf } from '../support/file-reader.ts';

function problems(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof CtConfigError, `want CtConfigError, got ${String(err)}`);
    assert.equal(err.code, 'INVALID');
    return [...err.problems];
  }
  assert.fail('no CtConfigError');
}

const pem = (type: 'ec' | 'ed25519' | 'rsa') => {
  const { privateKey } =
    type === 'ec'
      ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
      : type === 'rsa'
        ? generateKeyPairSync('rsa', { modulusLength: 2048 })
        : generateKeyPairSync('ed25519');
  return Buffer.from(privateKey.export({ type: 'pkcs8', format: 'pem' }) as string);
};

describe('parseCtConfig', () => {
  it('fills the defaults around keyFile and roots', () => {
    const c = parseCtConfig('keyFile: k.pem\nroots: [r.pem]\n');
    assert.equal(c.listen, '127.0.0.1:6962');
    assert.equal(c.tree, 'ct');
    assert.equal(c.mmd, 10_000);
    assert.equal(c.database, 'sqlite:grapevine.db');
    assert.equal(c.sequencer.leaseTtl, undefined);
    assert.equal(c.createTree, false);
    assert.equal(c.limits.maxGetEntries, 1000);
    assert.equal(c.limits.maxChainLength, 10);
    assert.ok(Object.isFrozen(c) && Object.isFrozen(c.limits));
  });

  it('reads durations and RFC 3339 windows', () => {
    const c = parseCtConfig(
      'keyFile: k\nroots: [r]\nmmd: 2m\nnotAfter: { start: "2026-01-01T00:00:00Z", limit: 2027-01-01T00:00:00Z }\nsequencer: { interval: 500ms }',
    );
    assert.equal(c.mmd, 120_000);
    assert.equal(c.notAfter?.start, Date.UTC(2026, 0, 1));
    assert.equal(c.notAfter?.limit, Date.UTC(2027, 0, 1));
    assert.equal(c.sequencer.interval, 500);
  });

  it('reports every problem at once, each with its path', () => {
    const p = problems(() =>
      parseCtConfig(
        [
          'listen: nowhere',
          'keyFile: k',
          'roots: []',
          'mmd: 10',
          'colour: blue',
          'notAfter: { start: 2027-01-01T00:00:00Z, limit: 2026-01-01T00:00:00Z }',
        ].join('\n'),
      ),
    );
    assert.ok(
      p.some((x) => x.startsWith('roots:')),
      p.join('\n'),
    );
    assert.ok(
      p.some((x) => x.startsWith('mmd:')),
      p.join('\n'),
    );
    assert.ok(
      p.some((x) => x.includes('colour')),
      p.join('\n'),
    );
    assert.ok(
      p.some((x) => x.startsWith('listen:')),
      'the listen address is checked even when the schema fails',
    );
    assert.equal(p.length, 4, 'rules across fields (notAfter) wait for a schema-valid config');
  });

  it('applies the cross-field rules', () => {
    const p = problems(() =>
      parseCtConfig(
        [
          'listen: nowhere',
          'keyFile: k',
          'roots: [r]',
          'mmd: 1s',
          'sequencer: { interval: 600ms }',
          'notAfter: { start: 2027-01-01T00:00:00Z, limit: 2026-01-01T00:00:00Z }',
          'prefix: "a b"',
        ].join('\n'),
      ),
    );
    // A read burst below limits.maxGetEntries is no problem: a page is clipped to what the burst can pay (one quota model).
    for (const path of ['listen', 'mmd', 'notAfter', 'prefix']) {
      assert.ok(
        p.some((x) => x.startsWith(`${path}:`)),
        `${path} in ${p.join(' | ')}`,
      );
    }
  });

  it('refuses a lease or an MMD whose worst-case takeover does not fit the MMD with its margin, at the key to change', () => {
    const ct = (rest: string) => parseCtConfig(`keyFile: k\nroots: [r]\n${rest}`);
    assert.equal(ct('mmd: 10s\nsequencer: { interval: 100ms, leaseTtl: 4900ms }').sequencer.leaseTtl, 4900);
    // A set lease is what to change (src/log/timing.ts: lease + interval ≤ MMD − max(1 s, MMD/2)).
    assert.deepEqual(
      problems(() => ct('mmd: 10s\nsequencer: { interval: 100ms, leaseTtl: 4901ms }')).map((x) => x.split(':')[0]),
      ['sequencer.leaseTtl'],
    );
    // With the defaults, the MMD: the tightest accepted is minimumMmdMs(), and 1 ms less is refused.
    const min = minimumMmdMs();
    assert.equal(ct(`mmd: ${min}ms`).mmd, min);
    assert.match(problems(() => ct(`mmd: ${min - 1}ms`))[0], /^mmd: with an MMD of \d+ ms a sequencer takeover takes up to/);
  });

  it('rejects text that is not YAML', () => {
    assert.equal(problems(() => parseCtConfig('a: [b')).length, 1);
  });
});

describe('resolveCtConfig', () => {
  let d: DemoSet;
  before(async () => {
    d = await mintDemoSet();
  });

  it('loads the key and every root of every PEM file, relative to the config directory', () => {
    const files = {
      '/etc/ct/key.pem': pem('ec'),
      '/etc/ct/roots/a.pem': Buffer.from(certificatePem(d.root) + certificatePem(d.intermediate)),
      '/abs/b.pem': Buffer.from(certificatePem(d.precertSigner)),
    };
    const r = resolveCtConfig(parseCtConfig('keyFile: key.pem\nroots: [roots/a.pem, /abs/b.pem]\nprefix: /logs/x/\nlisten: "[::1]:7000"'), {
      baseDir: '/etc/ct',
      readFile: readerOf(files),
    });
    assert.equal(r.log.roots.length, 3);
    assert.equal(r.log.prefix, '/logs/x');
    assert.equal(r.host, '::1');
    assert.equal(r.port, 7000);
    assert.equal(r.log.signer.publicKey.type, 'ecdsa-p256');
    assert.equal(r.log.mmdMs, 10_000);
  });

  it('accepts an RSA key', () => {
    const r = resolveCtConfig(parseCtConfig('keyFile: k\nroots: [r]'), {
      baseDir: '/',
      readFile: readerOf({ '/k': pem('rsa'), '/r': Buffer.from(certificatePem(d.root)) }),
    });
    assert.equal(r.log.signer.publicKey.type, 'rsa');
  });

  it('reports an unreadable key, an Ed25519 key, and bad root files together', () => {
    const missing = problems(() =>
      resolveCtConfig(parseCtConfig('keyFile: nokey\nroots: [junk.pem, none.pem]'), {
        baseDir: '/',
        readFile: readerOf({ '/junk.pem': Buffer.from('not a certificate') }),
      }),
    );
    assert.ok(
      missing.some((x) => x.startsWith('keyFile:') && x.includes('ENOENT')),
      missing.join(' | '),
    );
    assert.ok(
      missing.some((x) => x.startsWith('roots[0]')),
      missing.join(' | '),
    );
    assert.ok(
      missing.some((x) => x.startsWith('roots[1]') && x.includes('ENOENT')),
      missing.join(' | '),
    );
    const ed = problems(() =>
      resolveCtConfig(parseCtConfig('keyFile: k\nroots: [r]'), {
        baseDir: '/',
        readFile: readerOf({ '/k': pem('ed25519'), '/r': Buffer.from(certificatePem(d.root)) }),
      }),
    );
    assert.equal(ed.length, 1);
    assert.match(ed[0], /^keyFile:/);
  });
});
