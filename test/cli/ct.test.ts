/**
 * Black-box tests of `grapevine ct …`: the built CLI against temp
 * directories and a `ct serve` child process.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BIN, grapevine } from '../support/cli.ts';
import { tempDir } from '../support/temp-dir.ts';

const oneLine = (s: string) => s.trim().split('\n').length === 1;

describe('grapevine ct (no server)', () => {
  const dir = tempDir('gv-ct-cli-');
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('documents every sub-command with --help', () => {
    const r = grapevine(['ct', '--help']);
    assert.equal(r.code, 0);
    for (const c of ['serve', 'sth', 'consistency', 'entries', 'audit', 'roots', 'add-chain', 'inclusion', 'test-ca']) {
      assert.match(r.stdout, new RegExp(`\\b${c}\\b`));
      assert.equal(grapevine(['ct', c, '--help']).code, 0, c);
    }
  });

  it('test-ca writes the demo chain set, refuses to overwrite, and replaces with --force', () => {
    const out = join(dir, 'ca');
    const r = grapevine(['ct', 'test-ca', '--out', out, '--log-config']);
    assert.equal(r.code, 0, r.stderr);
    const files: string[] = JSON.parse(r.stdout).files;
    for (const f of ['root.pem', 'leaf-chain.pem', 'precert-chain.pem', 'signed-precert-chain.pem', 'log-key.pem', 'ct.yaml'])
      assert.ok(files.includes(f) && existsSync(join(out, f)), f);
    assert.equal(readFileSync(join(out, 'leaf-chain.pem'), 'utf8').match(/BEGIN CERTIFICATE/g)?.length, 2);
    const again = grapevine(['ct', 'test-ca', '--out', out]);
    assert.equal(again.code, 1);
    assert.ok(oneLine(again.stderr));
    assert.equal(grapevine(['ct', 'test-ca', '--out', out, '--force', '--key-type', 'rsa-2048']).code, 0);
  });

  it('test-ca --force writes private keys 0600 over 0644 files and replaces symlinks instead of writing through them', () => {
    const out = join(dir, 'force-ca');
    mkdirSync(out);
    const victim = join(dir, 'victim.txt');
    writeFileSync(victim, 'precious');
    writeFileSync(join(out, 'root-key.pem'), 'old');
    chmodSync(join(out, 'root-key.pem'), 0o644);
    symlinkSync(victim, join(out, 'intermediate-key.pem'));
    const refused = grapevine(['ct', 'test-ca', '--out', out]);
    assert.equal(refused.code, 1, 'existing files and links are refused without --force');
    const r = grapevine(['ct', 'test-ca', '--out', out, '--force', '--log-config']);
    assert.equal(r.code, 0, r.stderr);
    for (const key of ['root-key.pem', 'intermediate-key.pem', 'leaf-key.pem', 'log-key.pem']) {
      assert.equal(statSync(join(out, key)).mode & 0o777, 0o600, key);
      assert.equal(lstatSync(join(out, key)).isSymbolicLink(), false, key);
      assert.match(readFileSync(join(out, key), 'utf8'), /BEGIN PRIVATE KEY/, key);
    }
    assert.equal(statSync(join(out, 'root.pem')).mode & 0o777, 0o644);
    assert.equal(readFileSync(victim, 'utf8'), 'precious', 'the link target is untouched');
    assert.deepEqual(
      readdirSync(out).filter((f) => f.endsWith('.tmp')),
      [],
    );
  });

  it('serve refuses a missing config, an invalid one, and a missing tree without --create-trees (exit 1, one line)', () => {
    const missing = grapevine(['ct', 'serve', '--config', join(dir, 'nope.yaml')]);
    assert.equal(missing.code, 1);
    assert.ok(oneLine(missing.stderr), missing.stderr);

    writeFileSync(join(dir, 'bad.yaml'), 'keyFile: none.pem\nroots: [none.pem]\nmmd: 10\n');
    const bad = grapevine(['ct', 'serve', '--config', join(dir, 'bad.yaml')]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /mmd/);
    assert.ok(oneLine(bad.stderr), bad.stderr);

    const ca = join(dir, 'ca');
    writeFileSync(
      join(dir, 'nocreate.yaml'),
      `listen: 127.0.0.1:0\nkeyFile: ${join(ca, 'log-key.pem')}\nroots: [${join(ca, 'root.pem')}]\ndatabase: sqlite:${join(dir, 'x.db')}\nlogLevel: silent\n`,
    );
    const nocreate = grapevine(['ct', 'serve', '--config', join(dir, 'nocreate.yaml')]);
    assert.equal(nocreate.code, 1);
    assert.match(nocreate.stderr, /start once with --create-trees \(or set createTree: true in the config\)/);
    assert.ok(oneLine(nocreate.stderr), nocreate.stderr);
  });

  it('client commands without --url are usage errors (exit 2), audit without --log-key too', () => {
    assert.equal(grapevine(['ct', 'sth']).code, 2);
    assert.equal(grapevine(['ct', 'audit', '--url', 'http://127.0.0.1:1']).code, 2);
  });

  it('an unreachable log is a failure (exit 1, one line)', () => {
    const r = grapevine(['ct', 'sth', '--url', 'http://127.0.0.1:1', '--timeout', '2000']);
    assert.equal(r.code, 1);
    assert.ok(oneLine(r.stderr), r.stderr);
  });
});

describe('grapevine ct client commands against ct serve', () => {
  const dir = tempDir('gv-ct-cli-serve-');
  const ca = join(dir, 'ca');
  let child: ChildProcess;
  let url = '';
  const key = () => join(ca, 'log-key.pub.pem');

  before(async () => {
    assert.equal(grapevine(['ct', 'test-ca', '--out', ca, '--log-config']).code, 0);
    writeFileSync(
      join(dir, 'ct.yaml'),
      `listen: 127.0.0.1:0\ndatabase: sqlite:${join(dir, 'ct.db')}\nkeyFile: ${join(ca, 'log-key.pem')}\nroots: [${join(ca, 'root.pem')}]\nmmd: 2s\nlogLevel: warn\nlimits: { maxGetEntries: 2 }\n`,
    );
    // --create-tree: the old spelling of --create-trees, still taken.
    child = spawn(process.execPath, [BIN, 'ct', 'serve', '--config', join(dir, 'ct.yaml'), '--create-tree'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    url = await new Promise<string>((resolve, reject) => {
      child.stderr?.on('data', (d: Buffer) => {
        err += d.toString();
        const m = /CT log +--url (\S+)/.exec(err);
        if (m) resolve(m[1]);
      });
      child.on('exit', (code) => reject(new Error(`exit ${code}: ${err}`)));
    });
  });
  after(async () => {
    if (child && child.exitCode === null) {
      const done = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await done;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('add-chain submits the demo chains and prints each SCT (RFC 6962 JSON, verified with --log-key) and its leaf hash', () => {
    for (const [file, pre] of [
      ['leaf-chain.pem', false],
      ['precert-chain.pem', true],
      ['signed-precert-chain.pem', true],
    ] as const) {
      const r = grapevine(['ct', 'add-chain', '--url', url, '--log-key', key(), '--chain', join(ca, file), ...(pre ? ['--pre'] : [])]);
      assert.equal(r.code, 0, r.stderr);
      const out = JSON.parse(r.stdout);
      assert.equal(out.sct_verified, true);
      assert.deepEqual(Object.keys(out.sct).sort(), ['extensions', 'id', 'sct_version', 'signature', 'timestamp']);
      assert.equal(out.sct.sct_version, 0);
      assert.equal(Buffer.from(out.sct.id, 'base64').length, 32);
      assert.equal(out.timestamp, out.sct.timestamp);
      assert.equal(out.timestamp_rfc3339, new Date(out.sct.timestamp).toISOString());
      assert.equal(Buffer.from(out.leaf_hash, 'base64').length, 32);
    }
    const plain = JSON.parse(grapevine(['ct', 'add-chain', '--url', url, '--chain', join(ca, 'leaf-chain.pem')]).stdout);
    assert.equal(plain.sct_verified, false, 'no --log-key: not checked, and said so');
    const wrong = grapevine(['ct', 'add-chain', '--url', url, '--chain', join(ca, 'precert-chain.pem')]);
    assert.equal(wrong.code, 1, 'a precertificate on add-chain is refused');
    assert.match(wrong.stderr, /PRECERT_IN_ADD_CHAIN/);
  });

  it('sth saves a verified STH; audit recomputes the root; consistency proves the saved STH a prefix', async () => {
    let sth = { tree_size: 0 };
    for (let i = 0; i < 40 && sth.tree_size < 3; i++) {
      await new Promise((r) => setTimeout(r, 100));
      const r = grapevine(['ct', 'sth', '--url', url, '--log-key', key(), '--out', join(dir, 'sth1.json')]);
      assert.equal(r.code, 0, r.stderr);
      sth = JSON.parse(r.stdout);
    }
    assert.equal(sth.tree_size, 3);
    // One more entry so consistency has something to prove.
    assert.equal(
      grapevine(['ct', 'add-chain', '--url', url, '--chain', join(ca, 'leaf.pem'), '--log-key', key()]).code,
      1,
      'a leaf alone does not reach the root',
    );
    const audit = grapevine(['ct', 'audit', '--url', url, '--log-key', key(), '--old', join(dir, 'sth1.json')]);
    assert.equal(audit.code, 0, audit.stderr);
    const a = JSON.parse(audit.stdout);
    assert.equal(a.verified, true);
    assert.equal(a.entries, 3);
    assert.equal(a.precert_entries, 2);
    const cons = grapevine(['ct', 'consistency', '--url', url, '--log-key', key(), '--old', join(dir, 'sth1.json')]);
    assert.equal(cons.code, 0, cons.stderr);
    assert.equal(JSON.parse(cons.stdout).consistent, true);
  });

  it('entries prints one JSON line per entry, paging past the log limit and stopping at the tree size', () => {
    const r = grapevine(['ct', 'entries', '--url', url, '--start', '0', '--end', '99']);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.deepEqual(
      lines.map((l) => l.index),
      [0, 1, 2],
    );
    assert.deepEqual(
      lines.map((l) => l.entry_type),
      ['x509_entry', 'precert_entry', 'precert_entry'],
    );
  });

  it('add-chain --wait prints the index once merged; inclusion proves one certificate by its chain and SCT', () => {
    const sct = join(dir, 'leaf-sct.json');
    const r = grapevine([
      'ct',
      'add-chain',
      '--url',
      url,
      '--log-key',
      key(),
      '--chain',
      join(ca, 'leaf-chain.pem'),
      '--wait',
      '--mmd',
      '2s',
      '--out',
      sct,
    ]);
    assert.equal(r.code, 0, r.stderr);
    const added = JSON.parse(r.stdout);
    assert.equal(added.included.leaf_index, 0);
    assert.equal(added.included.verified, true);
    assert.deepEqual(JSON.parse(readFileSync(sct, 'utf8')), added);
    const inc = grapevine(['ct', 'inclusion', '--url', url, '--log-key', key(), '--chain', join(ca, 'leaf-chain.pem'), '--sct', sct]);
    assert.equal(inc.code, 0, inc.stderr);
    const proven = JSON.parse(inc.stdout);
    assert.deepEqual([proven.leaf_index, proven.leaf_hash, proven.verified, proven.sct_verified], [0, added.leaf_hash, true, true]);

    // A bare RFC 6962 add-chain answer works too, for a precertificate.
    const pre = JSON.parse(grapevine(['ct', 'add-chain', '--url', url, '--chain', join(ca, 'precert-chain.pem'), '--pre']).stdout);
    writeFileSync(join(dir, 'pre-sct.json'), JSON.stringify(pre.sct));
    const p = grapevine([
      'ct',
      'inclusion',
      '--url',
      url,
      '--log-key',
      key(),
      '--pre',
      '--chain',
      join(ca, 'precert-chain.pem'),
      '--sct',
      join(dir, 'pre-sct.json'),
    ]);
    assert.equal(p.code, 0, p.stderr);
    assert.equal(JSON.parse(p.stdout).leaf_index, 1);

    // An SCT that does not belong to the chain: its signature fails over the rebuilt entry.
    const wrong = grapevine([
      'ct',
      'inclusion',
      '--url',
      url,
      '--log-key',
      key(),
      '--chain',
      join(ca, 'leaf-chain.pem'),
      '--sct',
      join(dir, 'pre-sct.json'),
    ]);
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /BAD_SIGNATURE/);
    assert.ok(oneLine(wrong.stderr), wrong.stderr);
  });

  it('prints times as the raw integer plus RFC 3339 UTC, and hashes in base64 (docs/cli.md)', () => {
    const sth = JSON.parse(grapevine(['ct', 'sth', '--url', url, '--log-key', key()]).stdout);
    assert.equal(sth.timestamp_rfc3339, new Date(sth.timestamp).toISOString());
    assert.equal(Buffer.from(sth.sha256_root_hash, 'base64').length, 32);
    assert.equal(sth.signature_verified, true);
    const e = JSON.parse(grapevine(['ct', 'entries', '--url', url, '--start', '0', '--end', '0']).stdout);
    assert.equal(e.timestamp_rfc3339, new Date(e.timestamp).toISOString());
    assert.equal(Buffer.from(e.leaf_hash, 'base64').length, 32);
  });

  it('roots prints the accepted root as PEM', () => {
    const r = grapevine(['ct', 'roots', '--url', url]);
    assert.equal(r.code, 0);
    assert.equal(r.stdout.replace(/\s+/g, ''), readFileSync(join(ca, 'root.pem'), 'utf8').replace(/\s+/g, ''));
  });

  it('audit with the wrong --log-key is invalid (exit 1, one line)', () => {
    const other = join(dir, 'other.pub.pem');
    writeFileSync(other, generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }) as string);
    const r = grapevine(['ct', 'audit', '--url', url, '--log-key', other]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /BAD_SIGNATURE/);
    assert.ok(oneLine(r.stderr), r.stderr);
  });
});
