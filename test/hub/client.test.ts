/**
 * HubClient verifies everything it receives: tree heads and SGTs against the
 * hub key (and the domain rule), proofs against verified heads, SGTs against
 * what was submitted. A lying hub is simulated by rewriting answers of a real
 * one. Also: hub-to-hub gossip (GOSSIPHUB) through the client.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { encodeHubTimestampedEntry } from '../../src/codec/index.ts';
import { isError } from '../../src/errors.ts';
import { checkEntrySourceSignature, HubClient, HubClientError, type HubClientErrorCode, makeSource } from '../../src/hub/index.ts';
import { newSigner } from '../support/keys.ts';
import { type HubEnv, hubEnv, ownSth, settle } from './fixtures.ts';

const rejects = (p: Promise<unknown>, code: HubClientErrorCode) =>
  assert.rejects(p, (e: unknown) => isError(e, HubClientError, code), `want HubClientError ${code}`);

describe('HubClient', () => {
  const own = newSigner();
  let env: HubEnv;
  /** A fetch that lets a test rewrite the JSON of one endpoint. */
  let rewrite: { ep: string; f: (body: Record<string, unknown>) => Record<string, unknown> } | null = null;
  const lying: typeof fetch = async (input, init) => {
    const res = await fetch(input, init);
    const url = new URL(String(input instanceof Request ? input.url : input));
    if (!rewrite || !url.pathname.endsWith(rewrite.ep) || res.status !== 200) return res;
    return new Response(JSON.stringify(rewrite.f((await res.json()) as Record<string, unknown>)), { status: 200 });
  };
  let client: HubClient;

  before(async () => {
    env = await hubEnv({ sources: [makeSource({ id: 'o', kind: 'RFC6962STH', publicKey: own.publicKey })], listen: true });
    client = new HubClient({ url: env.url, hubKey: env.signer.publicKey, fetch: lying });
    for (const n of [1, 2, 3]) {
      const s = ownSth(own, n);
      await client.addSignedBlob('o', s.blob, s.signature);
    }
    await settle(env);
  });
  after(() => env.close());

  it('verifies heads, proofs, consistency and entries of an honest hub', async () => {
    rewrite = null;
    const sth = await client.getSth();
    assert.equal(sth.head.treeSize, 3);
    const entries = await client.getEntries(0, 2);
    const keys = await client.getSourceKeys();
    for (const [i, e] of entries.entries()) {
      assert.equal((await client.proveInclusion(e.leafHash, sth)).leafIndex, i);
      assert.equal(checkEntrySourceSignature(e.entry, keys), true);
    }
    await client.proveConsistency(1, entries[0].leafHash, sth);
    assert.equal((await client.getLatestForSource('o'))?.entry.blobData.readBigUInt64BE(10), 3n);
  });

  it('refuses a head signed by another key (BAD_HUB_SIGNATURE)', async () => {
    rewrite = null;
    const wrong = new HubClient({ url: env.url, hubKey: newSigner().publicKey });
    await rejects(wrong.getSth(), 'BAD_HUB_SIGNATURE');
  });

  it('refuses a head whose bytes were changed (BAD_HUB_SIGNATURE)', async () => {
    rewrite = {
      ep: 'get-sth',
      f: (b) => {
        const d = Buffer.from(String(b.head_data), 'base64');
        d[7] ^= 1;
        return { ...b, head_data: d.toString('base64') };
      },
    };
    await rejects(client.getSth(), 'BAD_HUB_SIGNATURE');
  });

  it('refuses, as a tree head, bytes the hub key signed as an entry (the domain rule, client side)', async () => {
    // An entry shaped like the attack in domain.test.ts, signed by the hub key as an original hub would sign an SGT.
    const blob = Buffer.alloc(64, 0x41);
    blob.writeUInt16BE(125, 11);
    const entry = encodeHubTimestampedEntry({ sourceId: 'a', blobData: blob, sourceSignature: Buffer.alloc(64, 1), hubTimestamp: 1n });
    rewrite = {
      ep: 'get-sth',
      f: () => ({ head_data: entry.toString('base64'), hub_signature: env.signer.sign(entry).toString('base64') }),
    };
    await rejects(client.getSth(), 'BAD_HUB_SIGNATURE');
    assert.throws(
      () => client.verifySgt(entry, env.signer.sign(entry)),
      (e: unknown) => isError(e, HubClientError, 'BAD_HUB_SIGNATURE'),
    );
  });

  it('refuses a bad inclusion proof and a bad consistency proof (BAD_PROOF)', async () => {
    rewrite = null;
    const sth = await client.getSth();
    const [e] = await client.getEntries(0, 0);
    rewrite = {
      ep: 'get-proof-by-hash',
      f: (b) => ({ ...b, audit_path: (b.audit_path as string[]).map(() => Buffer.alloc(32, 7).toString('base64')) }),
    };
    await rejects(client.proveInclusion(e.leafHash, sth), 'BAD_PROOF');
    rewrite = { ep: 'get-sth-consistency', f: (b) => ({ ...b, consistency: (b.consistency as string[]).slice(1) }) };
    await rejects(client.proveConsistency(1, e.leafHash, sth), 'BAD_PROOF');
    rewrite = null;
    await rejects(client.proveConsistency(1, Buffer.alloc(32), sth), 'BAD_PROOF');
  });

  it('refuses an SGT for another blob (MISMATCH) and a bad SGT signature (BAD_HUB_SIGNATURE)', async () => {
    const other = ownSth(own, 1);
    const fresh = ownSth(own, 4);
    rewrite = null;
    // The hub answers the stored entry of blob 1 while the client asked for blob 4.
    const stored = (await client.addSignedBlob('o', other.blob, other.signature)).value;
    rewrite = {
      ep: 'add-signed-blob',
      f: (b) => ({ ...b, timestamped_entry: stored.toString('base64'), hub_signature: env.signer.sign(stored).toString('base64') }),
    };
    await rejects(client.addSignedBlob('o', fresh.blob, fresh.signature), 'MISMATCH');
    rewrite = { ep: 'add-signed-blob', f: (b) => ({ ...b, hub_signature: Buffer.alloc(70, 1).toString('base64') }) };
    await rejects(client.addSignedBlob('o', fresh.blob, fresh.signature), 'BAD_HUB_SIGNATURE');
  });

  it('reports HTTP failures with their status (HTTP)', async () => {
    rewrite = null;
    await assert.rejects(
      client.getProofByHash(Buffer.alloc(32), 1),
      (e: unknown) => isError(e, HubClientError, 'HTTP') && (e as HubClientError).status === 404,
    );
    await rejects(new HubClient({ url: 'http://127.0.0.1:1/x', hubKey: env.signer.publicKey, timeoutMs: 2000 }).getSth(), 'HTTP');
  });
});

describe('hub-to-hub gossip (GOSSIPHUB)', () => {
  it("stores another hub's verified tree head as a GOSSIPHUB entry", async () => {
    const own = newSigner();
    const a = await hubEnv({ sources: [makeSource({ id: 'o', kind: 'RFC6962STH', publicKey: own.publicKey })], listen: true });
    const aKey = a.signer.publicKey;
    const b = await hubEnv({ sources: [makeSource({ id: `${a.url}/`, kind: 'GOSSIPHUB', publicKey: aKey })], listen: true });
    try {
      const ca = new HubClient({ url: a.url, hubKey: aKey });
      const s = ownSth(own, 9);
      await ca.addSignedBlob('o', s.blob, s.signature);
      await settle(a);
      const sth = await ca.getSth();
      const cb = new HubClient({ url: b.url, hubKey: b.signer.publicKey });
      const sgt = await cb.addSignedBlob(`${a.url}/`, sth.headData, sth.hubSignature);
      assert.deepEqual(sgt.entry.blobData, sth.headData);
      const latest = await cb.getLatestForSource(`${a.url}/`);
      assert.deepEqual(latest?.entry.blobData, sth.headData);
      // A head of hub A with one bit changed is refused by hub B.
      const bad = Buffer.from(sth.headData);
      bad[0] ^= 1;
      await assert.rejects(
        cb.addSignedBlob(`${a.url}/`, bad, sth.hubSignature),
        (e: unknown) => isError(e, HubClientError, 'HTTP') && (e as HubClientError).status === 400,
      );
    } finally {
      await a.close();
      await b.close();
    }
  });
});
