/**
 * The start-up lines of `grapevine serve` are usable as printed: each
 * `--url` works when pasted into its client command, and the CT log id and
 * keys are the ones a monitor's log list needs (RFC 6962 §3.2: log id =
 * SHA-256 of the SPKI).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parsePublicKey } from '../../src/crypto/index.ts';
import { grapevineAsync, type RunningCommand, startServe } from '../support/cli.ts';
import { tempDir } from '../support/temp-dir.ts';

describe('grapevine serve start-up lines', () => {
  const dir = tempDir('gv-banner-');
  const keys = join(dir, 'site', 'keys');
  let server: RunningCommand;
  let lines: { ct: RegExpExecArray; hub: RegExpExecArray };

  before(async () => {
    server = await startServe(['--data', join(dir, 'site'), '--init-if-missing', '--port', '0']);
    const ct = /^ {2}CT log +--url (\S+) +log id (\S+) +key (\S+)$/m;
    const hub = /^ {2}hub +--url (\S+) +key (\S+)$/m;
    // The lines follow the first in one write; wait for them only as long as a stuck server needs.
    for (let i = 0; i < 600 && !(ct.test(server.stderr()) && hub.test(server.stderr())); i++) await new Promise((r) => setTimeout(r, 100));
    lines = { ct: ct.exec(server.stderr()) as RegExpExecArray, hub: hub.exec(server.stderr()) as RegExpExecArray };
    assert.ok(lines.ct && lines.hub, server.stderr());
  });
  after(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('gives the CT log URL as `ct … --url` takes it', async () => {
    const r = await grapevineAsync(['ct', 'sth', '--url', lines.ct[1], '--log-key', join(keys, 'ct.pub.pem')]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).signature_verified, true);
  });

  it('gives the hub URL as `hub … --url` takes it (no doubled /gossip/v0)', async () => {
    assert.doesNotMatch(lines.hub[1], /gossip/);
    const r = await grapevineAsync(['hub', 'sth', '--url', lines.hub[1], '--hub-key', join(keys, 'hub.pub.pem')]);
    assert.equal(r.code, 0, r.stderr);
  });

  it('prints the base64 SPKI of each key and the CT log id derived from it', () => {
    const ctSpki = parsePublicKey(readFileSync(join(keys, 'ct.pub.pem'))).spki;
    assert.equal(lines.ct[3], ctSpki.toString('base64'));
    assert.equal(lines.ct[2], createHash('sha256').update(ctSpki).digest('base64'));
    assert.equal(lines.hub[2], parsePublicKey(readFileSync(join(keys, 'hub.pub.pem'))).spki.toString('base64'));
  });
});
