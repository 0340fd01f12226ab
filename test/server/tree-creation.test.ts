/**
 * Issue 8 §4, tree creation races: several `grapevine serve` frontends
 * started together on one new, empty database, each with --create-trees,
 * all come up — on SQLite (one file) and on PostgreSQL (one schema). They
 * race on the schema and on creating each tree; exactly one creates each
 * tree (src/log/tree.ts: the loser of the race opens the winner's tree), and
 * every frontend then serves that one tree under the configured keys.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { CtClient } from '../../src/ct/index.ts';
import { HubClient } from '../../src/hub/index.ts';
import { createTestDatabase, PG_URL, pgSkip, type TestDatabase } from '../storage/pg-harness.ts';
import { Frontend, tearDown, writeSite } from './frontends.ts';

const FRONTENDS = 3;

async function allComeUp(database: string): Promise<void> {
  const site = await writeSite(database, 10_000);
  const fronts = Array.from({ length: FRONTENDS }, (_, i) => new Frontend(`f${i}`, site, ['--create-trees']));
  try {
    const urls = await Promise.all(fronts.map((f) => f.ready));
    for (const f of fronts) assert.equal((await fetch(`${f.url}/readyz`)).status, 200, `${f.name} ready; its log:\n${f.output()}`);
    // One tree each, created once: every frontend signs the same tree heads under the site's keys.
    const cts = await Promise.all(urls.map((url) => new CtClient({ url, logKey: site.ctKey }).getSth()));
    const hubs = await Promise.all(urls.map((url) => new HubClient({ url: `${url}/hub`, hubKey: site.hubKey }).getSth()));
    for (const [i, sth] of cts.entries()) assert.equal(sth.treeSize, 0, `CT head of ${fronts[i].name}`);
    for (const [i, sth] of hubs.entries()) assert.equal(sth.head.treeSize, 0, `hub head of ${fronts[i].name}`);
    const logs = fronts.map((f) => f.output()).join('');
    assert.equal(logs.match(/created a new tree for CT log/g)?.length, 1, 'the CT tree is created by one frontend');
    assert.equal(logs.match(/created a new tree for hub/g)?.length, 1, 'the hub tree is created by one frontend');
    for (const f of fronts) assert.deepEqual(await f.stop(), { code: 0, signal: null }, `${f.name} shuts down cleanly`);
  } finally {
    await tearDown(site, fronts);
  }
}

describe('several frontends started together with --create-trees on one new database', () => {
  it(`all ${FRONTENDS} come up on one SQLite file`, { timeout: 180_000 }, async () => {
    await allComeUp('sqlite:grapevine.db');
  });

  let db: TestDatabase | undefined;
  after(async () => db?.drop());
  it(`all ${FRONTENDS} come up on one PostgreSQL schema`, { timeout: 180_000, skip: pgSkip('the PostgreSQL creation race') }, async () => {
    assert.ok(PG_URL);
    db = await createTestDatabase('gv_create');
    await allComeUp(await db.freshSchema());
  });
});
