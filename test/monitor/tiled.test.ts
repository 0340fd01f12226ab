/**
 * Checkpoint logs served as tiles (c2sp.org/tlog-tiles, and Go sumdb's
 * layout): the auditor proves consistency between heads of different sizes
 * from the log's own hash tiles, so a fork at different sizes is proof
 * (kind `inconsistent`, which `grapevine evidence verify` accepts), and an
 * honest log that grows raises nothing. The logs are static files over
 * loopback HTTP signed with a real Ed25519 note key; the second view of the
 * log reaches the auditor as a collector's poll would hand it over.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Incident } from '../../src/evidence/index.ts';
import { type Auditor, monitoredLog, pollLog } from '../../src/monitor/index.ts';
import type { TileLayout } from '../../src/tiles/index.ts';
import { grapevine } from '../support/cli.ts';
import { serveStaticLog } from '../tiles/static-log.ts';
import { TestLog } from '../witness/fixtures.ts';
import { ctx, type World, world } from './world.ts';

const path = (layout: TileLayout) => (layout === 'sumdb' ? 'latest' : 'checkpoint');

async function rounds(w: World, auditor: Auditor, n: number): Promise<Incident[]> {
  for (let r = 0; r < n; r++) await auditor.round();
  return w.sink.incidents;
}

describe('monitor: tiled checkpoint logs, proven from their tiles', () => {
  for (const [layout, small, large] of [
    ['tlog-tiles', 5, 7],
    ['tlog-tiles', 4, 300],
    ['sumdb', 5, 7],
  ] as const) {
    it(`catches a fork at sizes ${small} and ${large} (${layout}${small === 4 ? ': a power of two, by the inclusion of leaf 3' : ''})`, async () => {
      const w = world();
      try {
        const honest = new TestLog('tiles.example/log', small);
        const forked = honest.fork(3, large - 3);
        const a = await serveStaticLog(honest, small, layout);
        const b = await serveStaticLog(forked, large, layout);
        w.closers.push(
          () => a.close(),
          () => b.close(),
        );
        const log = monitoredLog({ name: 'tiled', type: 'checkpoint', url: `${b.url}/${path(layout)}`, vkey: honest.vkey });
        const auditor = w.auditor({ logs: [log], hubs: [], pollLogs: true });
        auditor.observe('tiled', await pollLog(monitoredLog({ ...log.spec, url: `${a.url}/${path(layout)}` }), ctx('test-collector')));
        const found = await rounds(w, auditor, 2);
        const i = found.find((x) => x.category === 'inconsistent');
        assert.ok(i, `no inconsistent incident: ${JSON.stringify(found.map((x) => x.summary))}`);
        assert.equal(i.class, 'proof');
        assert.equal(
          (i.evidence as { consistency: { method: string } }).consistency.method,
          small === 4 ? 'inclusion-proof' : 'consistency-proof',
        );
        const r = grapevine(['evidence', 'verify', `${w.dir}/evidence/${i.id}.json`]);
        assert.equal(r.code, 0, `${r.stdout}${r.stderr}`);
        assert.match(r.stdout, /^PROOF of inconsistent: /);
      } finally {
        await w.close();
      }
    });
  }

  it('raises nothing for an honest tiled log that grows, and proves each step from its tiles', async () => {
    const w = world();
    try {
      const log0 = new TestLog('tiles.example/honest', 5);
      const served = await serveStaticLog(log0, 5);
      w.closers.push(() => served.close());
      const log = monitoredLog({ name: 'honest', type: 'checkpoint', url: `${served.url}/checkpoint`, vkey: log0.vkey });
      const auditor = w.auditor({ logs: [log], hubs: [], pollLogs: true });
      await auditor.round();
      for (const size of [7, 256, 300, 513]) {
        log0.append(size - log0.leaves.length);
        served.size = size;
        const before = served.requests;
        await auditor.round();
        assert.equal(auditor.latest('honest')?.size, size);
        assert.ok(served.requests > before + 1, 'the step was proven from tiles');
      }
      assert.deepEqual(
        w.sink.incidents.map((i) => i.summary),
        [],
      );
    } finally {
      await w.close();
    }
  });
});
