/**
 * The feeder's sources against real logs on loopback, into a real witness:
 * a Go-sumdb-layout tiled log (/latest, tile/8/…), a Grapevine CT log read
 * over RFC 6962 (get-sth turned into a checkpoint with the RFC 6962 note
 * signature, get-sth-consistency), a log that forks (every witness refuses
 * it), and a log whose checkpoint is not signed by its key (never fed).
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { ed25519NoteSigner, rfc6962Verifier } from '../../src/note/index.ts';
import { feedSourceOf, tiledSource, WitnessClient, WitnessFeeder, witnessLog } from '../../src/witness/index.ts';
import { demoSet, newCtApp } from '../ct/fixtures.ts';
import { testSigner } from '../note/testing.ts';
import { newSigner } from '../support/keys.ts';
import { serveStaticLog } from '../tiles/static-log.ts';
import { MemoryIncidents, startWitness, TestLog, type WitnessServer } from './fixtures.ts';

const closers: (() => Promise<void>)[] = [];
after(async () => {
  for (const c of closers.reverse()) await c();
});
async function witness(...args: Parameters<typeof startWitness>): Promise<WitnessServer> {
  const w = await startWitness(...args);
  closers.push(() => w.close());
  return w;
}

describe('WitnessFeeder', () => {
  it('feeds a sumdb-layout log, then its growth from the size it remembers (no 409 round trip)', async () => {
    // The Go checksum database: its origin is not its key name.
    const log = new TestLog('go.sum database tree', 700, ed25519NoteSigner('sum.golang.org', testSigner('ed25519')));
    const served = await serveStaticLog(log, 300, 'sumdb');
    closers.push(() => served.close());
    const w = await witness({ logs: [log.spec()] });
    const source = tiledSource({ origin: log.origin, keys: witnessLog(log.spec()).keys, url: served.url }, 'sumdb');
    const feeder = new WitnessFeeder({ sources: [source], witnesses: [new WitnessClient({ url: w.url, vkeys: [w.cosigners[0].vkey] })] });
    assert.deepEqual(await feeder.runOnce(), [{ origin: log.origin, witness: w.url, outcome: 'cosigned', size: 300 }]);
    served.size = 700;
    const before = served.requests;
    assert.deepEqual(await feeder.runOnce(), [{ origin: log.origin, witness: w.url, outcome: 'cosigned', size: 700 }]);
    assert.ok(served.requests > before + 1, 'the proof 300 → 700 was read from tiles');
    // Unchanged log: cosigned again, with a fresh timestamp.
    assert.equal((await feeder.runOnce())[0].outcome, 'cosigned');
  });

  it('feeds a Grapevine CT log over RFC 6962: get-sth as a 0x05 checkpoint, proofs from get-sth-consistency', async () => {
    const d = await demoSet();
    const signer = newSigner();
    const ct = await newCtApp({ signer });
    closers.push(() => ct.close());
    await ct.app.listen({ host: '127.0.0.1', port: 0 });
    const addr = ct.app.server.address();
    if (addr === null || typeof addr === 'string') throw new Error('no port');
    const url = `http://127.0.0.1:${addr.port}`;
    const origin = `127.0.0.1:${addr.port}`;
    const post = (chain: Uint8Array[]) =>
      fetch(`${url}/ct/v1/add-chain`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ chain: chain.map((c) => Buffer.from(c).toString('base64')) }),
      });
    assert.equal((await post([d.leaf.der, d.intermediate.der])).status, 200);
    await ct.sequence();
    const spki = signer.publicKey.spki;
    const vkey = rfc6962Verifier(origin, spki).vkey;
    const w = await witness({ logs: [{ origin, vkeys: [vkey], url }] });
    const log = witnessLog({ origin, vkeys: [vkey], url });
    // The source kind follows from the 0x05 key.
    const feeder = new WitnessFeeder({
      sources: [feedSourceOf(log)],
      witnesses: [new WitnessClient({ url: w.url, vkeys: [w.cosigners[0].vkey] })],
    });
    const first = await feeder.runOnce();
    assert.equal(first[0].outcome, 'cosigned', first[0].error);
    assert.equal(first[0].size, 1);
    assert.equal((await post([d.precertFinal.der, d.intermediate.der])).status, 200);
    assert.equal((await post([d.signedPrecertFinal.der, d.intermediate.der])).status, 200);
    await ct.sequence();
    const second = await feeder.runOnce();
    assert.equal(second[0].outcome, 'cosigned', second[0].error);
    assert.equal(second[0].size, 3);
    // What the witness holds verifies under the CT log's key as an RFC 6962 note signature.
    const latest = await new WitnessClient({ url: w.url }).latest(origin);
    assert.match(latest ?? '', /^127\.0\.0\.1:\d+\n3\n/);
  });

  it('reports a log that forks as refused by the witness, which raises the evidence', async () => {
    const log = new TestLog('example.com/forking', 600);
    const honest = await serveStaticLog(log, 300);
    closers.push(() => honest.close());
    const incidents = new MemoryIncidents();
    const w = await witness({ logs: [log.spec()], incidents });
    const client = new WitnessClient({ url: w.url, vkeys: [w.cosigners[0].vkey] });
    const keys = witnessLog(log.spec()).keys;
    const good = new WitnessFeeder({
      sources: [tiledSource({ origin: log.origin, keys, url: honest.url }, 'tlog-tiles')],
      witnesses: [client],
    });
    assert.equal((await good.runOnce())[0].outcome, 'cosigned');
    const fork = log.fork(200, 400);
    const forked = await serveStaticLog(fork, 600);
    closers.push(() => forked.close());
    const bad = new WitnessFeeder({
      sources: [tiledSource({ origin: log.origin, keys, url: forked.url }, 'tlog-tiles')],
      witnesses: [client],
    });
    const [r] = await bad.runOnce();
    assert.equal(r.outcome, 'failed');
    assert.match(r.error ?? '', /HTTP 422/);
    assert.deepEqual(
      incidents.raised.map((doc) => doc.kind),
      ['inconsistent'],
    );
  });

  it('never feeds a checkpoint its log did not sign', async () => {
    const log = new TestLog('example.com/log', 10);
    const impostor = new TestLog('example.com/log', 10);
    const served = await serveStaticLog(impostor, 10);
    closers.push(() => served.close());
    const w = await witness({ logs: [log.spec()] });
    const feeder = new WitnessFeeder({
      sources: [tiledSource({ origin: log.origin, keys: witnessLog(log.spec()).keys, url: served.url }, 'tlog-tiles')],
      witnesses: [new WitnessClient({ url: w.url })],
    });
    const [r] = await feeder.runOnce();
    assert.equal(r.outcome, 'failed');
    assert.equal((await w.get(log.origin)).status, 404);
  });
});
