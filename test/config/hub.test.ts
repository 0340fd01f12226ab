/**
 * The hub config file: schema, defaults, cross-field rules, key loading,
 * and error reports that list every problem at once.
 */
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} references in config text are the subject of these tests
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HubConfigError, loadHubConfigText, parseHubConfig, resolveHubConfig } from '../../src/config/hub.ts';
import { exportPrivateKeyDer, exportPrivateKeyPem, exportPublicKeyPem, generatePrivateKey } from '../../src/crypto/index.ts';
import { isError } from '../../src/errors.ts';
import { minimumMmdMs } from '../../src/log/index.ts';
import { formatVkey, SignatureType } from '../../src/note/index.ts';
import { ctSths, signedNotes } from '../hub/fixtures.ts';
import { readerOf } from '../support/file-reader.ts';

const hubKey = generatePrivateKey('ecdsa-p256');
const srcKey = generatePrivateKey('ecdsa-p256');
const files: Record<string, Buffer> = {
  '/cfg/hub.pem': Buffer.from(exportPrivateKeyPem(hubKey)),
  '/cfg/src.pem': Buffer.from(exportPublicKeyPem(srcKey.publicKey)),
  '/cfg/src.der': srcKey.publicKey.spki,
  '/cfg/src.b64': Buffer.from(`${srcKey.publicKey.spki.toString('base64')}\n`),
  '/cfg/hub-pub.pem': Buffer.from(exportPublicKeyPem(hubKey.publicKey)),
};
const readFile = readerOf(files);
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
    assert.equal(c.database, 'sqlite:/cfg/grapevine.db', 'the default database is next to the config file');
    assert.equal(c.poolSize, 10);
    assert.equal(c.ipv6QuotaPrefix, 64);
    assert.deepEqual(c.http, {
      requestTimeoutMs: 30_000,
      headersTimeoutMs: 10_000,
      idleTimeoutMs: 60_000,
      keepAliveTimeoutMs: 5000,
      maxConnections: 4096,
    });
    assert.equal(c.sequencerLeaseTtlMs, undefined);
    assert.equal(c.bodyLimit, 256 * 1024);
    assert.equal(c.maxGetEntries, 1000);
    assert.equal(c.sequencerIntervalMs, undefined, 'the sequencer interval follows each MMD unless set');
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
      /^bogus: unknown key \(want one of: listen, database, /,
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

describe('hub config: keys where they do not belong (issue 9 #5)', () => {
  // A real-format Go signed-note private key: PRIVATE+KEY+<name>+<key ID>+<base64(0x01 || 32-byte seed)>.
  const seed = Buffer.alloc(32, 7);
  const goPrivateKey = `PRIVATE+KEY+example.com/log+12345678+${Buffer.concat([Buffer.of(1), seed]).toString('base64')}`;
  const pemPrivate = exportPrivateKeyPem(generatePrivateKey('ecdsa-p256'));
  const derPrivateB64 = exportPrivateKeyDer(generatePrivateKey('ed25519')).toString('base64');
  const secretParts = (s: string) =>
    s
      .replace(/-----[A-Z ]+-----/g, '')
      .split(/[\s+]+/)
      .filter((x) => x.length >= 8);

  for (const [desc, field, value] of [
    ['a Go note private key in vkey', 'vkey', goPrivateKey],
    ['a PEM private key in publicKey', 'publicKey', pemPrivate],
    ['a base64 PKCS#8 private key in publicKey', 'publicKey', derPrivateB64],
    ['a PEM private key in vkey', 'vkey', pemPrivate],
  ] as const) {
    it(`refuses ${desc} without echoing it`, () => {
      const text = `instances:\n  - prefix: a\n    privateKeyFile: hub.pem\n    sources:\n      - id: s\n        kind: CHECKPOINT\n        origin: example.com/log\n        ${field}: ${JSON.stringify(value)}\n`;
      let err: unknown;
      try {
        loadHubConfigText(text, { readFile, baseDir: '/cfg' });
      } catch (e) {
        err = e;
      }
      assert.ok(isError(err, HubConfigError, 'INVALID'), String(err));
      const e = err as HubConfigError;
      assert.deepEqual(
        e.problems.map((p) => p.split(':')[0]),
        [`instances[0].sources[0].${field}`],
      );
      assert.match(e.problems[0], /private key/);
      for (const part of secretParts(value)) assert.ok(!e.message.includes(part), `the message shows ${part}`);
      assert.equal(e.cause, undefined);
    });
  }

  it('refuses a publicKeyFile that holds a private key, without echoing it', () => {
    const p = problems(() =>
      resolve('instances:\n  - prefix: a\n    privateKeyFile: hub.pem\n    sources: [{ id: s, kind: UNKNOWN, publicKeyFile: hub.pem }]\n'),
    );
    assert.equal(p.length, 1);
    assert.match(p[0], /^instances\[0\]\.sources\[0\]\.publicKeyFile: got a PEM private key, want a public key/);
    for (const part of secretParts(files['/cfg/hub.pem'].toString())) assert.ok(!p[0].includes(part));
  });

  it('keeps accepting a real public vkey and a real public key (no false alarm)', () => {
    const c = resolve(
      `instances:\n  - prefix: a\n    privateKeyFile: hub.pem\n    sources:\n      - { id: sum, kind: CHECKPOINT, origin: go.sum database tree, vkey: "sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8" }\n      - { id: pilot, kind: RFC6962STH, publicKey: "${ctSths.real_log_sths[0].log.key}" }\n`,
    );
    assert.equal(c.instances[0].sources.length, 2);
  });
});

describe('hub config: CHECKPOINT origins (issue 9 #8)', () => {
  const monkeys = signedNotes.cases.find((x: { id: string }) => x.id === 'witness-monkeys-5').vkeys[0];
  const witness = signedNotes.cases.find((x: { id: string }) => x.id === 'sigsum-cosignature-v1-valid').vkeys[0];
  const source = (extra: string) =>
    `instances:\n  - prefix: a\n    privateKeyFile: hub.pem\n    sources:\n      - { id: s, kind: CHECKPOINT, ${extra} }\n`;

  it('refuses a CHECKPOINT source without an origin: a log key', () => {
    assert.deepEqual(
      problems(() => parseHubConfig(source(`vkey: "${monkeys}"`))).map((p) => p.split(':')[0]),
      ['instances[0].sources[0].origin'],
    );
  });

  it('refuses a CHECKPOINT source without an origin: a cosigner (cosignature/v1) key', () => {
    const p = problems(() => parseHubConfig(source(`vkey: "${witness}"`)));
    assert.match(p[0], /^instances\[0\]\.sources\[0\]\.origin: a CHECKPOINT source needs the origin line of its log/);
  });

  it('accepts a cosigner key pinned to one log', () => {
    const c = resolve(source(`vkey: "${witness}", origin: example.org/log`));
    assert.equal(c.instances[0].sources[0].origin, 'example.org/log');
  });

  it('refuses a static-ct-api (0x05) vkey whose origin is not its key name', () => {
    const spki = generatePrivateKey('ecdsa-p256').publicKey.spki;
    const vkey = formatVkey({ name: 'static.example.org/2026h1', type: SignatureType.RFC6962, key: spki });
    const p = problems(() => resolve(source(`vkey: "${vkey}", origin: static.example.org/2026h2`)));
    assert.equal(p.length, 1);
    assert.match(
      p[0],
      /^instances\[0\]\.sources\[0\]\.origin: got "static\.example\.org\/2026h2", want the vkey's name "static\.example\.org\/2026h1"/,
    );
    assert.equal(
      resolve(source(`vkey: "${vkey}", origin: static.example.org/2026h1`)).instances[0].sources[0].publicKey.type,
      'ecdsa-p256',
    );
  });
});

describe('hub config: timing', () => {
  const hub = (seq: string, mmd: string) =>
    `sequencer: ${seq}\ninstances:\n  - { prefix: a, privateKeyFile: hub.pem, mmd: ${mmd}, sources: [{ id: s, kind: UNKNOWN, publicKeyFile: src.pem }] }\n  - { prefix: b, privateKeyFile: hub.pem, sources: [{ id: s, kind: UNKNOWN, publicKeyFile: src.pem }] }\n`;

  it('refuses an instance MMD that is not more than twice the sequencer interval, naming that instance', () => {
    const p = problems(() => parseHubConfig(hub('{ interval: 1s }', '2s')));
    assert.deepEqual(p, [
      'instances[0].mmd: 2000 ms is not more than twice sequencer.interval (1000 ms); want the interval below half the MMD',
    ]);
    // With the defaults (interval min(200 ms, MMD/10), lease from the MMD) an MMD is refused when a takeover
    // cannot fit in it with its margin (src/log/timing.ts, the rule the server applies at start).
    assert.match(
      problems(() => parseHubConfig(hub('{}', '400ms')))[0],
      /^instances\[0\]\.mmd: with an MMD of 400 ms a sequencer takeover takes up to/,
    );
    const min = minimumMmdMs();
    assert.equal(resolve(hub('{}', `${min}ms`)).instances[0].mmdMs, min);
    assert.match(problems(() => parseHubConfig(hub('{}', `${min - 1}ms`)))[0], /^instances\[0\]\.mmd: /);
  });

  it('takes a lease TTL and checks it against the interval and every MMD', () => {
    const c = resolve(hub('{ interval: 100ms, leaseTtl: 3s }', '10s'));
    assert.equal(c.sequencerLeaseTtlMs, 3000);
    assert.match(
      problems(() => parseHubConfig(hub('{ interval: 100ms, leaseTtl: 250ms }', '10s')))[0],
      /^sequencer\.leaseTtl: got 250 ms, want at least 3 × the interval \(300 ms\)/,
    );
    const p = problems(() => parseHubConfig(hub('{ interval: 100ms, leaseTtl: 9800ms }', '20s')));
    assert.deepEqual(
      p.map((x) => x.split(':')[0]),
      ['sequencer.leaseTtl'],
      'instance b (default MMD 10 s) cannot be taken over in time; instance a (20 s) can',
    );
    assert.match(
      p[0],
      /with an MMD of 10000 ms a sequencer takeover takes up to 9900 ms \(lease 9800 ms \+ interval 100 ms\), want at most 5000 ms.* \(instances\[1\]\.mmd\)$/,
    );
  });
});
