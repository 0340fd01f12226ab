/**
 * The collector hands CT heads to a real C2SP witness (src/witness): the STH
 * becomes a static-ct-api checkpoint (note signature 0x05, no private key
 * needed), `old` follows what the witness cosigned — learnt from its 409
 * answer by a collector that starts fresh — and the consistency proof comes
 * from the CT log. A tiled checkpoint log's heads go as they are, with the
 * proof folded from its hash tiles.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseGetSth } from '../../src/codec/index.ts';
import { Collector, monitoredLog, WitnessDestination } from '../../src/monitor/index.ts';
import { rfc6962Verifier } from '../../src/note/index.ts';
import { waitUntil } from '../support/wait.ts';
import { serveStaticLog } from '../tiles/static-log.ts';
import { startWitness, TestLog } from '../witness/fixtures.ts';
import { ct, ctx, submitCert, timing, world } from './world.ts';

const sizeOf = async (url: string) => parseGetSth(Buffer.from(await (await fetch(`${url}/ct/v1/get-sth`)).arrayBuffer())).treeSize;

describe('monitor: witness destination', () => {
  it('gets every new CT head cosigned, resuming from the size the witness answers with 409', async () => {
    const w = world();
    try {
      const c = await ct(w, 'ct1');
      const origin = c.log.spec.origin as string;
      const witness = await startWitness({ logs: [{ origin, vkeys: [rfc6962Verifier(origin, c.server.publicKey.spki).vkey] }] });
      w.closers.push(() => witness.close());
      const collect = () =>
        new Collector({
          polls: [{ name: 'ct1', log: c.log, timing }],
          destinations: [new WitnessDestination('w1', witness.url, ctx('collector'))],
          ctx: ctx('collector'),
        });
      const first = collect();
      for (const n of [2, 5]) {
        const start = await sizeOf(c.server.url);
        for (let i = start; i < n; i++) await submitCert(c.server.url, `wit-${i}`);
        await waitUntil('sequenced', async () => (await sizeOf(c.server.url)) >= n);
        await first.pollOnce();
        const got = await witness.get(origin);
        assert.equal(got.status, 200, got.text);
        assert.equal(got.text.split('\n')[1], String(n));
      }
      // A collector that knows nothing starts at old 0, gets 409 "5", and retries with the proof 5 → 7.
      for (let i = 5; i < 7; i++) await submitCert(c.server.url, `wit-${i}`);
      await waitUntil('sequenced', async () => (await sizeOf(c.server.url)) >= 7);
      const fresh = collect();
      await fresh.pollOnce();
      assert.equal(fresh.lastError('ct1'), null);
      assert.equal((await witness.get(origin)).text.split('\n')[1], '7');
    } finally {
      await w.close();
    }
  });

  it('gets a tiled checkpoint log cosigned as it grows, each step proven from its tiles', async () => {
    const w = world();
    try {
      const log = new TestLog('tiles.example/witnessed', 3);
      const served = await serveStaticLog(log, 3);
      w.closers.push(() => served.close());
      const witness = await startWitness({ logs: [log.spec()] });
      w.closers.push(() => witness.close());
      const spec = monitoredLog({ name: 'tiled', type: 'checkpoint', url: `${served.url}/checkpoint`, vkey: log.vkey });
      const dest = new WitnessDestination('w1', witness.url, ctx('collector'));
      assert.ok(dest.accepts(spec));
      assert.equal(dest.accepts(monitoredLog({ ...spec.spec, url: `${served.url}/some.txt` })), false, 'no tiles, no proofs');
      const collector = new Collector({ polls: [{ name: 'tiled', log: spec, timing }], destinations: [dest], ctx: ctx('collector') });
      for (const n of [3, 7, 300]) {
        log.append(n - log.leaves.length);
        served.size = n;
        await collector.pollOnce();
        assert.equal(collector.lastError('tiled'), null);
        const got = await witness.get(log.origin);
        assert.equal(got.status, 200, got.text);
        assert.equal(got.text.split('\n')[1], String(n));
      }
    } finally {
      await w.close();
    }
  });
});
