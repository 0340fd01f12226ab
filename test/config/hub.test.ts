/**
 * The hub config file: schema, defaults, cross-field rules, key loading,
 * and error reports that list every problem at once.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HubConfigError, loadHubConfigText, parseHubConfig, resolveHubConfig } from '../../src/config/hub.ts';
import { exportPrivateKeyPem, exportPublicKeyPem, generatePrivateKey } from '../../src/crypto/index.ts';
import { isError } from '../../src/errors.ts';
import { signedNotes } from '../hub/fixtures.ts';

const hubKey = generatePrivateKey('ecdsa-p256');
const srcKey = generatePrivateKey('ecdsa-p256');
const files: Record<string, Buffer> = {
  '/cfg/hub.pem': Buffer.from(exportPrivateKeyPem(hubKey)),
  '/cfg/src.pem': Buffer.from(exportPublicKeyPem(srcKey.publicKey)),
  '/cfg/src.der': srcKey.publicKey.spki,
  '/cfg/src.b64': Buffer.from(`${srcKey.publicKey.spki.toString('base64')}\n`),
  '/cfg/hub-pub.pem': Buffer.from(exportPublicKeyPem(hubKey.publicKey)),
};
const readFile = (p: string) => {
  const f = files[p];
  if (!f) throw Object.assign(new Error('nope'), { code: 'ENOENT' });
  return f;
};
const resolve = (text: string) => resolveHubConfig(parseHubConfig(text), { readFile, baseDir: '/cfg' });

const minimal = `
instances:
  - prefix: /gamut/
    privateKeyFile: hub.pem
    sources:
      - id: https://ct.example/log/
        kind: RFC6962STH
        publicKeyFile: src.pem
`;

function problems(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    assert.ok(isError(err, HubConfigError, 'INVALID'), `want HubConfigError, got ${err}`);
    return [...(err as HubConfigError).problems];
  }
  assert.fail('no error');
}

describe('parseHubConfig / resolveHubConfig', () => {
  it('fills the defaults and normalizes the prefix', () => {
    const c = resolve(minimal);
    assert.equal(c.host, '127.0.0.1');
    assert.equal(c.port, 16962);
    assert.equal(c.database, 'sqlite:./grapevine-data/grapevine.db');
    assert.equal(c.bodyLimit, 256 * 1024);
    assert.equal(c.maxGetEntries, 1000);
    assert.equal(c.sequencerIntervalMs, 200);
    assert.equal(c.instances[0].prefix, 'gamut');
    assert.equal(c.instances[0].mmdMs, 10_000);
    assert.ok(c.instances[0].signer.publicKey.spki.equals(hubKey.publicKey.spki));
    assert.ok(Object.isFrozen(c) && Object.isFrozen(c.instances[0]));
  });

  it('reads every field', () => {
    const vkey = 'sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8';
    const c = resolve(`
listen: "[::1]:8080"
database: postgres://u:p@db/grapevine
trustProxy: [10.0.0.0/8]
logLevel: debug
limits: { bodyBytes: 4096, maxGetEntries: 50 }
quota:
  perClient: { read: { rate: 10, burst: 20 }, write: { rate: 1, burst: 5 } }
  perSource: { write: { rate: 0.5, burst: 10 } }
sequencer: { interval: 50ms, batchSize: 128 }
instances:
  - prefix: a
    tree: hub-a-tree
    privateKeyFile: /cfg/hub.pem
    mmd: 2m
    auditLog: audit/a.jsonl
    sources:
      - { id: der, kind: UNKNOWN, publicKeyFile: src.der, name: DER key }
      - { id: b64, kind: RFC6962STH, publicKeyFile: src.b64, hash: SHA256 }
      - { id: inline, kind: GOSSIPHUB, publicKey: "${srcKey.publicKey.spki.toString('base64')}" }
      - { id: sum.golang.org, kind: GONOTARY, vkey: "${vkey}" }
      - { id: cp, kind: CHECKPOINT, vkey: "${signedNotes.cases.find((x: { id: string }) => x.id === 'witness-monkeys-5').vkeys[0]}", origin: monkeys }
`);
    assert.deepEqual(
      [c.host, c.port, c.bodyLimit, c.maxGetEntries, c.sequencerIntervalMs, c.sequencerBatchSize],
      ['::1', 8080, 4096, 50, 50, 128],
    );
    assert.deepEqual(c.trustProxy, ['10.0.0.0/8']);
    assert.equal(c.instances[0].mmdMs, 120_000);
    assert.equal(c.instances[0].auditLog, '/cfg/audit/a.jsonl');
    assert.deepEqual(
      c.instances[0].sources.map((s) => [s.id, s.kind, s.publicKey.type]),
      [
        ['der', 'UNKNOWN', 'ecdsa-p256'],
        ['b64', 'RFC6962STH', 'ecdsa-p256'],
        ['inline', 'GOSSIPHUB', 'ecdsa-p256'],
        ['sum.golang.org', 'GONOTARY', 'ed25519'],
        ['cp', 'CHECKPOINT', 'ed25519'],
      ],
    );
    assert.equal(c.quota.perSource?.write?.burst, 10);
  });

  it('lists every schema problem at once', () => {
    const p = problems(() =>
      parseHubConfig(`
bogus: 1
limits: { bodyBytes: 10 }
instances:
  - prefix: a
    privateKeyFile: k.pem
    mmd: 5
    sources:
      - { id: a, kind: TRILLIANSLR, publicKey: x }
      - { id: b, kind: UNKNOWN, publicKey: x, vkey: y }
  - prefix: b
    sources: []
`),
    );
    for (const want of [
      /^\(top\): Unrecognized key: "bogus"/,
      /^limits\.bodyBytes:/,
      /^instances\[0\]\.mmd: got 5, want a duration/,
      /^instances\[0\]\.sources\[0\]\.kind:/,
      /^instances\[0\]\.sources\[1\]: give exactly one/,
      /^instances\[1\]\.privateKeyFile:/,
      /^instances\[1\]\.sources:/,
    ]) {
      assert.ok(
        p.some((x) => want.test(x)),
        `missing ${want} in ${JSON.stringify(p)}`,
      );
    }
  });

  it('lists every cross-field problem at once', () => {
    const p = problems(() =>
      parseHubConfig(`
listen: nohost
instances:
  - { prefix: /a/, privateKeyFile: k, sources: [{ id: s, kind: UNKNOWN, publicKey: x }, { id: s, kind: UNKNOWN, publicKey: x }] }
  - { prefix: a, privateKeyFile: k, sources: [{ id: s, kind: UNKNOWN, publicKey: x }] }
  - { prefix: /, privateKeyFile: k, sources: [{ id: s, kind: UNKNOWN, publicKey: x }] }
`),
    );
    assert.equal(p.length, 5, JSON.stringify(p));
    assert.ok(p.some((x) => x.startsWith('listen:')));
    assert.ok(p.some((x) => x.startsWith('instances[0].sources[1].id: duplicate')));
    assert.ok(p.some((x) => x.startsWith('instances[1].prefix: /a is also')));
    assert.ok(p.some((x) => x.startsWith('instances[1].tree: hub-a is also')));
    assert.ok(p.some((x) => x.startsWith('instances[2].prefix: empty')));
  });

  it('lists every key problem at once: missing files, bad keys, bad vkeys, and a source with the hub key', () => {
    const p = problems(() =>
      resolve(`
instances:
  - prefix: a
    privateKeyFile: missing.pem
    sources:
      - { id: s1, kind: UNKNOWN, publicKeyFile: nope.pem }
      - { id: s2, kind: UNKNOWN, publicKey: bm90IGEga2V5 }
      - { id: s3, kind: GONOTARY, vkey: "sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ly4htXJ2p89ewJR" }
  - prefix: b
    privateKeyFile: hub.pem
    sources:
      - { id: me, kind: UNKNOWN, publicKeyFile: hub-pub.pem }
`),
    );
    assert.equal(p.length, 5, JSON.stringify(p));
    assert.match(p[0], /^instances\[0\]\.privateKeyFile: cannot read \/cfg\/missing\.pem: ENOENT/);
    assert.match(p[1], /^instances\[0\]\.sources\[0\]\.publicKeyFile: cannot read/);
    assert.match(p[2], /^instances\[0\]\.sources\[1\]: .*bad public key/);
    assert.match(p[3], /^instances\[0\]\.sources\[2\]: .*bad vkey/, 'the corrupt sum.golang.org key from the brief');
    assert.match(p[4], /^instances\[1\]\.sources\[0\]: uses the hub's own key/);
  });

  it('reports schema, cross-field and key-file problems of one file together (loadHubConfigText)', () => {
    const p = problems(() =>
      loadHubConfigText(
        `
instances:
  - { prefix: a, privateKeyFile: hub.pem, mmd: soon, sources: [{ id: s, kind: UNKNOWN, publicKeyFile: gone.pem }] }
  - { prefix: a, privateKeyFile: gone.pem, sources: [] }
`,
        { readFile, baseDir: '/cfg' },
      ),
    );
    assert.deepEqual(
      p.map((x) => x.split(':')[0]),
      [
        'instances[0].mmd',
        'instances[1].sources',
        'instances[1].prefix',
        'instances[1].tree',
        'instances[0].sources[0].publicKeyFile',
        'instances[1].privateKeyFile',
      ],
    );
  });

  it('refuses text that is not YAML', () => {
    assert.match(problems(() => parseHubConfig('a: [1, 2'))[0], /^not valid YAML/);
  });
});
