/**
 * `grapevine serve`, the main job: the demo site from --init-if-missing, the
 * CT log and the hub on one port, and the gossip loop that records the CT
 * log's STHs in the hub. Real HTTP on loopback, real keys, verifying clients.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { initDataDir, loadSiteConfig } from '../../src/cli/serve.ts';
import { decodeTreeHeadSignature } from '../../src/codec/index.ts';
import { parsePublicKey } from '../../src/crypto/index.ts';
import { CtClient } from '../../src/ct/index.ts';
import type { GossipLoop } from '../../src/gossip/index.ts';
import { HubClient } from '../../src/hub/index.ts';
import { type Site, startSite } from '../../src/server/index.ts';
import { certificatesFromPem } from '../../src/x509/index.ts';
import { BIN } from '../support/cli.ts';
import { tempDir } from '../support/temp-dir.ts';
import { pollUntil } from '../support/wait.ts';

describe('grapevine serve (in process)', () => {
  const dir = join(tempDir('gv-site-'), 'data');
  let site: Site;
  let ct: CtClient;
  let hub: HubClient;

  before(async () => {
    const config = loadSiteConfig(await initDataDir(dir));
    site = await startSite(
      { ...config, gossip: { ...config.gossip, intervalMs: 0 } },
      { createTrees: true, port: 0, logger: pino({ level: 'silent' }) },
    );
    ct = new CtClient({ url: site.url, logKey: parsePublicKey(readFileSync(join(dir, 'keys', 'ct.pub.pem'))) });
    hub = new HubClient({ url: `${site.url}/hub`, hubKey: parsePublicKey(readFileSync(join(dir, 'keys', 'hub.pub.pem'))) });
  });
  after(() => site?.close());

  it('accepts the demo chain in the CT log and gossips each new STH into the hub', async () => {
    const chain = certificatesFromPem(readFileSync(join(dir, 'ca', 'leaf-chain.pem'), 'utf8'));
    await ct.addChain(chain, false);
    const sth = await pollUntil(
      'the CT log to merge the entry',
      () => ct.getSth(),
      (s) => s.treeSize >= 1,
    );
    assert.equal(sth.treeSize, 1);
    const gossip = site.gossip as GossipLoop;
    // Two targets in the demo site: the hub and the gossip service.
    assert.equal(await gossip.runOnce(), 2);
    assert.equal(await gossip.runOnce(), 0, 'an unchanged head is not submitted again within the idle interval');
    assert.equal(await gossip.runOnce(true), 2, 'a resubmitted STH is accepted (deduplicated)');

    const latest = await hub.getLatestForSource('local-ct');
    assert.ok(latest, 'the hub has an entry for the local CT log');
    const th = decodeTreeHeadSignature(latest.entry.blobData);
    assert.equal(th.treeSize, 1);
    assert.ok(th.sha256RootHash.equals(sth.sha256RootHash), 'the hub recorded exactly the STH the log serves');

    // The hub's own tree, verified by its client: heads, entries and inclusion.
    const head = await pollUntil(
      'the hub to sequence a head',
      () => hub.getSth(),
      (h) => h.head.treeSize >= 1,
    );
    assert.ok(head.head.treeSize >= 1);
    const entries = await hub.getEntries(0, head.head.treeSize - 1);
    assert.equal(entries.length, head.head.treeSize);
    await hub.proveInclusion(latest.leafHash, head);
    // The hub's audit log (demo config) records the heads it served.
    assert.ok(readFileSync(join(dir, 'hub-audit.jsonl'), 'utf8').trim().split('\n').length >= 1);
  });

  it('answers health and metrics on the same port', async () => {
    const ready = await fetch(`${site.url}/readyz`);
    assert.equal(ready.status, 200);
    const metrics = await (await fetch(`${site.url}/metrics`)).text();
    assert.match(metrics, /grapevine_log_tree_size\{tree="ct"\}/);
    assert.match(metrics, /grapevine_gossip_submissions_total\{transport="hub",result="ok"\} 2/);
  });
});

describe('grapevine serve (the binary)', () => {
  it('initializes a demo site, serves both APIs, and exits 0 on SIGTERM', { timeout: 60_000 }, async () => {
    const data = join(tempDir('gv-serve-'), 'data');
    const child = spawn(process.execPath, [BIN, 'serve', '--data', data, '--init-if-missing', '--port', '0'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        createInterface({ input: child.stderr }).on('line', (line) => {
          const m = /serving at (http:\/\/\S+)/.exec(line);
          if (m) resolve(m[1]);
        });
        child.on('exit', (code) => reject(new Error(`exited with ${code} before serving`)));
      });
      const sth = await (await fetch(`${url}/ct/v1/get-sth`)).json();
      assert.equal(typeof sth.tree_head_signature, 'string');
      assert.equal((await fetch(`${url}/hub/gossip/v0/get-sth`)).status, 200);
      const code = await new Promise<number | null>((resolve) => {
        child.on('exit', (c) => resolve(c));
        child.kill('SIGTERM');
      });
      assert.equal(code, 0);
    } finally {
      // A failure above must not leave the server running: its stderr pipe would keep this file's process alive.
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  });

  it('refuses to start without a config unless told to create one (exit 1, one line)', async () => {
    const data = join(tempDir('gv-serve-'), 'none');
    const child = spawn(process.execPath, [BIN, 'serve', '--data', data], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    assert.equal(code, 1);
    assert.match(err, /no config file .*--init-if-missing/);
    assert.equal(err.trim().split('\n').length, 1);
  });
});
