/**
 * No false alarms: honest CT logs and hubs, fed by a collector and audited,
 * raise no incident; the auditor accepts every head and entry, keeps every
 * promise, and resumes from its state after a restart.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseGetSth } from '../../src/codec/index.ts';
import { waitUntil } from '../support/wait.ts';
import { ct, hub, sctOf, submitCert, timing, world } from './world.ts';

const sthOf = async (url: string) => parseGetSth(Buffer.from(await (await fetch(`${url}/ct/v1/get-sth`)).arrayBuffer()));

describe('monitor: an honest world', () => {
  it('collector feeds the hub, auditor audits hub entries, heads and SCTs, raises nothing, and resumes after a restart', async () => {
    const w = world();
    try {
      const c1 = await ct(w, 'ct1', { mmdMs: 2000 });
      const h1 = await hub(w, 'hub1', [c1.log], { mmdMs: 2000 });
      let auditor = w.auditor({ logs: [c1.log], hubs: [h1.hub] });
      const collector = w.collector({ polls: [{ name: 'ct1', log: c1.log, timing }], destinations: [w.hubDestination(h1.hub, auditor)] });
      for (let i = 0; i < 4; i++) {
        const s = await submitCert(c1.server.url, `honest-${i}`);
        assert.equal(auditor.addPromise('ct1', sctOf(s)), true);
        await waitUntil('the CT log sequences', async () => (await sthOf(c1.server.url)).treeSize >= i + 1);
        await collector.pollOnce();
        await auditor.round();
      }
      // The SGTs the collector got are held too; wait until the hub and the log sign past every deadline.
      const last = (await sthOf(c1.server.url)).timestamp;
      await waitUntil('a CT head past the last deadline', async () => (await sthOf(c1.server.url)).timestamp > last + 2000);
      await collector.pollOnce();
      await waitUntil('hub entries sequenced', async () => {
        await auditor.round();
        return auditor.hubSize('hub1') >= 4 && (auditor.latest('ct1')?.size ?? 0) >= 4;
      });
      await waitUntil('every promise settled', async () => {
        await auditor.round();
        return auditor.pendingPromises === 0;
      });
      assert.deepEqual(
        w.sink.incidents.map((i) => i.summary),
        [],
      );
      // One more SCT, not yet due when the auditor stops.
      const late = await submitCert(c1.server.url, 'honest-late');
      auditor.addPromise('ct1', sctOf(late));
      await auditor.round();
      const size = auditor.hubSize('hub1');
      // A new auditor on the same state directory resumes where the first stopped, promise included.
      auditor = w.auditor({ logs: [c1.log], hubs: [h1.hub] });
      await auditor.open();
      assert.equal(auditor.hubSize('hub1'), size);
      assert.ok((auditor.latest('ct1')?.size ?? 0) >= 4);
      assert.equal(auditor.pendingPromises, 1);
      await waitUntil('the late promise judged', async () => {
        await auditor.round();
        return auditor.pendingPromises === 0;
      });
      assert.equal(w.sink.incidents.length, 0);
    } finally {
      await w.close();
    }
  });
});
