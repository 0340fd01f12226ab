/**
 * The gossip service inside `grapevine serve`: the demo site that
 * --init-if-missing writes runs one as a server part. Its CT log's tree
 * heads reach the service through the gossip loop, every route is a
 * TransGossip pool, and the pollination endpoint hands the log's fresh STH
 * out.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { initDataDir, loadSiteConfig } from '../../src/cli/serve.ts';
import { GossipClient } from '../../src/gossip/client.ts';
import { POLLINATION_PATH } from '../../src/gossip/transports/pollination/index.ts';
import { type Site, startSite } from '../../src/server/index.ts';
import { tempDir } from '../support/temp-dir.ts';
import { waitUntil } from '../support/wait.ts';

describe('the demo site runs a gossip service', () => {
  const dir = tempDir('gossip-site-');
  let site: Site;
  let client: GossipClient | null = null;

  before(async () => {
    const file = await initDataDir(dir);
    const config = loadSiteConfig(file);
    site = await startSite(config, { createTrees: true, port: 0, logger: pino({ level: 'silent' }) });
  });

  after(async () => {
    client?.close();
    await site.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('has the gossip service part with its peer socket in the data directory', async () => {
    assert.ok(site.gossipd);
    assert.equal(site.gossipd.addresses?.peer.path, join(dir, 'gossip.sock'));
    client = await GossipClient.connect({ path: join(dir, 'gossip.sock') });
    assert.deepEqual(await client.transports(), ['echo', 'https', 'pollination']);
  });

  it('makes every route a TransGossip pool (the CT log’s get-sth answers TransGossipEnabled: Yes)', async () => {
    const r = await fetch(`${site.url}/ct/v1/get-sth`);
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('transgossipenabled'), 'Yes');
  });

  it('gets the local CT log’s STH through the loop and hands it out by pollination', async () => {
    const service = site.gossipd?.service;
    assert.ok(service);
    await waitUntil('the loop feeding the service', () => service.pool.size > 0);
    const sth = (await (await fetch(`${site.url}/ct/v1/get-sth`)).json()) as { tree_size: number };
    const res = await fetch(`${site.url}${POLLINATION_PATH}`, { method: 'POST', body: JSON.stringify({ v1: [] }) });
    assert.equal(res.status, 200);
    const body = (await res.json()) as { v1: { tree_size: number }[] };
    assert.equal(body.v1.length, 1);
    assert.ok(body.v1[0].tree_size <= sth.tree_size);
  });
});
