/**
 * add-chain and add-pre-chain over a socket are served on the fast path
 * (src/http/fast-routes.ts) and through fastify under inject(): both answer
 * alike — the RFC 6962 §4.1 SCT, a resubmission's original timestamp (§4.1:
 * the log MAY return the same SCT), the same {error, message} refusals — and
 * both are counted in the CT log's request metrics.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { parseAddChainResponse } from '../../src/codec/index.ts';
import { openCtLog } from '../../src/personalities/ct/index.ts';
import { type Server, startServer } from '../../src/server/index.ts';
import { openStorage } from '../../src/storage/index.ts';
import { type DemoSet, mintLeaf } from '../../src/x509/testca/index.ts';
import { newSigner } from '../support/keys.ts';
import { demoSet } from './fixtures.ts';

const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');
const body = (chain: Uint8Array[]) => JSON.stringify({ chain: chain.map(b64) });

describe('CT submissions on the fast path and through fastify', () => {
  let d: DemoSet;
  let server: Server;
  let registry: Registry;

  before(async () => {
    d = await demoSet();
    registry = new Registry();
    const storage = await openStorage('sqlite::memory:');
    const part = await openCtLog(
      { tree: 'ct', signer: newSigner(), roots: [d.root.der] },
      { storage, createMissing: true, registry, sequencer: false },
    );
    server = await startServer({ host: '127.0.0.1', port: 0, parts: [part], registry, storage, ownStorage: true });
  });
  after(() => server.close());

  const overSocket = async (ep: string, payload: string) => {
    const r = await fetch(`${server.url}/ct/v1/${ep}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: payload });
    return { status: r.status, type: r.headers.get('content-type'), text: await r.text() };
  };
  const injected = async (ep: string, payload: string) => {
    const r = await server.app.inject({ method: 'POST', url: `/ct/v1/${ep}`, headers: { 'content-type': 'application/json' }, payload });
    return { status: r.statusCode, type: String(r.headers['content-type'] ?? ''), text: r.body };
  };

  it('answers a new certificate with an SCT either way, and a resubmission with the original timestamp', async () => {
    for (const [i, send] of [overSocket, injected].entries()) {
      const leaf = await mintLeaf(d.intermediate, { dnsNames: [`f${i}.fast.grapevine.test`] });
      const first = await send('add-chain', body([leaf.der, d.intermediate.der]));
      assert.equal(first.status, 200, first.text);
      assert.match(first.type ?? '', /^application\/json/);
      const sct = parseAddChainResponse(first.text);
      // The other path sees the same certificate as a resubmission.
      const other = i === 0 ? injected : overSocket;
      const again = await other('add-chain', body([leaf.der, d.intermediate.der]));
      assert.equal(again.status, 200, again.text);
      assert.equal(parseAddChainResponse(again.text).timestamp, sct.timestamp);
    }
    const pre = await overSocket('add-pre-chain', body([d.precert.der, d.intermediate.der]));
    assert.equal(pre.status, 200, pre.text);
  });

  it('refuses alike: malformed bodies and a chain under no accepted root', async () => {
    const stranger = await demoSet();
    for (const payload of ['chain:', '{}', '{"chain":["not base64!"]}', body([d.root.der.subarray(0, 10)])]) {
      const [a, b] = [await overSocket('add-chain', payload), await injected('add-chain', payload)];
      assert.equal(a.status, 400, payload);
      assert.deepEqual(JSON.parse(a.text), JSON.parse(b.text), payload);
      assert.equal(a.status, b.status);
    }
    const unknownRoot = body([(await mintLeaf(stranger.intermediate, { dnsNames: ['s.fast.grapevine.test'] })).der]);
    const [a, b] = [await overSocket('add-chain', unknownRoot), await injected('add-chain', unknownRoot)];
    assert.equal(a.status, b.status);
    assert.deepEqual(JSON.parse(a.text), JSON.parse(b.text));
  });

  it('counts both paths in grapevine_ct_requests_total', async () => {
    const text = await registry.metrics();
    const count = (endpoint: string, status: string) =>
      Number(new RegExp(`grapevine_ct_requests_total\\{log="ct",endpoint="${endpoint}",status="${status}"\\} (\\d+)`).exec(text)?.[1] ?? 0);
    assert.equal(count('add-chain', '200'), 4);
    assert.equal(count('add-pre-chain', '200'), 1);
    assert.equal(count('add-chain', '400'), 10);
  });
});
