/**
 * No false alarms: two honest CT logs and two honest hubs on SQLite files,
 * a collector and an auditor running on their own timers, concurrent
 * submitters handing every SCT and SGT to the auditor, and restarts of a CT
 * log, a hub and the auditor itself in the middle. Every head, entry and
 * promise is audited; no proof incident is raised.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { type LoopbackCt, type LoopbackHub, startCtLog, startHub, startProxy } from '../../src/cli/demo/servers.ts';
import { parseGetSth } from '../../src/codec/index.ts';
import { type Auditor, Collector, monitoredHub, monitoredLog } from '../../src/monitor/index.ts';
import { generateTestKeys } from '../../src/x509/testca/index.ts';
import { demoSet } from '../ct/fixtures.ts';
import { waitUntil } from '../support/wait.ts';
import { ctx, newKey, sctOf, submitCert, world } from './world.ts';

const MMD = 5000;
const fast = { intervalMs: 100, minIntervalMs: 20, jitter: 0.2, maxBackoffMs: 1000 };

describe('monitor: honest logs and hubs under load, with restarts', () => {
  it('raises no proof incident', async () => {
    const w = world();
    try {
      const d = await demoSet();
      const keys = await generateTestKeys();
      const ctKeys = [newKey(), newKey()];
      const hubKeys = [newKey(), newKey()];
      const db = (n: string) => `sqlite:${join(w.dir, `${n}.db`)}`;
      // Servers sit behind proxies, so a restart (new port) keeps their URL.
      const up: Record<string, string> = {};
      const proxy = await startProxy((_req, view) => ({ upstream: up[view] }));
      w.closers.push(() => proxy.close());
      const cts: LoopbackCt[] = [];
      const startCt = async (i: number) => {
        cts[i] = await startCtLog({ signer: ctKeys[i], roots: [d.root.der], mmdMs: MMD, database: db(`ct${i}`) });
        up[`ct${i}`] = cts[i].url;
      };
      await startCt(0);
      await startCt(1);
      w.closers.push(async () => {
        for (const c of cts) await c.close();
      });
      const logs = [0, 1].map((i) =>
        monitoredLog({ name: `ct${i}`, type: 'rfc6962', url: `${proxy.url}/ct${i}`, publicKey: ctKeys[i].publicKey, mmdMs: MMD }),
      );
      const hubs: LoopbackHub[] = [];
      const startH = async (i: number) => {
        hubs[i] = await startHub({
          signer: hubKeys[i],
          sources: logs.map((l) => l.hubSource(l.name)),
          mmdMs: MMD,
          prefix: `hub${i}`,
          database: db(`hub${i}`),
        });
        up[`hub${i}`] = hubs[i].url;
      };
      await startH(0);
      await startH(1);
      w.closers.push(async () => {
        for (const h of hubs) await h.close();
      });
      const byName = new Map(logs.map((l) => [l.name, l]));
      const mhubs = [0, 1].map((i) =>
        monitoredHub(
          {
            name: `hub${i}`,
            url: `${proxy.url}/hub${i}`,
            publicKey: hubKeys[i].publicKey,
            mmdMs: MMD,
            sources: logs.map((l) => ({ id: l.name, log: l.name })),
          },
          byName,
        ),
      );
      let auditor: Auditor = w.auditor({ logs, hubs: mhubs });
      const collector = new Collector({
        polls: [
          ...logs.map((log) => ({ name: log.name, log, timing: fast })),
          ...logs.map((log) => ({ name: `${log.name}@hub0`, log, via: { hub: mhubs[0], sourceId: log.name }, timing: fast })),
        ],
        destinations: mhubs.map((h) => w.hubDestination(h, { addPromise: (n: string, p: never) => auditor.addPromise(n, p) } as never)),
        ctx: ctx('load-collector'),
      });
      collector.start();
      auditor.start();
      w.closers.push(async () => {
        await collector.stop();
        await auditor.stop();
      });

      let submitted = 0;
      const submitter = async (k: number, n: number) => {
        for (let j = 0; j < n; j++) {
          const i = (k + j) % 2;
          const s = await submitCert(`${proxy.url}/ct${i}`, `load-${k}-${j}`, keys);
          auditor.addPromise(`ct${i}`, sctOf(s));
          submitted++;
        }
      };
      const load = Promise.all([0, 1, 2].map((k) => submitter(k, 12)));
      // Restarts in the middle of the load, each once the load has moved on.
      await waitUntil('load under way', () => submitted >= 10);
      await cts[0].close();
      await startCt(0);
      await waitUntil('more load', () => submitted >= 18);
      await hubs[1].close();
      await startH(1);
      await waitUntil('more load', () => submitted >= 26);
      await auditor.stop();
      auditor = w.auditor({ logs, hubs: mhubs });
      auditor.start();
      await load;
      // Drain: every log head seen by the auditor, every promise past its deadline judged.
      const sizes = await Promise.all(
        [0, 1].map(async (i) => parseGetSth(Buffer.from(await (await fetch(`${proxy.url}/ct${i}/ct/v1/get-sth`)).arrayBuffer())).treeSize),
      );
      await waitUntil(
        'the auditor catches up and judges every promise',
        () => logs.every((l, i) => (auditor.latest(l.name)?.size ?? 0) >= sizes[i]) && auditor.pendingPromises === 0,
        { stuckMs: 180_000 },
      );
      assert.equal(submitted, 36);
      assert.ok(auditor.hubSize('hub0') > 0 && auditor.hubSize('hub1') > 0);
      assert.deepEqual(
        w.sink.proofs().map((i) => i.summary),
        [],
      );
    } finally {
      await w.close();
    }
  });
});
