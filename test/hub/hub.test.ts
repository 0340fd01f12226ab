/**
 * The hub's HTTP wiring through fastify inject(): statuses and bodies of
 * every endpoint (specs/gossip-hub.md §1), canonicalization, latest-for-src
 * order, quotas, limits, the MMD backlog guard, CORS and metrics.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { decodeHubTimestampedEntry, decodeHubTreeHead } from '../../src/codec/index.ts';
import { verifySignature } from '../../src/crypto/index.ts';
import { makeSource } from '../../src/hub/index.ts';
import { Sequencer } from '../../src/log/index.ts';
import { verifyConsistency, verifyInclusion } from '../../src/merkle/index.ts';
import { newSigner } from '../support/keys.ts';
import { blobBody, ctSths, type HubEnv, hubEnv, leafHashOf, ownSth, settle, sourceIdOf, sthSources, sthSubmission } from './fixtures.ts';

const ADD = '/gamut/gossip/v0/add-signed-blob';
const ep = (name: string, q = '') => `/gamut/gossip/v0/${name}${q ? `?${q}` : ''}`;

describe('hub endpoints (inject)', () => {
  const own = newSigner();
  const ownId = 'https://own.example/log/';
  let env: HubEnv;
  before(async () => {
    env = await hubEnv({
      sources: [...sthSources(), makeSource({ id: ownId, kind: 'RFC6962STH', publicKey: own.publicKey })],
      maxGetEntries: 3,
    });
  });
  after(() => env.close());

  const add = (sourceId: string, blob: Buffer, sig: Buffer, remoteAddress?: string) =>
    env.app.inject({ method: 'POST', url: ADD, payload: blobBody(sourceId, blob, sig), ...(remoteAddress ? { remoteAddress } : {}) });

  describe('add-signed-blob', () => {
    it('accepts a real Pilot STH and answers a verifiable SGT over the stored entry', async () => {
      const s = sthSubmission(ctSths.real_log_sths[0]);
      const r = await add(s.sourceId, s.blob, s.signature);
      assert.equal(r.statusCode, 200);
      assert.match(r.headers['content-type'] as string, /^application\/json/);
      const body = r.json();
      const entry = Buffer.from(body.timestamped_entry, 'base64');
      assert.ok(verifySignature(env.signer.publicKey, entry, Buffer.from(body.hub_signature, 'base64')));
      const e = decodeHubTimestampedEntry(entry);
      assert.equal(e.sourceId, s.sourceId);
      assert.deepEqual(e.blobData, s.blob);
      assert.deepEqual(e.sourceSignature, s.signature);
    });

    it('answers a resubmission with the original entry and timestamp, a valid SGT, and no second leaf', async () => {
      const { blob, signature } = ownSth(own, 1000);
      const first = (await add(ownId, blob, signature)).json();
      const again = (await add(ownId, blob, signature)).json();
      // ECDSA signatures are randomized: a fresh, different, valid signature over the same blob is still the same entry.
      const other = own.sign(blob);
      assert.notDeepEqual(other, signature);
      const third = (await add(ownId, blob, other)).json();
      for (const r of [again, third]) {
        assert.equal(r.timestamped_entry, first.timestamped_entry);
        assert.ok(
          verifySignature(env.signer.publicKey, Buffer.from(r.timestamped_entry, 'base64'), Buffer.from(r.hub_signature, 'base64')),
        );
      }
      assert.deepEqual(
        decodeHubTimestampedEntry(Buffer.from(third.timestamped_entry, 'base64')).sourceSignature,
        signature,
        'first signature wins',
      );
      await settle(env);
      const leaves = await env.storage.leavesByLeafHash(
        env.hubs[0].log.tree.id,
        leafHashOf(Buffer.from(first.timestamped_entry, 'base64')),
      );
      assert.equal(leaves.length, 1);
    });

    it('answers 404 UNKNOWN_SOURCE for an unknown source id, before looking at the signature', async () => {
      const r = await add('https://unknown.example/', Buffer.from('x'), Buffer.alloc(0));
      assert.equal(r.statusCode, 404);
      assert.equal(r.json().error, 'UNKNOWN_SOURCE');
    });

    it('answers 400 BAD_SIGNATURE for a tampered STH (real Aviator STH, tree size + 1)', async () => {
      const v = ctSths.negative_sths.find((x: { id: string }) => x.id === 'derived-aviator-final-size+1');
      const s = sthSubmission(v);
      const r = await add(s.sourceId, s.blob, s.signature);
      assert.equal(r.statusCode, 400);
      assert.deepEqual(Object.keys(r.json()).sort(), ['error', 'message']);
      assert.equal(r.json().error, 'BAD_SIGNATURE');
    });

    it('answers 400 BAD_STRUCTURE for a well-signed blob that is not a TreeHeadSignature', async () => {
      const blob = Buffer.from('not a tree head');
      const r = await add(ownId, blob, own.sign(blob));
      assert.equal(r.statusCode, 400);
      assert.equal(r.json().error, 'BAD_STRUCTURE');
    });

    const badBodies: { desc: string; payload: string }[] = [
      { desc: 'an empty body', payload: '' },
      { desc: 'invalid JSON', payload: '{' },
      { desc: 'a JSON array', payload: '[]' },
      { desc: 'a missing blob_data', payload: JSON.stringify({ source_id: 'a', src_signature: '' }) },
      { desc: 'non-canonical base64', payload: JSON.stringify({ source_id: 'a', blob_data: 'YQ', src_signature: '' }) },
      { desc: 'an empty blob (head_data<1..65535>)', payload: JSON.stringify({ source_id: 'a', blob_data: '', src_signature: '' }) },
      { desc: 'a numeric source_id', payload: JSON.stringify({ source_id: 1, blob_data: 'YQ==', src_signature: '' }) },
    ];
    for (const tc of badBodies) {
      it(`answers 400 BAD_REQUEST for ${tc.desc}`, async () => {
        const r = await env.app.inject({ method: 'POST', url: ADD, payload: tc.payload, headers: { 'content-type': 'application/json' } });
        assert.equal(r.statusCode, 400);
        assert.equal(r.json().error, 'BAD_REQUEST');
      });
    }

    it('reads the body whatever its content type (the original ignored it)', async () => {
      const { blob, signature } = ownSth(own, 1001);
      const r = await env.app.inject({
        method: 'POST',
        url: ADD,
        payload: blobBody(ownId, blob, signature),
        headers: { 'content-type': 'text/plain' },
      });
      assert.equal(r.statusCode, 200);
    });

    it('answers 405 with Allow to a GET', async () => {
      const r = await env.app.inject({ method: 'GET', url: ADD });
      assert.equal(r.statusCode, 405);
      assert.equal(r.headers.allow, 'POST');
    });
  });

  describe('reads', () => {
    before(async () => {
      for (const n of [2000, 2002, 2001]) {
        const { blob, signature } = ownSth(own, n);
        assert.equal((await add(ownId, blob, signature)).statusCode, 200);
      }
      await settle(env);
    });

    it('get-sth: a HubTreeHead over the served tree, signed by the hub, with the same bytes while unchanged', async () => {
      const a = (await env.app.inject({ url: ep('get-sth') })).json();
      const b = (await env.app.inject({ url: ep('get-sth') })).json();
      const head = Buffer.from(a.head_data, 'base64');
      assert.ok(verifySignature(env.signer.publicKey, head, Buffer.from(a.hub_signature, 'base64')));
      assert.deepEqual(a, b);
      const th = decodeHubTreeHead(head);
      assert.equal(th.treeSize, env.hub.servedHead()?.size);
      assert.ok(th.treeSize >= 6);
    });

    it('get-latest-for-src: the latest by tree size (2002), not the last submitted (2001)', async () => {
      const r = await env.app.inject({ url: ep('get-latest-for-src', `src_id=${encodeURIComponent(ownId)}`) });
      assert.equal(r.statusCode, 200);
      const e = decodeHubTimestampedEntry(Buffer.from(r.json().entry, 'base64'));
      assert.deepEqual(e.blobData, ownSth(own, 2002).blob);
    });

    it('get-latest-for-src: 204 with no body when the source has no entry, 404 for unknown or missing src_id', async () => {
      const quiet = sourceIdOf(ctSths.test_key_sths[0]);
      const r = await env.app.inject({ url: ep('get-latest-for-src', `src_id=${encodeURIComponent(quiet)}`) });
      assert.equal(r.statusCode, 204);
      assert.equal(r.body, '');
      assert.equal((await env.app.inject({ url: ep('get-latest-for-src', 'src_id=nope') })).statusCode, 404);
      assert.equal((await env.app.inject({ url: ep('get-latest-for-src') })).statusCode, 404);
    });

    it('get-entries: base64 TimestampedEntry strings, truncated to max_get_entries (3)', async () => {
      const r = await env.app.inject({ url: ep('get-entries', 'start=0&end=100') });
      assert.equal(r.statusCode, 200);
      const entries: string[] = r.json().entries;
      assert.equal(entries.length, 3);
      for (const e of entries) decodeHubTimestampedEntry(Buffer.from(e, 'base64'));
    });

    for (const [q, why] of [
      ['start=2&end=1', 'start > end'],
      ['start=1000&end=1001', 'start beyond the tree'],
      ['start=-1&end=2', 'a negative start'],
      ['start=a&end=2', 'a non-number'],
      ['end=2', 'a missing start'],
      ['start=0&start=1&end=2', 'a repeated start'],
    ]) {
      it(`get-entries: 400 for ${why}`, async () => {
        const r = await env.app.inject({ url: ep('get-entries', q) });
        assert.equal(r.statusCode, 400);
        assert.equal(r.json().error, 'BAD_REQUEST');
      });
    }

    for (const end of ['9007199254740991', '9007199254740992', '99999999999999999999', '18446744073709551615']) {
      it(`get-entries: a huge end (${end}) is clipped to what there is, never refused`, async () => {
        const r = await env.app.inject({ url: ep('get-entries', `start=0&end=${end}`) });
        assert.equal(r.statusCode, 200, r.body);
        assert.equal(r.json().entries.length, 3);
      });
    }

    it('get-proof-by-hash: a proof that verifies, for every entry', async () => {
      const size = env.hub.servedHead()?.size as number;
      const root = env.hub.servedHead()?.rootHash as Buffer;
      for (let start = 0; start < size; start += 3) {
        for (const [i, b64] of (
          (await env.app.inject({ url: ep('get-entries', `start=${start}&end=${size - 1}`) })).json().entries as string[]
        ).entries()) {
          const lh = leafHashOf(Buffer.from(b64, 'base64'));
          // Unescaped '+' arrives as a space through form decoding; the hub turns it back.
          const r = await env.app.inject({ url: ep('get-proof-by-hash', `hash=${lh.toString('base64')}&tree_size=${size}`) });
          assert.equal(r.statusCode, 200);
          const p = r.json();
          assert.equal(p.leaf_index, start + i);
          verifyInclusion(
            p.leaf_index,
            size,
            lh,
            (p.audit_path as string[]).map((h) => Buffer.from(h, 'base64')),
            root,
          );
        }
      }
    });

    it('get-proof-by-hash: 400 for tree_size 0 or a bad hash, 404 beyond the tree or for an unknown leaf', async () => {
      const size = env.hub.servedHead()?.size as number;
      const h = encodeURIComponent(Buffer.alloc(32, 9).toString('base64'));
      assert.equal((await env.app.inject({ url: ep('get-proof-by-hash', `hash=${h}&tree_size=0`) })).statusCode, 400);
      assert.equal((await env.app.inject({ url: ep('get-proof-by-hash', `hash=AAAA&tree_size=1`) })).statusCode, 400);
      assert.equal(
        (await env.app.inject({ url: ep('get-proof-by-hash', `hash=${h}&tree_size=${size + 1}`) })).json().error,
        'TREE_TOO_SMALL',
      );
      const r = await env.app.inject({ url: ep('get-proof-by-hash', `hash=${h}&tree_size=${size}`) });
      assert.equal(r.statusCode, 404);
      assert.equal(r.json().error, 'LEAF_NOT_FOUND');
    });

    it('get-sth-consistency: [] for first=0 (even beyond the tree), 400 for second < first or beyond the tree, and proofs that verify', async () => {
      const size = env.hub.servedHead()?.size as number;
      const root2 = env.hub.servedHead()?.rootHash as Buffer;
      const z = await env.app.inject({ url: ep('get-sth-consistency', 'first=0&second=999999') });
      assert.equal(z.statusCode, 200);
      assert.deepEqual(z.json(), { consistency: [] });
      assert.equal((await env.app.inject({ url: ep('get-sth-consistency', 'first=3&second=2') })).statusCode, 400);
      assert.equal((await env.app.inject({ url: ep('get-sth-consistency', `first=1&second=${size + 1}`) })).statusCode, 400);
      // Root at size 2, recomputed from the entries themselves.
      const entries = (await env.app.inject({ url: ep('get-entries', 'start=0&end=1') }))
        .json()
        .entries.map((e: string) => leafHashOf(Buffer.from(e, 'base64')));
      const { createHash } = await import('node:crypto');
      const root1 = createHash('sha256')
        .update(Buffer.from([1]))
        .update(entries[0])
        .update(entries[1])
        .digest();
      const p = (await env.app.inject({ url: ep('get-sth-consistency', `first=2&second=${size}`) })).json();
      verifyConsistency(
        2,
        size,
        (p.consistency as string[]).map((h) => Buffer.from(h, 'base64')),
        root1,
        root2,
      );
    });

    it('get-source-keys: every source with its DER key and kind', async () => {
      const r = (await env.app.inject({ url: ep('get-source-keys') })).json();
      const mine = r.entries.find((e: { id: string }) => e.id === ownId);
      assert.deepEqual(mine, { id: ownId, pub_key: own.publicKey.spki.toString('base64'), kind: 'RFC6962STH' });
      assert.equal(r.entries.length, env.hub.sources.length);
    });

    it('answers CORS for everyone, and 405 for POSTs to read endpoints', async () => {
      const r = await env.app.inject({ url: ep('get-sth') });
      assert.equal(r.headers['access-control-allow-origin'], '*');
      const o = await env.app.inject({ method: 'OPTIONS', url: ADD });
      assert.equal(o.statusCode, 204);
      assert.equal((await env.app.inject({ method: 'POST', url: ep('get-entries') })).statusCode, 405);
    });

    it('sets last_sth_timestamp / last_sth_treesize and counts submissions in /metrics', async () => {
      const text = (await env.app.inject({ url: '/metrics' })).body;
      const size = env.hub.servedHead()?.size;
      assert.match(text, new RegExp(`grapevine_hub_last_sth_treesize\\{hub="gamut"\\} ${size}\\b`));
      assert.match(text, new RegExp(`grapevine_hub_last_sth_timestamp\\{hub="gamut"\\} ${env.hub.servedHead()?.timestampMs}\\b`));
      assert.match(text, /grapevine_hub_submissions_total\{hub="gamut",source="https:\/\/own.example\/log\/",result="duplicate"\} [1-9]/);
      assert.match(text, /grapevine_http_requests_total\{route="\/gamut\/gossip\/v0\/get-sth",method="GET",status="200"\}/);
    });

    it('answers /healthz and /readyz', async () => {
      assert.equal((await env.app.inject({ url: '/healthz' })).statusCode, 200);
      const r = await env.app.inject({ url: '/readyz' });
      assert.equal(r.statusCode, 200);
      assert.equal(r.json().checks.storage, 'ok');
    });
  });
});

describe('get-latest-for-src under concurrent submissions', () => {
  it('answers the largest tree head when 60 STHs of one source arrive at once in random order', async () => {
    const own = newSigner();
    const env = await hubEnv({ sources: [makeSource({ id: 'o', kind: 'RFC6962STH', publicKey: own.publicKey })] });
    try {
      const sizes = Array.from({ length: 60 }, (_, i) => 100 + i).sort(() => Math.random() - 0.5);
      const subs = sizes.map((n) => ownSth(own, n));
      const rs = await Promise.all(
        subs.map((x) => env.app.inject({ method: 'POST', url: ADD, payload: blobBody('o', x.blob, x.signature) })),
      );
      assert.ok(rs.every((r) => r.statusCode === 200));
      const r = await env.app.inject({ url: ep('get-latest-for-src', 'src_id=o') });
      assert.equal(decodeHubTimestampedEntry(Buffer.from(r.json().entry, 'base64')).blobData.readBigUInt64BE(10), 159n);
    } finally {
      await env.close();
    }
  });
});

describe('hub quotas', () => {
  it('answers 429 with Retry-After once a client runs out of write tokens, per client IP', async () => {
    const own = newSigner();
    let now = 1_000_000;
    const env = await hubEnv({
      sources: [makeSource({ id: 'o', kind: 'RFC6962STH', publicKey: own.publicKey })],
      clock: () => now,
      quota: { perClient: { write: { rate: 0.5, burst: 3 } } },
      sequencers: false,
    });
    try {
      const send = (n: number, ip: string) => {
        const s = ownSth(own, n);
        return env.app.inject({ method: 'POST', url: ADD, payload: blobBody('o', s.blob, s.signature), remoteAddress: ip });
      };
      for (let i = 0; i < 3; i++) assert.equal((await send(i, '10.0.0.1')).statusCode, 200);
      const r = await send(9, '10.0.0.1');
      assert.equal(r.statusCode, 429);
      assert.equal(r.headers['retry-after'], '2');
      assert.equal(r.json().error, 'EXHAUSTED');
      assert.equal((await send(9, '10.0.0.2')).statusCode, 200, 'another client has its own bucket');
      now += 2000;
      assert.equal((await send(10, '10.0.0.1')).statusCode, 200, 'tokens come back with time');
    } finally {
      await env.close();
    }
  });

  it('charges a source only for well-signed new entries, so junk cannot spend its quota', async () => {
    const own = newSigner();
    const env = await hubEnv({
      sources: [makeSource({ id: 'o', kind: 'RFC6962STH', publicKey: own.publicKey })],
      clock: () => 5_000_000,
      quota: { perSource: { write: { rate: 0.001, burst: 2 } } },
      sequencers: false,
    });
    try {
      const junk = ownSth(own, 1).blob;
      for (let i = 0; i < 5; i++) {
        const r = await env.app.inject({ method: 'POST', url: ADD, payload: blobBody('o', junk, Buffer.alloc(70, i)) });
        assert.equal(r.statusCode, 400);
      }
      const ok = [ownSth(own, 1), ownSth(own, 2)];
      for (const s of ok)
        assert.equal((await env.app.inject({ method: 'POST', url: ADD, payload: blobBody('o', s.blob, s.signature) })).statusCode, 200);
      // Exact resubmissions are answered from what is stored and cost the source nothing.
      assert.equal(
        (await env.app.inject({ method: 'POST', url: ADD, payload: blobBody('o', ok[0].blob, ok[0].signature) })).statusCode,
        200,
      );
      const s3 = ownSth(own, 3);
      const r = await env.app.inject({ method: 'POST', url: ADD, payload: blobBody('o', s3.blob, s3.signature) });
      assert.equal(r.statusCode, 429);
      assert.ok(Number(r.headers['retry-after']) >= 1);
    } finally {
      await env.close();
    }
  });

  it('charges get-entries one read token per entry, and clips a page to what the read burst can pay (issue 9 #9)', async () => {
    const own = newSigner();
    const env = await hubEnv({
      sources: [makeSource({ id: 'o', kind: 'RFC6962STH', publicKey: own.publicKey })],
      quota: { perClient: { read: { rate: 0.001, burst: 5 } } },
      clock: () => 9_000_000,
    });
    try {
      for (let i = 1; i <= 8; i++) {
        const s = ownSth(own, i);
        assert.equal((await env.app.inject({ method: 'POST', url: ADD, payload: blobBody('o', s.blob, s.signature) })).statusCode, 200);
      }
      await settle(env);
      const page = await env.app.inject({ url: ep('get-entries', 'start=0&end=7'), remoteAddress: '10.0.0.7' });
      assert.equal(page.statusCode, 200);
      assert.equal(page.json().entries.length, 5, 'clipped to the burst of 5');
      const next = await env.app.inject({ url: ep('get-entries', 'start=5&end=5'), remoteAddress: '10.0.0.7' });
      assert.equal(next.statusCode, 429, 'the five entries spent the five tokens');
    } finally {
      await env.close();
    }
  });

  it('charges reads per client', async () => {
    const env = await hubEnv({ quota: { perClient: { read: { rate: 1, burst: 2 } } }, clock: () => 7_000_000, sequencers: false });
    try {
      assert.equal((await env.app.inject({ url: ep('get-sth') })).statusCode, 200);
      assert.equal((await env.app.inject({ url: ep('get-source-keys') })).statusCode, 200);
      const r = await env.app.inject({ url: ep('get-sth') });
      assert.equal(r.statusCode, 429);
      assert.equal(r.headers['retry-after'], '1');
    } finally {
      await env.close();
    }
  });
});

describe('hub limits', () => {
  it('answers 413 for a body above the limit, and 400 for a blob above 65535 bytes', async () => {
    const small = await hubEnv({ bodyLimit: 2048, sequencers: false });
    try {
      const r = await small.app.inject({ method: 'POST', url: ADD, payload: blobBody('a', Buffer.alloc(4096), Buffer.alloc(0)) });
      assert.equal(r.statusCode, 413);
      assert.equal(r.json().error, 'BODY_TOO_LARGE');
    } finally {
      await small.close();
    }
    const big = await hubEnv({ bodyLimit: 1024 * 1024, sequencers: false });
    try {
      const r = await big.app.inject({
        method: 'POST',
        url: ADD,
        payload: blobBody(sourceIdOf(ctSths.real_log_sths[0]), Buffer.alloc(65536), Buffer.alloc(0)),
      });
      assert.equal(r.statusCode, 400);
      assert.equal(r.json().error, 'BAD_REQUEST');
    } finally {
      await big.close();
    }
  });
});

describe('the MMD promise guard', () => {
  it('refuses new SGTs (503 BACKLOG) while the oldest queued entry is older than MMD/2, counts MMD violations, and accepts again as soon as the backlog is merged', async () => {
    const own = newSigner();
    let now = 10_000_000;
    const env = await hubEnv({
      sources: [makeSource({ id: 'o', kind: 'RFC6962STH', publicKey: own.publicKey })],
      clock: () => now,
      mmdMs: 10_000,
      refreshIntervalMs: 3_600_000, // the watchdog is stepped by hand below
      sequencers: false, // nothing sequences: the queue only ages
    });
    const watchdog = env.hubs[0].tree.watchdog;
    try {
      const send = (n: number) => {
        const s = ownSth(own, n);
        return env.app.inject({ method: 'POST', url: ADD, payload: blobBody('o', s.blob, s.signature) });
      };
      assert.equal((await send(1)).statusCode, 200);
      now += 4000;
      await watchdog.check();
      assert.equal((await send(2)).statusCode, 200, 'within MMD/2');
      now += 7000;
      await watchdog.check();
      assert.match(env.hub.readiness().detail, /refusing new entries \(backlog\)/);
      const r = await send(3);
      assert.equal(r.statusCode, 503);
      assert.equal(r.json().error, 'BACKLOG');
      assert.equal(r.headers['retry-after'], '1');
      assert.equal((await send(1)).statusCode, 200, 'resubmissions are still answered');
      assert.match((await env.app.inject({ url: '/metrics' })).body, /grapevine_log_mmd_violations_total\{tree="hub-gamut"\} 1/);
      // The refusal ends with its cause: once the queue is merged, the next submission is accepted without waiting
      // for the watchdog's timer (a refusing watchdog probes again on each submission).
      await new Sequencer({ storage: env.storage, tree: env.hubs[0].log.tree, signer: env.signer, clock: () => now }).runOnce();
      assert.equal((await send(3)).statusCode, 200, 'accepted as soon as the backlog is merged');
      assert.doesNotMatch(env.hub.readiness().detail, /refusing/);
    } finally {
      await env.close();
    }
  });
});

describe('several hub instances in one process', () => {
  it('serves each prefix from its own tree', async () => {
    const own = newSigner();
    const env = await hubEnv({ prefixes: ['a', 'b/c'], sources: [makeSource({ id: 'o', kind: 'RFC6962STH', publicKey: own.publicKey })] });
    try {
      const s = ownSth(own, 5);
      assert.equal(
        (await env.app.inject({ method: 'POST', url: '/a/gossip/v0/add-signed-blob', payload: blobBody('o', s.blob, s.signature) }))
          .statusCode,
        200,
      );
      await settle(env);
      const size = async (p: string) =>
        decodeHubTreeHead(Buffer.from((await env.app.inject({ url: `/${p}/gossip/v0/get-sth` })).json().head_data, 'base64')).treeSize;
      assert.equal(await size('a'), 1);
      assert.equal(await size('b/c'), 0);
      assert.notEqual(env.hubs[0].log.tree.id, env.hubs[1].log.tree.id);
    } finally {
      await env.close();
    }
  });
});
