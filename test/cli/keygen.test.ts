/**
 * Black-box tests: run the real CLI (`node bin/grapevine.js keygen …`) against
 * a temporary directory and check files, output and exit codes.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, lstatSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ed25519PublicKeyBytes, exportPublicKeyPem, parsePrivateKey, parsePublicKey } from '../../src/crypto/index.ts';
import { parseVkey } from '../../src/note/index.ts';
import { tempDir } from '../support/temp-dir.ts';

const BIN = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'grapevine.js');

let dir: string;
before(() => {
  dir = tempDir('grapevine-keygen-');
});
after(() => rmSync(dir, { recursive: true, force: true }));

function keygen(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, 'keygen', ...args], { cwd: dir, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const mode = (p: string) => statSync(p).mode & 0o777;

describe('grapevine keygen', () => {
  it('--type ecdsa-p256 writes a 0600 PKCS#8 PEM and prints its public key PEM (exit 0)', () => {
    const out = join(dir, 'log.key');
    const r = keygen('--type', 'ecdsa-p256', '--out', out);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(mode(out), 0o600);
    const pem = readFileSync(out, 'utf8');
    assert.match(pem, /^-----BEGIN PRIVATE KEY-----\n[\s\S]+-----END PRIVATE KEY-----\n$/);
    const key = parsePrivateKey(pem);
    assert.equal(key.type, 'ecdsa-p256');
    assert.equal(r.stdout, exportPublicKeyPem(key.publicKey), 'stdout is exactly the public key PEM');
    assert.equal(parsePublicKey(r.stdout).type, 'ecdsa-p256');
  });

  it('--type ed25519 --name prints the public key PEM and the signed-note vkey', () => {
    const out = join(dir, 'witness.key');
    const r = keygen('--type', 'ed25519', '--out', out, '--name', 'witness.example.org');
    assert.equal(r.status, 0, r.stderr);
    assert.equal(mode(out), 0o600);
    const key = parsePrivateKey(readFileSync(out, 'utf8'));
    assert.equal(key.type, 'ed25519');
    const lines = r.stdout.trimEnd().split('\n');
    const vkey = lines.pop() as string;
    assert.equal(`${lines.join('\n')}\n`, exportPublicKeyPem(key.publicKey));
    // 0x01 || 32-byte key = 33 bytes = 44 base64 characters, no padding.
    assert.match(vkey, /^witness\.example\.org\+[0-9a-f]{8}\+[A-Za-z0-9+/]{44}$/);
    // parseVkey recomputes and checks the key ID (c2sp.org/signed-note).
    const parsed = parseVkey(vkey);
    assert.equal(parsed.name, 'witness.example.org');
    assert.deepEqual(Buffer.from(parsed.key), Buffer.from(ed25519PublicKeyBytes(key.publicKey)));
  });

  it('defaults the vkey name to the --out file name without its extension', () => {
    const out = join(dir, 'my-log.pem');
    const r = keygen('--type', 'ed25519', '--out', out);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout.trimEnd().split('\n').pop() as string, /^my-log\+[0-9a-f]{8}\+/);
  });

  it('refuses to overwrite an existing file (exit 1, one line on stderr, file untouched)', () => {
    const out = join(dir, 'existing.key');
    writeFileSync(out, 'precious');
    const r = keygen('--type', 'ecdsa-p256', '--out', out);
    assert.equal(r.status, 1);
    assert.equal(r.stderr.trimEnd().split('\n').length, 1);
    assert.equal(r.stdout, '');
    assert.equal(readFileSync(out, 'utf8'), 'precious');
  });

  it('--force replaces an existing file atomically and leaves it 0600 even if it was 0644', () => {
    const out = join(dir, 'replace.key');
    writeFileSync(out, 'old');
    chmodSync(out, 0o644);
    const r = keygen('--type', 'ed25519', '--out', out, '--name', 'x', '--force');
    assert.equal(r.status, 0, r.stderr);
    assert.equal(mode(out), 0o600);
    assert.equal(parsePrivateKey(readFileSync(out, 'utf8')).type, 'ed25519');
    assert.deepEqual(
      readdirSync(dir).filter((f) => f.includes('.tmp')),
      [],
      'no temporary file left behind',
    );
  });

  it('--force replaces a symlink itself, never the file it points to; without --force a symlink is refused', () => {
    const victim = join(dir, 'victim.txt');
    writeFileSync(victim, 'not a key');
    const link = join(dir, 'linked.key');
    symlinkSync(victim, link);
    const refused = keygen('--type', 'ecdsa-p256', '--out', link);
    assert.equal(refused.status, 1);
    assert.equal(readFileSync(victim, 'utf8'), 'not a key');
    const r = keygen('--type', 'ecdsa-p256', '--out', link, '--force');
    assert.equal(r.status, 0, r.stderr);
    assert.equal(readFileSync(victim, 'utf8'), 'not a key', 'the target of the link is untouched');
    assert.equal(lstatSync(link).isSymbolicLink(), false);
    assert.equal(mode(link), 0o600);
  });

  it('names the key as log lists do on stderr: base64 SPKI and RFC 6962 log id', () => {
    const r = keygen('--type', 'ecdsa-p256', '--out', join(dir, 'listed.key'));
    assert.equal(r.status, 0, r.stderr);
    const spki = parsePublicKey(r.stdout).spki;
    assert.match(r.stderr, new RegExp(`key \\(base64 SPKI\\) +${spki.toString('base64').replace(/[+/]/g, '\\$&')}\n`));
    const logId = createHash('sha256').update(spki).digest('base64');
    assert.ok(r.stderr.includes(`log id (RFC 6962)    ${logId}`), r.stderr);
  });

  const usage: { desc: string; args: string[]; file: string }[] = [
    { desc: 'an unknown --type', args: ['--type', 'ecdsa-p384', '--out', 'u1.key'], file: 'u1.key' },
    { desc: 'a missing --type', args: ['--out', 'u2.key'], file: 'u2.key' },
    { desc: 'a missing --out', args: ['--type', 'ed25519'], file: '' },
    { desc: 'an invalid --name (a space)', args: ['--type', 'ed25519', '--out', 'u3.key', '--name', 'a b'], file: 'u3.key' },
    { desc: "a default name with a '+' in it", args: ['--type', 'ed25519', '--out', 'a+b.key'], file: 'a+b.key' },
    { desc: 'an unknown option', args: ['--type', 'ed25519', '--out', 'u4.key', '--bogus'], file: 'u4.key' },
  ];
  for (const tc of usage) {
    it(`exits 2 on ${tc.desc} and writes nothing`, () => {
      const r = keygen(...tc.args);
      assert.equal(r.status, 2, r.stderr);
      assert.equal(r.stdout, '');
      if (tc.file) assert.equal(existsSync(join(dir, tc.file)), false);
    });
  }

  it('exits 1 when the directory does not exist', () => {
    const r = keygen('--type', 'ed25519', '--out', join(dir, 'no', 'such', 'dir.key'));
    assert.equal(r.status, 1);
  });

  it('--help describes the options and exits 0', () => {
    const r = keygen('--help');
    assert.equal(r.status, 0);
    for (const opt of ['--type', '--out', '--name', '--force', 'ecdsa-p256', 'ed25519']) assert.ok(r.stdout.includes(opt), opt);
  });
});
