/**
 * Issue 9 #1 (hub half): replays must not spend a source's quota. Identity
 * is (source, blob) (specs/gossip-hub.md §2.2), whatever the encoding of the
 * source signature, and the per-source write bucket pays only for new
 * entries; the caller's per-IP bucket still pays for every request. Real
 * Aviator STHs (ct-sths.json) replayed with their ECDSA signatures
 * re-encoded as (r, n − s), over HTTP and through the gossip loop's
 * in-process transport.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ObservedHead } from '../../src/audit/index.ts';
import { decodeHubTimestampedEntry, formatGetSth, type SignedTreeHead } from '../../src/codec/index.ts';
import { verifySignature } from '../../src/crypto/index.ts';
import { inProcessHubTransport } from '../../src/gossip/transports/in-process.ts';
import { QuotaError } from '../../src/log/index.ts';
import { blobBody, ctSths, type HubEnv, hubEnv, reencodeEcdsa, settle, sthSubmission } from './fixtures.ts';

const ADD = '/gamut/gossip/v0/add-signed-blob';
const sourceKey = (env: HubEnv, id: string) => {
  const s = env.hub.sources.find((x) => x.id === id);
  assert.ok(s);
  return s.publicKey;
};
const aviator = (n: 1 | 2 | 3) => sthSubmission(ctSths.real_log_sths.find((v: { id: string }) => v.id === `ctgo-gossip-aviator-${n}`));

describe('replays and the per-source quota (issue 9 #1)', () => {
  it('re-encoded replays of a stored STH cost the source nothing: a new STH of the log is still accepted', async () => {
    const env = await hubEnv({ clock: () => 9_000_000, quota: { perSource: { write: { rate: 0.001, burst: 2 } } } });
    try {
      const post = (s: { sourceId: string; blob: Buffer; signature: Buffer }, ip: string) =>
        env.app.inject({ method: 'POST', url: ADD, payload: blobBody(s.sourceId, s.blob, s.signature), remoteAddress: ip });
      const first = aviator(1);
      const stored = await post(first, '10.0.0.1');
      assert.equal(stored.statusCode, 200);
      const replay = { ...first, signature: reencodeEcdsa(first.signature) };
      assert.notDeepEqual(replay.signature, first.signature);
      assert.ok(verifySignature(sourceKey(env, first.sourceId), replay.blob, replay.signature), 'the re-encoded signature is valid');
      for (let i = 0; i < 5; i++) {
        const r = await post(replay, `10.0.1.${i}`);
        assert.equal(r.statusCode, 200, `replay ${i}: ${r.body}`);
        // The answer is the stored entry: the first signature, the original timestamp.
        assert.equal(r.json().timestamped_entry, stored.json().timestamped_entry);
        assert.deepEqual(decodeHubTimestampedEntry(Buffer.from(r.json().timestamped_entry, 'base64')).sourceSignature, first.signature);
      }
      const next = await post(aviator(2), '10.0.0.1');
      assert.equal(next.statusCode, 200, `a genuinely new STH: ${next.body}`);
      // The bucket (burst 2) still limits new entries: the third new STH is refused.
      const third = await post(aviator(3), '10.0.0.1');
      assert.equal(third.statusCode, 429);
      assert.match(third.json().message, /src:/);
      await settle(env);
      assert.equal(env.hub.servedHead()?.size, 2, 'no replay added a leaf');
    } finally {
      await env.close();
    }
  });

  it('concurrent replays of an STH not yet stored are charged once', async () => {
    const env = await hubEnv({ clock: () => 9_000_000, quota: { perSource: { write: { rate: 0.001, burst: 2 } } } });
    try {
      const first = aviator(1);
      const bodies = [first, ...Array.from({ length: 6 }, () => ({ ...first, signature: reencodeEcdsa(first.signature) }))];
      const answers = await Promise.all(
        bodies.map((s) => env.app.inject({ method: 'POST', url: ADD, payload: blobBody(s.sourceId, s.blob, s.signature) })),
      );
      for (const r of answers) assert.equal(r.statusCode, 200, r.body);
      assert.equal(new Set(answers.map((r) => r.json().timestamped_entry)).size, 1, 'one entry');
      const s2 = aviator(2);
      const r2 = await env.app.inject({ method: 'POST', url: ADD, payload: blobBody(s2.sourceId, s2.blob, s2.signature) });
      assert.equal(r2.statusCode, 200, r2.body);
    } finally {
      await env.close();
    }
  });

  it("the replayer's own per-IP write bucket pays for every request, replays included", async () => {
    const env = await hubEnv({ clock: () => 9_000_000, quota: { perClient: { write: { rate: 0.001, burst: 3 } } } });
    try {
      const first = aviator(1);
      const replay = { ...first, signature: reencodeEcdsa(first.signature) };
      const post = (s: typeof first, ip: string) =>
        env.app.inject({ method: 'POST', url: ADD, payload: blobBody(s.sourceId, s.blob, s.signature), remoteAddress: ip });
      assert.equal((await post(first, '10.0.0.1')).statusCode, 200);
      for (let i = 0; i < 3; i++) assert.equal((await post(replay, '10.0.0.9')).statusCode, 200);
      const r = await post(replay, '10.0.0.9');
      assert.equal(r.statusCode, 429);
      assert.match(r.json().message, /ip:10\.0\.0\.9/);
      assert.equal((await post(aviator(2), '10.0.0.1')).statusCode, 200, 'the source and other clients are unaffected');
    } finally {
      await env.close();
    }
  });

  it('the gossip loop (in-process transport) goes through the same charge: resent heads are free, new heads pay', async () => {
    const env = await hubEnv({ clock: () => 9_000_000, quota: { perSource: { write: { rate: 0.001, burst: 2 } } }, sequencers: false });
    try {
      const vec = (n: number) => ctSths.real_log_sths.find((v: { id: string }) => v.id === `ctgo-gossip-aviator-${n}`);
      const head = (n: number, reencode = false): ObservedHead => {
        const v = vec(n);
        const ds = Buffer.from(v.sth.tree_head_signature, 'base64');
        const sig = ds.subarray(4);
        const signature = reencode ? reencodeEcdsa(sig) : sig;
        const sth: SignedTreeHead = {
          treeSize: v.sth.tree_size,
          timestamp: v.sth.timestamp,
          sha256RootHash: Buffer.from(v.sth.sha256_root_hash, 'base64'),
          treeHeadSignature: { hashAlgorithm: ds[0], signatureAlgorithm: ds[1], signature },
        };
        return {
          log: 'aviator',
          format: 'rfc6962-sth',
          size: sth.treeSize,
          rootHash: sth.sha256RootHash,
          timestampMs: sth.timestamp,
          signed: Buffer.from(formatGetSth(sth)),
          observer: 'test',
          observedAtMs: 9_000_000,
        };
      };
      const loop = inProcessHubTransport(env.hub, aviator(1).sourceId);
      await loop.send(head(1));
      for (let i = 0; i < 4; i++) await loop.send(head(1, i % 2 === 1));
      await loop.send(head(2));
      await assert.rejects(loop.send(head(3)), (err: unknown) => err instanceof QuotaError && err.bucket.includes('src:'));
    } finally {
      await env.close();
    }
  });
});
