/**
 * Sites (src/server/site.ts): `grapevine serve`, `ct serve` and `hub serve`
 * are one builder, so what a section configures reaches its part in every
 * one of them. Each case here was a defect of `grapevine serve` (issue 10 §1):
 * it ignored the sections' body limits and trustProxy, registered fewer
 * readiness checks than the standalone servers, and the hub's sequencer
 * timing ignored its MMD.
 */
import assert from 'node:assert/strict';
import { cpSync, existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import { startCtServer } from '../../src/cli/ct-serve.ts';
import { startHubServer } from '../../src/cli/hub-serve.ts';
import { initDataDir, loadSiteConfig } from '../../src/cli/serve.ts';
import { isError, SetupError } from '../../src/errors.ts';
import type { GossipLoop } from '../../src/gossip/index.ts';
import { type Site, startSite } from '../../src/server/index.ts';
import { tempDir } from '../support/temp-dir.ts';

const logger = pino({ level: 'silent' });
const quiet = { createTrees: true, port: 0, logger, listen: false } as const;

/** One demo data directory (keys, test CA, config), minted once and copied per site. */
let template: Promise<string> | null = null;

/** A copy of the demo data directory with YAML added at the top and into each section of its config. */
async function site(o: { top?: string; ct?: string; hub?: string; mmd?: string } = {}): Promise<string> {
  template ??= initDataDir(join(tempDir('gv-site-'), 'template')).then(dirname);
  const dir = join(tempDir('gv-site-'), 'data');
  cpSync(await template, dir, { recursive: true });
  const file = join(dir, 'grapevine.yaml');
  const text =
    (o.top ?? '') +
    readFileSync(file, 'utf8')
      .replace('\nct:\n', `\nct:\n${o.ct ?? ''}`)
      .replace('hub:\n  instances:', `hub:\n${o.hub ?? ''}  instances:`)
      .replace('      mmd: 10s', `      mmd: ${o.mmd ?? '10s'}`);
  writeFileSync(file, text);
  return file;
}

const blob = (n: number) => JSON.stringify({ source_id: 'local-ct', blob_data: 'x'.repeat(n), src_signature: 'AA==' });
const chain = (n: number) => JSON.stringify({ chain: ['x'.repeat(n)] });

describe('grapevine serve (a site of both sections)', () => {
  it("gives each section's routes its own body limit", async () => {
    const s = await startSite(
      loadSiteConfig(await site({ ct: '  limits: { bodyBytes: 8192 }\n', hub: '  limits: { bodyBytes: 2048 }\n' })),
      quiet,
    );
    try {
      const post = (url: string, payload: string) => s.app.inject({ method: 'POST', url, payload });
      // Under the limit: refused by the personality (400), not by the body limit.
      assert.equal((await post('/hub/gossip/v0/add-signed-blob', blob(1900))).statusCode, 400);
      assert.equal((await post('/hub/gossip/v0/add-signed-blob', blob(2100))).statusCode, 413);
      assert.equal((await post('/ct/v1/add-chain', chain(8000))).statusCode, 400);
      assert.equal((await post('/ct/v1/add-chain', chain(8300))).statusCode, 413);
    } finally {
      await s.close();
    }
  });

  it('believes X-Forwarded-For for quotas with trustProxy, and not otherwise', async () => {
    const quota = '  quota: { perClient: { read: { rate: 0.001, burst: 1 } } }\n';
    const sthFrom = (s: Site, ip: string) =>
      s.app.inject({ url: '/hub/gossip/v0/get-sth', remoteAddress: '10.0.0.1', headers: { 'x-forwarded-for': ip } });
    const trusting = await startSite(loadSiteConfig(await site({ top: 'trustProxy: true\n', hub: quota })), quiet);
    try {
      assert.equal((await sthFrom(trusting, '192.0.2.1')).statusCode, 200);
      assert.equal((await sthFrom(trusting, '192.0.2.2')).statusCode, 200, 'another forwarded client has its own bucket');
      assert.equal((await sthFrom(trusting, '192.0.2.1')).statusCode, 429);
    } finally {
      await trusting.close();
    }
    const plain = await startSite(loadSiteConfig(await site({ hub: quota })), quiet);
    try {
      assert.equal((await sthFrom(plain, '192.0.2.1')).statusCode, 200);
      assert.equal((await sthFrom(plain, '192.0.2.2')).statusCode, 429, 'the header is ignored: one proxy address, one bucket');
    } finally {
      await plain.close();
    }
  });

  it('gives the server its http: bounds and buckets IPv6 clients per ipv6QuotaPrefix, in every kind of site', async () => {
    const top =
      'ipv6QuotaPrefix: 48\nhttp: { requestTimeout: 20s, headersTimeout: 7s, idleTimeout: 40s, keepAliveTimeout: 3s, maxConnections: 123 }\n';
    const config = loadSiteConfig(await site({ top, hub: '  quota: { perClient: { read: { rate: 0.001, burst: 1 } } }\n' }));
    const both = await startSite(config, quiet);
    const hubOnly = await startHubServer({ ...(config.hub as NonNullable<typeof config.hub>), database: 'sqlite::memory:' }, quiet);
    try {
      for (const s of [both, hubOnly]) {
        const srv = s.app.server;
        assert.deepEqual([srv.requestTimeout, srv.headersTimeout, srv.keepAliveTimeout, srv.maxConnections], [20_000, 7_000, 3_000, 123]);
        const sth = (ip: string) => s.app.inject({ url: '/hub/gossip/v0/get-sth', remoteAddress: ip });
        assert.equal((await sth('2001:db8:1:1::1')).statusCode, 200);
        assert.equal((await sth('2001:db8:1:2::1')).statusCode, 429, 'another /64 of the same /48 shares its bucket');
        assert.equal((await sth('2001:db8:2::1')).statusCode, 200, 'another /48 has its own');
      }
    } finally {
      await Promise.all([both.close(), hubOnly.close()]);
    }
  });

  it('checks in /readyz everything the standalone CT and hub servers check', async () => {
    const file = await site();
    const both = await startSite(loadSiteConfig(file), quiet);
    const config = loadSiteConfig(file);
    const ct = await startCtServer({ ...(config.ct as NonNullable<typeof config.ct>), database: 'sqlite::memory:' }, quiet);
    const hub = await startHubServer({ ...(config.hub as NonNullable<typeof config.hub>), database: 'sqlite::memory:' }, quiet);
    try {
      const names = async (s: Site) => Object.keys((await s.app.inject({ url: '/readyz' })).json().checks).sort();
      const standalone = [...new Set([...(await names(ct)), ...(await names(hub))])].sort();
      // The demo site also runs a witness, which the standalone servers do not.
      assert.deepEqual(await names(both), [...standalone, 'witness:state'].sort());
      assert.deepEqual(standalone, ['ct:ct', 'hub:hub', 'sequencer:ct', 'sequencer:hub-hub', 'storage']);
    } finally {
      await Promise.all([both.close(), ct.close(), hub.close()]);
    }
  });

  it("times each hub's sequencer from its own MMD", async () => {
    const s = await startSite(loadSiteConfig(await site({ mmd: '4s' })), quiet);
    try {
      const t = s.hubs?.hubs[0].tree.timing;
      assert.deepEqual([t?.intervalMs, t?.leaseTtlMs, t?.maxRootAgeMs, t?.watchIntervalMs], [200, 1800, 4000, 400]);
    } finally {
      await s.close();
    }
  });

  it('refuses at start a hub MMD too short for its sequencer to take over in time (whatever the config file allowed)', async () => {
    const config = loadSiteConfig(await site());
    const hub = config.hub as NonNullable<typeof config.hub>;
    const short = { ...config, hub: { ...hub, instances: [{ ...hub.instances[0], mmdMs: 1000 }] } };
    await assert.rejects(
      startSite(short, quiet),
      (e: Error) => isError(e, SetupError, 'BAD_CONFIG') && /MMD: with an MMD of 1000 ms a sequencer takeover/.test(e.message),
    );
    // The config file refuses it with the same rule.
    await assert.rejects(async () => loadSiteConfig(await site({ mmd: '1s' })), /hub\.instances\[0\]\.mmd: with an MMD of 1000 ms/);
  });

  it('refuses a missing tree without --create-trees, naming that flag', async () => {
    await assert.rejects(
      startSite(loadSiteConfig(await site()), { ...quiet, createTrees: false }),
      (e: Error) => isError(e, SetupError, 'MISSING_TREE') && /start once with --create-trees to create it/.test(e.message),
    );
  });
});

describe('a site whose database was lost while the hub audit file remained', () => {
  it('serves no hub head, reports not-ready saying what happened and what to do, and serves again once the database is back', async () => {
    const file = await site();
    const db = join(dirname(file), 'grapevine.db');
    const first = await startSite(loadSiteConfig(file), quiet);
    try {
      assert.ok((await (first.gossip as GossipLoop).runOnce()) >= 1);
      // Stuck-server bound only.
      for (const limit = Date.now() + 60_000; (first.hubs?.hubs[0].hub.servedHead()?.size ?? 0) < 1; ) {
        assert.ok(Date.now() < limit, 'the hub served the gossiped STH');
        await first.hubs?.hubs[0].hub.refresh();
        await new Promise((r) => setTimeout(r, 20));
      }
    } finally {
      await first.close();
    }
    // "Reset": the database is moved away (with SQLite's side files, if any).
    const move = (from: string, to: string) => {
      for (const x of ['', '-wal', '-shm']) if (existsSync(`${from}${x}`)) renameSync(`${from}${x}`, `${to}${x}`);
    };
    move(db, `${db}.saved`);
    const reset = await startSite(loadSiteConfig(file), quiet);
    try {
      const ready = await reset.app.inject({ url: '/readyz' });
      assert.equal(ready.statusCode, 503);
      assert.match(ready.json().checks['hub:hub'], /^FAIL: the core's tree \(size 0\) does not extend the head this hub served before/);
      assert.match(ready.json().checks['hub:hub'], /Restore the database; or, if this hub really starts anew, move the audit file away/);
      const sth = await reset.app.inject({ url: '/hub/gossip/v0/get-sth' });
      assert.equal(sth.statusCode, 503);
      assert.equal(sth.json().error, 'NOT_SERVING');
      assert.equal(ready.json().checks['ct:ct'], 'accepting', 'the CT log has no audit file: it starts anew');
    } finally {
      await reset.close();
    }
    for (const x of ['', '-wal', '-shm']) rmSync(`${db}${x}`, { force: true });
    move(`${db}.saved`, db);
    const restored = await startSite(loadSiteConfig(file), { ...quiet, createTrees: false });
    try {
      assert.equal((await restored.app.inject({ url: '/readyz' })).statusCode, 200);
      assert.ok((restored.hubs?.hubs[0].hub.servedHead()?.size ?? 0) >= 1);
    } finally {
      await restored.close();
    }
  });
});
