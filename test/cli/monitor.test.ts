/**
 * `grapevine collect` and `grapevine audit` as users run them (the built
 * binary, --once) against real servers on loopback: an honest run feeds the
 * hub and exits 0; a split view behind a proxy makes `audit --once` exit 1
 * with an evidence file that `grapevine evidence verify` accepts; a bad
 * config is one line and exit 1.
 */
import assert from 'node:assert/strict';
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { startProxy } from '../../src/cli/demo/servers.ts';
import { exportPublicKeyPem } from '../../src/crypto/index.ts';
import { ct, hub, newKey, submitCert, world } from '../monitor/world.ts';
import { grapevine, grapevineAsync } from '../support/cli.ts';
import { tempDir } from '../support/temp-dir.ts';
import { waitUntil } from '../support/wait.ts';

const dir = tempDir('grapevine-monitor-cli-');
after(() => rmSync(dir, { recursive: true, force: true }));

const hubSize = async (url: string) => {
  const j = (await (await fetch(`${url}/gossip/v0/get-sth`)).json()) as { head_data: string };
  return Number(Buffer.from(j.head_data, 'base64').readBigUInt64BE(0));
};

describe('grapevine collect / audit', () => {
  it('honest: collect --once feeds the hub, audit --once raises nothing; a split view makes audit exit 1 with verifiable evidence', async () => {
    const w = world();
    try {
      const key = newKey();
      const a = await ct(w, 'ct1', { signer: key });
      const b = await ct(w, 'ct1', { signer: key });
      for (const [c, tag] of [
        [a, 'a'],
        [b, 'b'],
      ] as const) {
        for (let i = 0; i < 3; i++) await submitCert(c.server.url, `${tag}cli${i}`);
      }
      await waitUntil('both trees sequenced', async () => {
        const s = await Promise.all(
          [a, b].map(async (c) => ((await (await fetch(`${c.server.url}/ct/v1/get-sth`)).json()) as { tree_size: number }).tree_size),
        );
        return s.every((x) => x === 3);
      });
      let split = false;
      const proxy = await startProxy((_req, view) => ({ upstream: split && view === 'audit' ? b.server.url : a.server.url }));
      w.closers.push(() => proxy.close());
      const h = await hub(w, 'hub1', [a.log]);
      writeFileSync(join(dir, 'ct.pem'), exportPublicKeyPem(key.publicKey));
      writeFileSync(join(dir, 'hub.pem'), exportPublicKeyPem(h.server.signer.publicKey));
      const config = (view: string) => `observer: cli-test
logs:
  - { name: ct1, type: rfc6962, url: "${proxy.url}/${view}", publicKeyFile: ct.pem, mmd: 10s }
hubs:
  - { name: hub1, url: "${h.server.url}", publicKeyFile: hub.pem, mmd: 10s, sources: { ct1: ct1 } }
collect:
  polls: [{ log: ct1 }]
  destinations: [{ hub: hub1 }]
audit:
  state: state
incidents:
  evidenceDir: evidence
  sinks: [{ type: jsonl, path: incidents.jsonl }]
`;
      writeFileSync(join(dir, 'collect.yaml'), config('collect'));
      writeFileSync(join(dir, 'audit.yaml'), config('audit'));
      const collected = await grapevineAsync(['collect', '--config', join(dir, 'collect.yaml'), '--once']);
      assert.equal(collected.code, 0, collected.stderr);
      await waitUntil('the hub sequences the head', async () => (await hubSize(h.server.url)) >= 1);
      const honest = await grapevineAsync(['audit', '--config', join(dir, 'audit.yaml'), '--once']);
      assert.equal(honest.code, 0, honest.stderr);
      assert.deepEqual(readdirSync(join(dir, 'evidence')), []);
      split = true;
      const caught = await grapevineAsync(['audit', '--config', join(dir, 'audit.yaml'), '--once']);
      assert.equal(caught.code, 1, caught.stderr);
      const files = readdirSync(join(dir, 'evidence'));
      assert.equal(files.length, 1);
      assert.match(files[0], /^fork-[0-9a-f]{16}\.json$/);
      const v = grapevine(['evidence', 'verify', join(dir, 'evidence', files[0]), '--key', join(dir, 'ct.pem')]);
      assert.equal(v.code, 0, v.stdout + v.stderr);
      assert.match(v.stdout, /^PROOF of fork: log ct1 signed two different trees of size 3/);
    } finally {
      await w.close();
    }
  });

  it('a config with problems: exit 1, one line naming each', () => {
    writeFileSync(join(dir, 'bad.yaml'), 'logs:\n  - { name: ct1, type: rfc6962 }\ncollect:\n  polls: [{ log: nope }]\n  interval: soon\n');
    const r = grapevine(['audit', '--config', join(dir, 'bad.yaml'), '--once']);
    assert.equal(r.code, 1);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /collect\.interval: got "soon"/);
  });
});
