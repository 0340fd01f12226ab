/**
 * Black-box tests of `grapevine hub …`: the real binary serving a config
 * against a temp SQLite file, and the verifying client against it. Every
 * failure must be exit 1 (2 for usage) with exactly one line on stderr.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { exportPrivateKeyPem, exportPublicKeyPem, generatePrivateKey } from '../../src/crypto/index.ts';
import { BIN, grapevine } from '../support/cli.ts';
import { tempDir } from '../support/temp-dir.ts';
import { ctSths, signedNotes } from './fixtures.ts';

const dir = tempDir('gv-hub-cli-');
const f = (name: string) => join(dir, name);
const hubKey = generatePrivateKey('ecdsa-p256');
const pilot = ctSths.real_log_sths[0];
const sumdb = signedNotes.cases.find((c: { id: string }) => c.id === 'sumdb-6476701');
const sumdbVkey = 'sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8';

writeFileSync(f('hub.pem'), exportPrivateKeyPem(hubKey));
writeFileSync(f('hub.pub'), exportPublicKeyPem(hubKey.publicKey));
writeFileSync(f('other.pub'), exportPublicKeyPem(generatePrivateKey('ecdsa-p256').publicKey));
writeFileSync(f('pilot.b64'), pilot.log.key);
writeFileSync(f('sth.json'), JSON.stringify(pilot.sth));
const unknown = ctSths.negative_sths.find((x: { id: string }) => x.id === 'ctgo-gossip-unknownlog');
writeFileSync(f('aviator.b64'), unknown.log.key);
writeFileSync(f('unknown-log-id.json'), JSON.stringify({ ...unknown.sth, sth_version: 0, log_id: unknown.pollination_log_id }));
const tampered = ctSths.negative_sths.find((x: { id: string }) => x.id === 'derived-aviator-final-size+1');
writeFileSync(f('tampered.json'), JSON.stringify(tampered.sth));
writeFileSync(f('sumdb.note'), sumdb.note);
const config = (extra = '') => `
listen: 127.0.0.1:0
database: sqlite:${f('hub.db')}
logLevel: info
sequencer: { interval: 50ms }
instances:
  - prefix: gamut
    privateKeyFile: hub.pem
    mmd: 5s
    sources:
      - { id: "${pilot.log.url}", kind: RFC6962STH, publicKeyFile: pilot.b64 }
      - { id: "${unknown.log.url}", kind: RFC6962STH, publicKeyFile: aviator.b64 }
      - { id: sum.golang.org, kind: GONOTARY, vkey: "${sumdbVkey}" }
${extra}`;
writeFileSync(f('hub.yaml'), config());

function oneLine(r: { code: number | null; stderr: string }, code: number, match?: RegExp): void {
  assert.equal(r.code, code, r.stderr);
  assert.equal(r.stderr.trim().split('\n').length, 1, `one line, got: ${r.stderr}`);
  if (match) assert.match(r.stderr, match);
}

/** Starts `hub serve` and resolves with its URL once it listens. */
function serve(args: string[]): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [BIN, 'hub', 'serve', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL'); // not left running to hold this file's process open
      reject(new Error(`server did not start: ${buf}`));
    }, 90_000);
    child.stdout?.on('data', (d: Buffer) => {
      buf += d.toString();
      const m = /"url":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(buf);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: `${m[1]}/gamut` });
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited ${code}: ${buf}`));
    });
  });
}

describe('grapevine hub serve', () => {
  it('refuses to create a missing tree without --create-trees, and says to pass it (exit 1, one line)', () => {
    oneLine(grapevine(['hub', 'serve', '--config', f('hub.yaml')]), 1, /does not exist; start once with --create-trees to create it$/m);
  });

  it('reports every config problem in one line (exit 1)', () => {
    writeFileSync(f('bad.yaml'), `${config()}  - prefix: gamut\n    privateKeyFile: nope.pem\n    sources: []\n`);
    const r = grapevine(['hub', 'serve', '--config', f('bad.yaml')]);
    oneLine(r, 1, /4 problem\(s\): /);
    for (const want of [
      /instances\[1\]\.prefix: \/gamut is also/,
      /instances\[1\]\.privateKeyFile: cannot read/,
      /instances\[1\]\.sources: /,
    ])
      assert.match(r.stderr, want);
  });

  it('answers usage errors with exit 2', () => {
    assert.equal(grapevine(['hub', 'serve']).code, 2);
  });
});

describe('grapevine hub client against a served hub', () => {
  let server: { child: ChildProcess; url: string };
  const hub = (cmd: string, ...args: string[]) => grapevine(['hub', cmd, '--url', server.url, '--hub-key', f('hub.pub'), ...args]);
  before(async () => {
    // --init: the old spelling of --create-trees, still taken.
    server = await serve(['--config', f('hub.yaml'), '--init']);
  });
  after(async () => {
    if (server.child.exitCode === null) {
      server.child.kill('SIGKILL');
    }
  });

  it('sth: prints the verified head', () => {
    const r = hub('sth');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).tree_size, 0);
  });

  it('submit-sth: submits the real Pilot STH, verifies the SGT and waits for inclusion', () => {
    const r = hub('submit-sth', '--source', pilot.log.url, '--sth', f('sth.json'), '--log-key', f('pilot.b64'), '--wait');
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.source_id, pilot.log.url);
    assert.equal(out.included.leaf_index, 0);
  });

  it('submit-sth: refuses an STH whose log_id is not the key (exit 1, one line)', () => {
    oneLine(
      hub('submit-sth', '--source', unknown.log.url, '--sth', f('unknown-log-id.json'), '--log-key', f('aviator.b64')),
      1,
      /LOG_ID_MISMATCH/,
    );
  });

  it('submit-sth: refuses a tampered STH before submitting it (exit 1, one line)', () => {
    oneLine(hub('submit-sth', '--source', unknown.log.url, '--sth', f('tampered.json'), '--log-key', f('aviator.b64')), 1, /BAD_SIGNATURE/);
  });

  it('submit-checkpoint: submits the real sum.golang.org checkpoint as the original notary_submit did', () => {
    const r = hub('submit-checkpoint', '--source', 'sum.golang.org', '--note', f('sumdb.note'), '--vkey', sumdbVkey, '--wait');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).included.leaf_index, 1);
  });

  it('entries: verifies inclusion and source signatures of each entry', () => {
    const r = hub('entries', '--start', '0', '--end', '1');
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.deepEqual(
      lines.map((l) => [l.index, l.source_id, l.source_signature_verified]),
      [
        [0, pilot.log.url, true],
        [1, 'sum.golang.org', true],
      ],
    );
    assert.equal(lines[0].tree_size, pilot.sth.tree_size);
  });

  it('latest, inclusion and consistency: verified', () => {
    const l = hub('latest', '--source', 'sum.golang.org');
    assert.equal(l.code, 0, l.stderr);
    assert.deepEqual(JSON.parse(l.stdout).included, { leaf_index: 1, tree_size: 2 });
    const i = hub('inclusion', '--leaf-hash', JSON.parse(l.stdout).leaf_hash);
    assert.equal(i.code, 0, i.stderr);
    assert.equal(JSON.parse(i.stdout).verified, true);
    const first = JSON.parse(hub('entries', '--start', '0', '--end', '0').stdout.trim());
    const c = hub('consistency', '--old-size', '1', '--old-root', first.leaf_hash);
    assert.equal(c.code, 0, c.stderr);
    assert.equal(JSON.parse(c.stdout).verified, true);
    oneLine(hub('consistency', '--old-size', '1', '--old-root', '00'.repeat(32)), 1, /verification failed: consistency/);
    assert.equal(hub('latest', '--source', unknown.log.url).code, 0, 'no entry yet is not a failure');
  });

  it('sources: lists each source with a parsed key', () => {
    const r = hub('sources');
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(
      JSON.parse(r.stdout).map((s: { id: string; key_type: string }) => [s.id, s.key_type]),
      [
        [pilot.log.url, 'ecdsa-p256'],
        [unknown.log.url, 'ecdsa-p256'],
        ['sum.golang.org', 'ed25519'],
      ],
    );
  });

  it('refuses heads signed by another key than --hub-key (exit 1, one line), and needs a key at all (exit 2)', () => {
    oneLine(
      grapevine(['hub', 'sth', '--url', server.url, '--hub-key', f('other.pub')]),
      1,
      /verification failed: get-sth: hub signature does not verify/,
    );
    oneLine(grapevine(['hub', 'sth', '--url', server.url]), 2, /need --hub-key/);
  });

  it('pins the hub key on first use and refuses a different key later', () => {
    const pin = f('pins.json');
    assert.equal(grapevine(['hub', 'sth', '--url', server.url, '--pin', pin, '--hub-key', f('hub.pub')]).code, 0);
    assert.equal(grapevine(['hub', 'sth', '--url', server.url, '--pin', pin]).code, 0, 'the pinned key is used');
    oneLine(grapevine(['hub', 'sth', '--url', server.url, '--pin', pin, '--hub-key', f('other.pub')]), 1, /differs from the key pinned/);
  });

  it('fails with one line when the hub cannot be reached', () => {
    oneLine(grapevine(['hub', 'sth', '--url', 'http://127.0.0.1:1/gamut', '--hub-key', f('hub.pub')]), 1, /cannot reach/);
  });

  it('shuts down gracefully on SIGTERM (exit 0)', async () => {
    const exited = new Promise<number | null>((r) => server.child.on('exit', (code) => r(code)));
    server.child.kill('SIGTERM');
    assert.equal(await exited, 0);
  });
});
