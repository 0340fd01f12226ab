/**
 * Every example in docs/examples/*.yaml is loaded and validated, and the
 * cheap ones are started with the built CLI, from a working directory that is
 * not the example's folder (relative paths, database included, must resolve
 * against the config file):
 *
 * - ct.yaml: `ct serve` accepts a chain that `ct test-ca` minted today (its
 *   notAfter window must not rot), and so does the config `ct test-ca
 *   --log-config --listen` writes;
 * - hub-real-logs.yaml: `hub serve` takes a real STH of Google Pilot and a
 *   real sum.golang.org checkpoint under their real keys;
 * - frontends-postgres.yaml: two `grapevine serve` frontends on one
 *   PostgreSQL database share the file, each with its own address (when
 *   GRAPEVINE_TEST_PG_URL is set).
 */
import assert from 'node:assert/strict';
import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { demoFiles } from '../../src/cli/ct-testca.ts';
import { loadCtConfigText } from '../../src/config/ct.ts';
import type { LoadOptions } from '../../src/config/fields.ts';
import { loadHubConfigText } from '../../src/config/hub.ts';
import { loadMonitorConfigText } from '../../src/config/monitor.ts';
import { loadSiteConfigText } from '../../src/config/site.ts';
import { exportPrivateKeyPem, exportPublicKeyPem, generatePrivateKey } from '../../src/crypto/index.ts';
import { certificatesFromPem } from '../../src/x509/index.ts';
import { mintDemoSet } from '../../src/x509/testca/index.ts';
import { blobBody, ctSths, signedNotes, sthSubmission } from '../hub/fixtures.ts';
import { createTestDatabase, PG_URL, pgSkip } from '../storage/pg-harness.ts';
import { BIN, grapevine } from '../support/cli.ts';
import { tempDir } from '../support/temp-dir.ts';

const EXAMPLES = fileURLToPath(new URL('../../docs/examples/', import.meta.url));
const LOADERS: Record<string, (text: string, opts: LoadOptions) => unknown> = {
  'ct.yaml': loadCtConfigText,
  'hub-real-logs.yaml': loadHubConfigText,
  'frontends-postgres.yaml': loadSiteConfigText,
  'monitor.yaml': loadMonitorConfigText,
};
/** Examples loaded by another test file (which must name them). */
const TESTED_ELSEWHERE: Record<string, string> = {
  'witness.yaml': 'test/config/witness.test.ts',
  'gossip.yaml': 'test/config/gossip.test.ts',
};
/** Variables an example needs without a default. */
const EXAMPLE_ENV: Record<string, string> = { GRAPEVINE_DB_PASSWORD: 'example-password' };

const work = tempDir('gv-examples-');
/** A working directory that is not any example's folder. */
const elsewhere = tempDir('gv-examples-cwd-');
after(() => {
  rmSync(work, { recursive: true, force: true });
  rmSync(elsewhere, { recursive: true, force: true });
});

/** The test CA's files, minted today (as `grapevine ct test-ca` mints them), once for every example. */
const caFiles = await demoFiles(await mintDemoSet());

/** A copy of an example in its own folder, with the key files and roots its comments tell an operator to make. */
function setUp(example: string): string {
  const dir = mkdtempSync(join(work, `${example.replace('.yaml', '')}-`));
  copyFileSync(join(EXAMPLES, example), join(dir, example));
  for (const sub of ['keys', 'roots', 'data', 'ca']) mkdirSync(join(dir, sub));
  for (const name of ['ct', 'hub']) {
    const key = generatePrivateKey('ecdsa-p256');
    writeFileSync(join(dir, 'keys', `${name}.pem`), exportPrivateKeyPem(key), { mode: 0o600 });
    writeFileSync(join(dir, 'keys', `${name}.pub.pem`), exportPublicKeyPem(key.publicKey));
  }
  for (const [name, text] of Object.entries(caFiles)) writeFileSync(join(dir, 'ca', name), text);
  copyFileSync(join(dir, 'ca', 'root.pem'), join(dir, 'roots', 'roots.pem'));
  return join(dir, example);
}

function load(file: string, env: Record<string, string> = EXAMPLE_ENV) {
  const loader = LOADERS[file.split('/').at(-1) as string];
  return loader(readFileSync(file, 'utf8'), { readFile: (p) => readFileSync(p), baseDir: dirname(file), env }) as Record<string, unknown>;
}

interface Running {
  readonly url: string;
  readonly child: ChildProcessByStdio<null, Readable, Readable>;
  output(): string;
  stop(): Promise<void>;
}

/** Starts the built CLI and resolves with the first loopback URL it prints (banner or log line); kills it if it exits first. */
async function start(args: string[], env: Record<string, string>, cwd = elsewhere): Promise<Running> {
  const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    const stuck = setTimeout(() => child.kill('SIGKILL'), 30_000);
    await exited;
    clearTimeout(stuck);
  };
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const onData = (d: Buffer) => {
        out += d.toString();
        const m = /http:\/\/127\.0\.0\.1:[1-9][0-9]*/.exec(out);
        if (m) resolve(m[0]);
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code} before serving: ${out}`)));
    });
    return { url, child, output: () => out, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

const pemChain = (file: string) => ({ chain: certificatesFromPem(readFileSync(file, 'latin1')).map((d) => d.toString('base64')) });

async function post(url: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const r = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: r.status, json: (await r.json()) as Record<string, unknown> };
}

describe('docs/examples', () => {
  it('has a loader for every example (none goes untested)', () => {
    const yamls = readdirSync(EXAMPLES).filter((f) => f.endsWith('.yaml'));
    assert.deepEqual(yamls.sort(), [...Object.keys(LOADERS), ...Object.keys(TESTED_ELSEWHERE)].sort());
    for (const [example, test] of Object.entries(TESTED_ELSEWHERE)) {
      assert.ok(
        readFileSync(fileURLToPath(new URL(`../../${test}`, import.meta.url)), 'utf8').includes(example),
        `${test} loads ${example}`,
      );
    }
  });

  for (const example of Object.keys(LOADERS)) {
    it(`${example} loads and validates`, () => {
      const file = setUp(example);
      const c = load(file);
      assert.ok(Object.isFrozen(c));
      if ('database' in c) {
        assert.match(String(c.database), /^(sqlite:\/|postgres:\/\/)/, 'a relative SQLite path became absolute');
        if (String(c.database).startsWith('sqlite:')) assert.ok(String(c.database).startsWith(`sqlite:${dirname(file)}/`));
      }
    });
  }

  it('ct.yaml serves from another working directory and admits a certificate the test CA minted today', async () => {
    const file = setUp('ct.yaml');
    const dir = dirname(file);
    const log = await start(['ct', 'serve', '--config', file, '--create-trees'], { GRAPEVINE_LISTEN: '127.0.0.1:0' });
    try {
      assert.ok(existsSync(join(dir, 'data', 'ct.db')), 'the database is in the config file folder');
      assert.ok(!existsSync(join(elsewhere, 'data')), 'nothing was created in the working directory');
      const r = await post(`${log.url}/ct/v1/add-chain`, pemChain(join(dir, 'ca', 'leaf-chain.pem')));
      assert.equal(r.status, 200, JSON.stringify(r.json));
      assert.equal(typeof r.json.signature, 'string');
    } finally {
      await log.stop();
    }
  });

  it('the config `ct test-ca --log-config --listen` writes serves and admits its own chains', async () => {
    const dir = join(work, 'test-ca');
    const r = grapevine(['ct', 'test-ca', '--out', dir, '--log-config', '--listen', '127.0.0.1:0']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(readFileSync(join(dir, 'ct.yaml'), 'utf8'), /^listen: 127\.0\.0\.1:0$/m);
    const bad = grapevine(['ct', 'test-ca', '--out', join(work, 'x'), '--log-config', '--listen', 'nowhere']);
    assert.equal(bad.code, 2, 'a bad --listen is a usage error');
    const log = await start(['ct', 'serve', '--config', join(dir, 'ct.yaml'), '--create-trees'], {});
    try {
      assert.ok(existsSync(join(dir, 'ct.db')));
      for (const [path, chain] of [
        ['add-chain', 'leaf-chain.pem'],
        ['add-pre-chain', 'precert-chain.pem'],
      ]) {
        const res = await post(`${log.url}/ct/v1/${path}`, pemChain(join(dir, chain)));
        assert.equal(res.status, 200, `${path}: ${JSON.stringify(res.json)}`);
      }
    } finally {
      await log.stop();
    }
  });

  it('hub-real-logs.yaml serves and takes a real Pilot STH and a real sum.golang.org checkpoint under their real keys', async () => {
    const file = setUp('hub-real-logs.yaml');
    const hub = await start(['hub', 'serve', '--config', file, '--create-trees'], { GRAPEVINE_LISTEN: '127.0.0.1:0' });
    try {
      const api = `${hub.url}/gamut/gossip/v0`;
      const pilot = ctSths.real_log_sths.find((s: { id: string }) => s.id === 'ctgo-logclient-validsth');
      const sth = sthSubmission(pilot);
      assert.equal(sth.sourceId, 'https://ct.googleapis.com/pilot/');
      const a = await post(`${api}/add-signed-blob`, blobBody(sth.sourceId, sth.blob, sth.signature));
      assert.equal(a.status, 200, JSON.stringify(a.json));

      const note = signedNotes.cases.find((c: { id: string }) => c.id === 'sumdb-6476701').note as string;
      const [text, sigs] = note.split('\n\n');
      const sig = Buffer.from(/^— sum\.golang\.org (\S+)$/m.exec(sigs)?.[1] ?? '', 'base64').subarray(4);
      const b = await post(`${api}/add-signed-blob`, blobBody('https://sum.golang.org', Buffer.from(`${text}\n`), sig));
      assert.equal(b.status, 200, JSON.stringify(b.json));
      // The same checkpoint under a Rekor shard, whose key and origin differ: refused.
      const c = await post(
        `${api}/add-signed-blob`,
        blobBody('https://rekor.sigstore.dev?treeID=3904496407287907110', Buffer.from(`${text}\n`), sig),
      );
      assert.equal(c.status, 400, JSON.stringify(c.json));
    } finally {
      await hub.stop();
    }
  });

  it('refuses a malformed --listen on every serve command as a usage error, and names it', () => {
    const file = setUp('ct.yaml');
    for (const args of [
      ['serve', '--config', file],
      ['ct', 'serve', '--config', file],
      ['hub', 'serve', '--config', file],
      ['witness', 'serve', '--config', file],
      ['gossipd', '--config', file],
    ]) {
      const r = grapevine([...args, '--listen', 'nowhere']);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /--listen.*got "nowhere", want host:port/);
      assert.equal(r.stderr.trim().split('\n').length, 1);
    }
  });

  it('frontends-postgres.yaml runs two frontends on one database from one file', {
    skip: pgSkip('two frontends from frontends-postgres.yaml'),
  }, async () => {
    assert.ok(PG_URL);
    const db = await createTestDatabase('gv_examples');
    const file = setUp('frontends-postgres.yaml');
    const env = { ...EXAMPLE_ENV, GRAPEVINE_DATABASE_URL: await db.freshSchema() };
    const frontends: Running[] = [];
    try {
      frontends.push(await start(['serve', '--config', file, '--create-trees'], { ...env, GRAPEVINE_LISTEN: '127.0.0.1:0' }));
      frontends.push(await start(['serve', '--config', file], { ...env, GRAPEVINE_LISTEN: '127.0.0.1:0' }));
      assert.notEqual(frontends[0].url, frontends[1].url);
      const sths = await Promise.all(frontends.map(async (f) => (await fetch(`${f.url}/ct/v1/get-sth`)).json()));
      const keys = await Promise.all(frontends.map(async (f) => (await fetch(`${f.url}/hub/gossip/v0/get-sth`)).status));
      assert.deepEqual(keys, [200, 200]);
      assert.ok(sths.every((s) => typeof s.tree_head_signature === 'string'));
      const r = await post(`${frontends[1].url}/ct/v1/add-chain`, pemChain(join(dirname(file), 'ca', 'leaf-chain.pem')));
      assert.equal(r.status, 200, JSON.stringify(r.json));
    } finally {
      for (const f of frontends) await f.stop();
      await db.drop();
    }
  });
});
