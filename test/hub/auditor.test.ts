/**
 * The hub's audit of its log core (trillian-personalities.md,
 * "Auditability"): a new core root is served only if it is signed, and
 * consistent with the last served root; otherwise the old root stays served
 * and an alert is raised (error log + metric).
 */
import assert from 'node:assert/strict';
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { decodeHubTreeHead } from '../../src/codec/index.ts';
import { verifySignature } from '../../src/crypto/index.ts';
import { Log, type LogStorage, Sequencer, type StoredHead } from '../../src/log/index.ts';
import {
  type CoreView,
  FileServedHeads,
  HeadAuditor,
  HeadStoreServedHeads,
  HubMetrics,
  HubService,
  HubSigner,
  type RootAlert,
} from '../../src/personalities/hub/index.ts';
import { MemoryHeadStore, openStorage } from '../../src/storage/index.ts';
import { newSigner } from '../support/keys.ts';
import { tempDir } from '../support/temp-dir.ts';

async function logWith(storage: LogStorage, name: string, signer: ReturnType<typeof newSigner>, values: string[]) {
  await Log.create(storage, name, 'hub', signer, 1000);
  const log = await Log.open(storage, name, signer);
  const seq = new Sequencer({ storage, tree: log.tree, signer, maxRootAgeMs: 0 });
  const grow = async (vs: string[]) => {
    for (const v of vs) await log.queueLeaf({ value: Buffer.from(v) });
    while ((await seq.runOnce()) > 0);
  };
  await grow(values);
  return { log, grow };
}

/** A core whose answers can be switched to another tree: the "untrusted Trillian" of the spec. */
class SwitchableCore implements CoreView {
  constructor(public target: Log) {}
  latestHead(): Promise<StoredHead> {
    return this.target.latestHead();
  }
  getConsistencyProof(a: number, b: number): Promise<Buffer[]> {
    return this.target.getConsistencyProof(a, b);
  }
}

describe('HeadAuditor', () => {
  it('serves consistent growth, refuses a forked root (alert, old root kept), and serves again once the core is honest', async () => {
    const storage = await openStorage('sqlite::memory:');
    const key = newSigner();
    const a = await logWith(storage, 'a', key, ['1', '2', '3', '4']);
    const core = new SwitchableCore(a.log);
    const alerts: RootAlert[] = [];
    const heads = new MemoryHeadStore();
    const store = new HeadStoreServedHeads(heads, 'hub:a');
    const served: number[] = [];
    const aud = new HeadAuditor({
      core,
      treeKey: key.publicKey,
      signer: new HubSigner(key),
      store,
      onAlert: (x) => alerts.push(x),
      onServe: (h) => served.push(h.size),
    });

    const first = await aud.refresh();
    assert.equal(first?.size, 4);
    assert.ok(verifySignature(key.publicKey, first?.headData as Buffer, first?.hubSignature as Buffer));
    assert.equal(decodeHubTreeHead(first?.headData as Buffer).treeSize, 4);

    await a.grow(['5']);
    assert.equal((await aud.refresh())?.size, 5, 'consistent growth is served');

    const b = await logWith(storage, 'b', key, ['1', '2', 'X', '4', '5', '6']);
    core.target = b.log; // same key, size 6, but leaf 2 differs: not an extension of what was served
    const after = await aud.refresh();
    assert.equal(after?.size, 5, 'the old root is still served');
    assert.equal(alerts.length, 1);
    assert.match(alerts[0].reason, /not consistent/);
    assert.equal(alerts[0].rejected.size, 6);
    assert.ok(aud.alerting);
    await aud.refresh();
    assert.equal(alerts.length, 1, 'one alert per refused revision');

    core.target = a.log;
    await a.grow(['6', '7']);
    assert.equal((await aud.refresh())?.size, 7);
    assert.ok(!aud.alerting);
    assert.deepEqual(served, [4, 5, 7]);
    const stored = await heads.get('hub:a');
    assert.deepEqual([stored?.revision, stored?.size], [3, 7], 'each served head swapped into the HeadStore');
    await storage.close();
  });

  it('refuses a core root that shrank, one with the same size but another hash, and one signed by another key', async () => {
    const storage = await openStorage('sqlite::memory:');
    const key = newSigner();
    const big = await logWith(storage, 'big', key, ['1', '2', '3']);
    const small = await logWith(storage, 'small', key, ['1', '2']);
    const other = await logWith(storage, 'other', key, ['1', '2', 'Z']);
    const stranger = await logWith(storage, 'stranger', newSigner(), ['1', '2', '3', '4']);
    const core = new SwitchableCore(big.log);
    const alerts: string[] = [];
    const aud = new HeadAuditor({
      core,
      treeKey: key.publicKey,
      signer: new HubSigner(key),
      store: new HeadStoreServedHeads(new MemoryHeadStore(), 'hub:x'),
      onAlert: (x) => alerts.push(x.reason),
    });
    await aud.refresh();
    for (const [target, why] of [
      [small.log, /smaller/],
      [other.log, /another hash/],
      [stranger.log, /fails its own checks/],
    ] as const) {
      core.target = target;
      assert.equal((await aud.refresh())?.size, 3);
      assert.match(alerts.at(-1) ?? '', why);
    }
    assert.equal(alerts.length, 3);
    await storage.close();
  });

  it('keeps the audit across restarts in an audit file (a torn last line is ignored)', async () => {
    const storage = await openStorage('sqlite::memory:');
    const key = newSigner();
    const a = await logWith(storage, 'a', key, ['1', '2', '3']);
    const file = join(tempDir('gv-audit-'), 'served.jsonl');
    const first = new HeadAuditor({ core: a.log, treeKey: key.publicKey, signer: new HubSigner(key), store: new FileServedHeads(file) });
    assert.equal((await first.refresh())?.size, 3);
    appendFileSync(file, '{"revision": 9, "si');
    await a.grow(['4']);
    const restarted = new HeadAuditor({
      core: a.log,
      treeKey: key.publicKey,
      signer: new HubSigner(key),
      store: new FileServedHeads(file),
    });
    assert.equal((await restarted.refresh())?.size, 4, 'the core extends the stored head: the new head is served');
    await storage.close();
  });

  it('serves nothing after a restart on a core that does not extend the stored head, says why, and serves again once it does', async () => {
    const storage = await openStorage('sqlite::memory:');
    const key = newSigner();
    const a = await logWith(storage, 'a', key, ['1', '2', '3']);
    const file = join(tempDir('gv-audit-'), 'served.jsonl');
    await new HeadAuditor({ core: a.log, treeKey: key.publicKey, signer: new HubSigner(key), store: new FileServedHeads(file) }).refresh();
    // The database was deleted ("reset"); the audit file remained. A new, empty tree with the same key.
    const fresh = await logWith(storage, 'fresh', key, []);
    const forked = await logWith(storage, 'forked', key, ['9', '2', '3', '4']);
    const core = new SwitchableCore(fresh.log);
    const alerts: RootAlert[] = [];
    const restarted = new HeadAuditor({
      core,
      treeKey: key.publicKey,
      signer: new HubSigner(key),
      store: new FileServedHeads(file),
      onAlert: (x) => alerts.push(x),
    });
    assert.equal(await restarted.refresh(), null, 'the old head is not served: the database has none of its entries');
    assert.equal(alerts.length, 1);
    assert.match(
      restarted.blocked ?? '',
      /does not extend the head this hub served before \(size 3.*database was probably lost.*Restore the database/,
    );
    core.target = forked.log;
    assert.equal(await restarted.refresh(), null, 'a larger tree that does not extend it is not served either');
    assert.match(alerts.at(-1)?.reason ?? '', /not consistent/);
    core.target = a.log; // the database is restored
    assert.equal((await restarted.refresh())?.size, 3);
    assert.equal(restarted.blocked, null);
    await storage.close();
  });

  it('fails the refresh without an alert when the core cannot answer', async () => {
    const storage = await openStorage('sqlite::memory:');
    const key = newSigner();
    const a = await logWith(storage, 'a', key, ['1', '2']);
    let failing = false;
    const core: CoreView = {
      latestHead: () => (failing ? Promise.reject(new Error('storage down')) : a.log.latestHead()),
      getConsistencyProof: (x, y) => a.log.getConsistencyProof(x, y),
    };
    const alerts: RootAlert[] = [];
    const aud = new HeadAuditor({
      core,
      treeKey: key.publicKey,
      signer: new HubSigner(key),
      store: new HeadStoreServedHeads(new MemoryHeadStore(), 'hub:x'),
      onAlert: (x) => alerts.push(x),
    });
    await aud.refresh();
    failing = true;
    await assert.rejects(aud.refresh(), /storage down/);
    assert.equal(aud.current()?.size, 2);
    assert.equal(alerts.length, 0);
    await storage.close();
  });
});

describe('HubService on a core that forks', () => {
  it('keeps serving the old head, logs the alert at error, and sets the alert metrics', async () => {
    const storage = await openStorage('sqlite::memory:');
    const key = newSigner();
    const a = await logWith(storage, 'a', key, ['1', '2', '3']);
    const b = await logWith(storage, 'b', key, ['1', 'Y', '3', '4']);
    const lines: { level: number; msg: string; alert?: string }[] = [];
    const logger = pino({ level: 'info' }, { write: (s: string) => void lines.push(JSON.parse(s)) });
    const registry = new Registry();
    const hub = new HubService({ prefix: 'gamut', log: a.log, signer: key, sources: [], metrics: new HubMetrics(registry), logger });
    await hub.start();
    const before = await hub.processGetSth({ quotaUser: null });
    // The core starts answering from a forked tree.
    a.log.latestHead = () => b.log.latestHead();
    a.log.getConsistencyProof = (x, y) => b.log.getConsistencyProof(x, y);
    const after = await hub.processGetSth({ quotaUser: null });
    assert.deepEqual(after, before);
    const alert = lines.find((l) => l.alert === 'INCONSISTENT_ROOT');
    assert.equal(alert?.level, 50, 'logged at error');
    const text = await registry.metrics();
    assert.match(text, /grapevine_hub_inconsistent_roots_total\{hub="gamut"\} 1/);
    assert.match(text, /grapevine_hub_root_alert\{hub="gamut"\} 1/);
    assert.match(text, /grapevine_hub_last_sth_treesize\{hub="gamut"\} 3/);
    assert.match(hub.readiness().detail, /ALERT/);
    await hub.stop();
    await storage.close();
  });
});
