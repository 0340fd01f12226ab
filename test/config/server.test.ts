/**
 * The server keys every file type shares (src/config/server.ts): the
 * database path relative to the config file, overrides from --listen and
 * GRAPEVINE_DATABASE_URL, `${VAR}` in a whole file with no value of it in any
 * problem, the PostgreSQL pool, the IPv6 quota prefix and the HTTP bounds.
 */
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} references in config text are the subject of these tests
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadCtConfigText } from '../../src/config/ct.ts';
import { ConfigProblemsError } from '../../src/config/fields.ts';
import { loadHubConfigText } from '../../src/config/hub.ts';
import { databaseProblem } from '../../src/config/server.ts';
import { loadSiteConfigText } from '../../src/config/site.ts';
import { exportPrivateKeyPem, exportPublicKeyPem, generatePrivateKey } from '../../src/crypto/index.ts';
import { certificatePem, mintDemoSet } from '../../src/x509/testca/index.ts';

const ctKey = generatePrivateKey('ecdsa-p256');
const demo = await mintDemoSet();
const files: Record<string, Buffer> = {
  '/etc/gv/keys/ct.pem': Buffer.from(exportPrivateKeyPem(ctKey)),
  '/etc/gv/keys/ct.pub.pem': Buffer.from(exportPublicKeyPem(ctKey.publicKey)),
  '/etc/gv/keys/hub.pem': Buffer.from(exportPrivateKeyPem(generatePrivateKey('ed25519'))),
  '/etc/gv/ca/root.pem': Buffer.from(certificatePem(demo.root)),
};
const base = {
  baseDir: '/etc/gv',
  readFile: (p: string) => files[p] ?? assert.fail(`unexpected read of ${p}`),
};
const ct = 'keyFile: keys/ct.pem\nroots: [ca/root.pem]\n';
const site = `ct:\n  keyFile: keys/ct.pem\n  roots: [ca/root.pem]\nhub:\n  instances:\n    - { prefix: hub, privateKeyFile: keys/hub.pem, sources: [{ id: local-ct, kind: RFC6962STH, publicKeyFile: keys/ct.pub.pem }] }\n`;

function problems(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ConfigProblemsError, String(err));
    return [...err.problems];
  }
  assert.fail('accepted');
}

describe('server keys', () => {
  it('takes a relative SQLite path from the config file folder, in every file type', () => {
    assert.equal(loadCtConfigText(`${ct}database: sqlite:data/ct.db\n`, base).database, 'sqlite:/etc/gv/data/ct.db');
    assert.equal(loadCtConfigText(`${ct}database: sqlite:../shared.db\n`, base).database, 'sqlite:/etc/shared.db');
    assert.equal(loadCtConfigText(`${ct}database: sqlite:/var/lib/gv.db\n`, base).database, 'sqlite:/var/lib/gv.db');
    assert.equal(loadCtConfigText(`${ct}database: "sqlite::memory:"\n`, base).database, 'sqlite::memory:');
    assert.equal(loadCtConfigText(ct, base).database, 'sqlite:/etc/gv/grapevine.db');
    assert.equal(loadSiteConfigText(site, base).database, 'sqlite:/etc/gv/grapevine.db');
    const hub =
      'instances: [{ prefix: h, privateKeyFile: keys/hub.pem, sources: [{ id: s, kind: UNKNOWN, publicKeyFile: keys/ct.pub.pem }] }]\n';
    assert.equal(loadHubConfigText(`${hub}database: sqlite:h.db\n`, base).database, 'sqlite:/etc/gv/h.db');
  });

  it('lets --listen and GRAPEVINE_DATABASE_URL replace the file values, so N frontends share one file', () => {
    const text = `${site}listen: 127.0.0.1:8080\ndatabase: sqlite:one.db\n`;
    const a = loadSiteConfigText(text, { ...base, overrides: { listen: '10.0.0.1:8081', database: 'postgres://gv@db:5432/gv' } });
    const b = loadSiteConfigText(text, { ...base, overrides: { listen: '[::1]:8082' } });
    assert.deepEqual([a.host, a.port, a.database], ['10.0.0.1', 8081, 'postgres://gv@db:5432/gv']);
    assert.deepEqual([b.host, b.port, b.database], ['::1', 8082, 'sqlite:/etc/gv/one.db']);
    assert.equal(a.ct?.port, 8081, 'the sections get the same server settings');
    // A relative SQLite path from the environment is taken from the config file's folder too.
    assert.equal(loadCtConfigText(ct, { ...base, overrides: { database: 'sqlite:x.db' } }).database, 'sqlite:/etc/gv/x.db');
  });

  it('names the source of a bad override and never quotes a database URL', () => {
    const p = problems(() => loadCtConfigText(`${ct}database: mysql://root:hunter2@db/x\n`, { ...base, overrides: { listen: 'nowhere' } }));
    assert.deepEqual(p, [
      '--listen: got "nowhere", want host:port (all interfaces: 0.0.0.0:PORT or [::]:PORT)',
      'database: got a "mysql:" URL, want sqlite:PATH or postgres://…',
    ]);
    const q = problems(() => loadCtConfigText(ct, { ...base, overrides: { database: 'hunter2' } }));
    assert.deepEqual(q, ['GRAPEVINE_DATABASE_URL: got a value with no URL scheme, want sqlite:PATH or postgres://…']);
    assert.equal(databaseProblem('sqlite:'), 'database: got sqlite: with no path, want sqlite:PATH');
  });

  it('substitutes ${VAR} across the file, and shows no value from the environment in any problem', () => {
    const env = { DB_PASSWORD: 'pa55-w0rd-xyz', GV_LISTEN: 'bad-listen-value', PORT_BASE: '80' };
    const text = `${ct}listen: \${GV_LISTEN}\ndatabase: postgres://gv:\${DB_PASSWORD}@db/gv\nmmd: \${DB_PASSWORD}\n`;
    const p = problems(() => loadCtConfigText(text, { ...base, env }));
    assert.deepEqual(p, [
      'mmd: got "${DB_PASSWORD}", want a duration such as 500ms, 10s, 2m',
      'listen: got "${GV_LISTEN}", want host:port (all interfaces: 0.0.0.0:PORT or [::]:PORT)',
    ]);
    const ok = loadCtConfigText(`${ct}listen: 127.0.0.1:\${PORT_BASE}62\ndatabase: postgres://gv:\${DB_PASSWORD}@db/gv\n`, {
      ...base,
      env,
    });
    assert.equal(ok.port, 8062);
    assert.equal(ok.database, 'postgres://gv:pa55-w0rd-xyz@db/gv');
  });

  it('names every unset variable at once, for every file type', () => {
    for (const load of [loadCtConfigText, loadHubConfigText, loadSiteConfigText] as const) {
      const p = problems(() => load('listen: ${GV_LISTEN}\ndatabase: ${GV_DB}\nlogLevel: ${GV_LOG:-info}\n', { ...base, env: {} }));
      assert.deepEqual(p, [
        'line 1: environment variable GV_LISTEN is not set (give it a value, or a default with ${GV_LISTEN:-default})',
        'line 2: environment variable GV_DB is not set (give it a value, or a default with ${GV_DB:-default})',
      ]);
    }
  });

  it('reads the PostgreSQL pool size, the IPv6 quota prefix and the HTTP bounds', () => {
    const c = loadCtConfigText(
      `${ct}postgres: { poolSize: 25 }\nipv6QuotaPrefix: 48\nhttp: { requestTimeout: 1m, headersTimeout: 15s, idleTimeout: 2m, keepAliveTimeout: 75s, maxConnections: 5000 }\n`,
      base,
    );
    assert.equal(c.poolSize, 25);
    assert.equal(c.ipv6QuotaPrefix, 48);
    assert.deepEqual(c.http, {
      requestTimeoutMs: 60_000,
      headersTimeoutMs: 15_000,
      idleTimeoutMs: 120_000,
      keepAliveTimeoutMs: 75_000,
      maxConnections: 5000,
    });
  });

  it('refuses pool sizes, prefixes and HTTP bounds out of range', () => {
    const p = problems(() => loadCtConfigText(`${ct}postgres: { poolSize: 1 }\nipv6QuotaPrefix: 96\nhttp: { requestTimeout: 0s }\n`, base));
    assert.deepEqual(
      p.map((x) => x.split(':')[0]),
      ['postgres.poolSize', 'ipv6QuotaPrefix', 'http.requestTimeout'],
    );
    const q = problems(() => loadCtConfigText(`${ct}http: { requestTimeout: 5s, headersTimeout: 10s }\n`, base));
    assert.deepEqual(q, ['http.headersTimeout: 10000 ms is longer than http.requestTimeout 5000 ms; want at most it']);
  });
});
