/**
 * The collector hands CT heads to a real C2SP witness (src/witness): the STH
 * becomes a static-ct-api checkpoint (note signature 0x05, no private key
 * needed), `old` follows what the witness cosigned — learnt from its 409
 * answer by a collector that starts fresh — and the consistency proof comes
 * from the CT log.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseGetSth } from '../../src/codec/index.ts';
import { Collector, WitnessDestination } from '../../src/monitor/index.ts';
import { rfc6962Verifier } from '../../src/note/index.ts';
import { waitUntil } from '../support/wait.ts';
import { startWitness } from '../witness/fixtures.ts';
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
});
