/**
 * add-signed-blob on the fast path (src/http/fast-routes.ts) answers as its
 * fastify route does: each request below goes over a real socket (the fast
 * path) and through inject() (fastify), and both answers must agree on
 * status, error body, content type and CORS. Real Pilot STHs (ct-sths.json).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { decodeHubTimestampedEntry } from '../../src/codec/index.ts';
import { blobBody, ctSths, type HubEnv, hubEnv, sthSubmission } from './fixtures.ts';

const ADD = '/gamut/gossip/v0/add-signed-blob';

describe('add-signed-blob: the fast path answers as the fastify route', () => {
  let env: HubEnv;
  before(async () => {
    env = await hubEnv({ listen: true, bodyLimit: 4096 });
  });
  after(() => env.close());

  const pilot = sthSubmission(ctSths.real_log_sths[0]);
  const tampered = sthSubmission(ctSths.negative_sths.find((x: { id: string }) => x.id === 'derived-aviator-final-size+1'));
  const cases: { desc: string; body: string; type?: string; status: number }[] = [
    { desc: 'a real STH (then its duplicate)', body: blobBody(pilot.sourceId, pilot.blob, pilot.signature), status: 200 },
    { desc: 'a text/plain content type', body: blobBody(pilot.sourceId, pilot.blob, pilot.signature), type: 'text/plain', status: 200 },
    { desc: 'invalid JSON', body: '{', status: 400 },
    { desc: 'an empty body', body: '', status: 400 },
    { desc: 'an unknown source', body: blobBody('https://nowhere.example/', pilot.blob, pilot.signature), status: 404 },
    { desc: 'a tampered STH', body: blobBody(tampered.sourceId, tampered.blob, tampered.signature), status: 400 },
    { desc: 'a body over the limit', body: blobBody(pilot.sourceId, Buffer.alloc(5000, 1), pilot.signature), status: 413 },
  ];
  for (const tc of cases) {
    it(`agrees on ${tc.desc} (${tc.status})`, async () => {
      const headers = { 'content-type': tc.type ?? 'application/json' };
      const fast = await fetch(`${env.origin}${ADD}`, { method: 'POST', body: tc.body, headers });
      const fastBody = await fast.text();
      const slow = await env.app.inject({ method: 'POST', url: ADD, payload: tc.body, headers });
      assert.equal(fast.status, tc.status, fastBody);
      assert.equal(slow.statusCode, tc.status, slow.body);
      assert.equal(fast.headers.get('content-type'), slow.headers['content-type']);
      assert.equal(fast.headers.get('access-control-allow-origin'), '*');
      assert.equal(slow.headers['access-control-allow-origin'], '*');
      if (tc.status === 200) {
        // Both answer the one stored entry.
        const e = (b: string) => decodeHubTimestampedEntry(Buffer.from(JSON.parse(b).timestamped_entry, 'base64'));
        assert.deepEqual(e(fastBody), e(slow.body));
      } else {
        assert.deepEqual(JSON.parse(fastBody), JSON.parse(slow.body));
      }
    });
  }
});

describe('add-signed-blob on the fast path: the per-client write quota', () => {
  it('charges the socket’s address, like the fastify route charges request.ip', async () => {
    const env = await hubEnv({ listen: true, clock: () => 9_000_000, quota: { perClient: { write: { rate: 0.001, burst: 2 } } } });
    try {
      const s = sthSubmission(ctSths.real_log_sths[0]);
      const send = () => fetch(`${env.origin}${ADD}`, { method: 'POST', body: blobBody(s.sourceId, s.blob, s.signature) });
      assert.equal((await send()).status, 200);
      assert.equal((await send()).status, 200);
      const refused = await send();
      assert.equal(refused.status, 429);
      assert.ok(Number(refused.headers.get('retry-after')) >= 1);
      assert.match((await refused.json()).message, /ip:127\.0\.0\.1/);
      // inject() comes from 127.0.0.1 too: the same bucket, so the fastify route refuses it as well.
      const viaFastify = await env.app.inject({ method: 'POST', url: ADD, payload: blobBody(s.sourceId, s.blob, s.signature) });
      assert.equal(viaFastify.statusCode, 429);
    } finally {
      await env.close();
    }
  });
});
