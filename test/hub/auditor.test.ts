/**
 * The hub's audit of its log core (trillian-personalities.md,
 * "Auditability"): a new core root is served only if it is signed, and
 * consistent with the last served root; otherwise the old root stays served
 * and an alert is raised (error log + metric).
 */
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { decodeHubTreeHead } from '../../src/codec/index.ts';
import { verifySignature } from '../../src/crypto/index.ts';
import { Log, type LogStorage, Sequencer, type TreeHead } from '../../src/log/index.ts';
import {
  type CoreView,
  FileServedHeads,
  HeadAuditor,
  HubMetrics,
  HubService,
  HubSigner,
  MemoryServedHeads,
  type RootAlert,
} from '../../src/personalities/hub/index.ts';
import { openStorage } from '../../src/storage/index.ts';
import { newSigner } from './fixtures.ts';

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
  latestHead(): Promise<TreeHead> {
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
    const store = new MemoryServedHeads();
    const aud = new HeadAuditor({ core, treeKey: key.publicKey, signer: new HubSigner(key), store, onAlert: (x) => alerts.push(x) });

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
    assert.deepEqual(
      store.all().map((h) => h.size),
      [4, 5, 7],
    );
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
      store: new MemoryServedHeads(),
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
    const b = await logWith(storage, 'b', key, ['9', '2', '3', '4']);
    const file = join(mkdtempSync(join(tmpdir(), 'gv-audit-')), 'served.jsonl');
    const first = new HeadAuditor({ core: a.log, treeKey: key.publicKey, signer: new HubSigner(key), store: new FileServedHeads(file) });
    assert.equal((await first.refresh())?.size, 3);
    appendFileSync(file, '{"revision": 9, "si');
    const alerts: RootAlert[] = [];
    const restarted = new HeadAuditor({
      core: b.log,
      treeKey: key.publicKey,
      signer: new HubSigner(key),
      store: new FileServedHeads(file),
      onAlert: (x) => alerts.push(x),
    });
    const served = await restarted.refresh();
    assert.equal(served?.size, 3, 'after a restart the hub still serves the last audited root');
    assert.equal(alerts.length, 1);
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
      store: new MemoryServedHeads(),
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
