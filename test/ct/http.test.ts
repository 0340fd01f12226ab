/** The RFC 6962 §4 HTTP API through fastify inject(): request parameters, JSON fields, statuses. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { encodeMerkleTreeLeaf, parseAddChainResponse, parseGetEntries, parseGetSth } from '../../src/codec/index.ts';
import { hashLeaf } from '../../src/merkle/index.ts';
import { type DemoSet, mintLeaf } from '../../src/x509/testca/index.ts';
import { demoSet, newCtApp } from './fixtures.ts';

type App = Awaited<ReturnType<typeof newCtApp>>;
const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');
const body = (chain: Uint8Array[]) => JSON.stringify({ chain: chain.map(b64) });

describe('RFC 6962 HTTP API', () => {
  let d: DemoSet;
  let t: App;
  let leafTs = 0;
  before(async () => {
    d = await demoSet();
    t = await newCtApp({ maxGetEntries: 2 });
    const r = await t.app.inject({
      method: 'POST',
      url: '/ct/v1/add-chain',
      payload: body([d.leaf.der, d.intermediate.der]),
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(r.statusCode, 200, r.body);
    leafTs = JSON.parse(r.body).timestamp;
    for (const n of ['a', 'b', 'c']) {
      const leaf = await mintLeaf(d.intermediate, { dnsNames: [`${n}.http.grapevine.test`] });
      await t.app.inject({ method: 'POST', url: '/ct/v1/add-chain', payload: body([leaf.der, d.intermediate.der]) });
    }
    await t.sequence();
  });
  after(() => t.close());

  const get = (url: string) => t.app.inject({ method: 'GET', url: `/ct/v1/${url}` });
  const post = (ep: string, payload: string, contentType = 'application/json') =>
    t.app.inject({ method: 'POST', url: `/ct/v1/${ep}`, payload, headers: { 'content-type': contentType } });
  const errorCode = (r: { body: string }) => JSON.parse(r.body).error;

  describe('add-chain (§4.1) and add-pre-chain (§4.2)', () => {
    it('answers exactly the SCT fields sct_version, id, timestamp, extensions, signature', async () => {
      const r = await post('add-pre-chain', body([d.precert.der, d.intermediate.der]));
      assert.equal(r.statusCode, 200, r.body);
      assert.deepEqual(Object.keys(JSON.parse(r.body)).sort(), ['extensions', 'id', 'sct_version', 'signature', 'timestamp']);
      const sct = parseAddChainResponse(r.body);
      assert.deepEqual(sct.logId, t.opened.ct.logId);
    });

    it('takes the body whatever its Content-Type', async () => {
      const r = await post('add-chain', body([d.leaf.der, d.intermediate.der]), 'text/plain');
      assert.equal(r.statusCode, 200, r.body);
      assert.equal(JSON.parse(r.body).timestamp, leafTs, 'a resubmission keeps its original timestamp');
    });

    const bad: [string, string, string][] = [
      ['not JSON', 'chain:', 'BAD_REQUEST'],
      ['no chain field', '{}', 'BAD_REQUEST'],
      ['chain not an array', '{"chain":"x"}', 'BAD_REQUEST'],
      ['an element not base64', '{"chain":["not base64!"]}', 'BAD_REQUEST'],
      ['an empty chain', '{"chain":[]}', 'EMPTY_CHAIN'],
      ['a non-certificate', '{"chain":["AAAA"]}', 'BAD_CERTIFICATE'],
    ];
    for (const [desc, payload, code] of bad) {
      it(`answers 400 ${code} for ${desc}`, async () => {
        const r = await post('add-chain', payload);
        assert.equal(r.statusCode, 400);
        assert.equal(errorCode(r), code);
      });
    }

    it('answers 400 PRECERT_IN_ADD_CHAIN for a precertificate on add-chain, NOT_A_PRECERT for a certificate on add-pre-chain', async () => {
      const a = await post('add-chain', body([d.precert.der, d.intermediate.der]));
      assert.equal(a.statusCode, 400);
      assert.equal(errorCode(a), 'PRECERT_IN_ADD_CHAIN');
      const b = await post('add-pre-chain', body([d.leaf.der, d.intermediate.der]));
      assert.equal(b.statusCode, 400);
      assert.equal(errorCode(b), 'NOT_A_PRECERT');
    });

    it('answers 405 with Allow: POST for GET', async () => {
      const r = await get('add-chain');
      assert.equal(r.statusCode, 405);
      assert.equal(r.headers.allow, 'POST');
    });
  });

  describe('get-sth (§4.3)', () => {
    it('answers tree_size, timestamp, sha256_root_hash, tree_head_signature', async () => {
      const r = await get('get-sth');
      assert.equal(r.statusCode, 200);
      assert.deepEqual(Object.keys(JSON.parse(r.body)).sort(), ['sha256_root_hash', 'timestamp', 'tree_head_signature', 'tree_size']);
      assert.equal(parseGetSth(r.body).treeSize, 4);
    });

    it('answers 405 for POST', async () => {
      assert.equal((await post('get-sth', '{}')).statusCode, 405);
    });
  });

  describe('get-sth-consistency (§4.4)', () => {
    it('answers a consistency array', async () => {
      const r = await get('get-sth-consistency?first=1&second=4');
      assert.equal(r.statusCode, 200);
      assert.equal(JSON.parse(r.body).consistency.length, 2);
      assert.deepEqual(JSON.parse((await get('get-sth-consistency?first=0&second=4')).body), { consistency: [] });
    });

    for (const q of [
      'first=1',
      'second=2',
      'first=3&second=2',
      'first=-1&second=2',
      'first=1e0&second=2',
      'first=0x1&second=2',
      'first=1&first=1&second=2',
      'first=1&second=5',
      'first=0&second=5',
      'first=+1&second=2',
    ]) {
      it(`answers 400 for ${q}`, async () => {
        const r = await get(`get-sth-consistency?${q}`);
        assert.equal(r.statusCode, 400, r.body);
      });
    }
  });

  describe('get-proof-by-hash (§4.5)', () => {
    const leafHash = () =>
      hashLeaf(
        encodeMerkleTreeLeaf({
          timestamp: leafTs,
          signedEntry: { entryType: 'x509_entry', certificate: d.leaf.der },
          extensions: Buffer.alloc(0),
        }),
      );

    it('answers leaf_index and audit_path', async () => {
      const r = await get(`get-proof-by-hash?hash=${encodeURIComponent(b64(leafHash()))}&tree_size=4`);
      assert.equal(r.statusCode, 200, r.body);
      assert.deepEqual(JSON.parse(r.body).leaf_index, 0);
      assert.equal(JSON.parse(r.body).audit_path.length, 2);
    });

    it('accepts a hash whose + arrived as a space (unescaped query)', async () => {
      const h = b64(leafHash());
      const r = await get(`get-proof-by-hash?hash=${h.replaceAll('+', '%20').replaceAll('/', '%2F')}&tree_size=4`);
      assert.equal(r.statusCode, 200, r.body);
    });

    it('answers 404 NOT_FOUND for a hash not in the tree', async () => {
      const r = await get(`get-proof-by-hash?hash=${encodeURIComponent(b64(Buffer.alloc(32, 1)))}&tree_size=4`);
      assert.equal(r.statusCode, 404);
      assert.equal(errorCode(r), 'NOT_FOUND');
    });

    for (const [desc, q] of [
      ['a non-base64 hash', 'hash=%%%&tree_size=4'],
      ['a 31-byte hash', `hash=${encodeURIComponent(b64(Buffer.alloc(31)))}&tree_size=4`],
      ['tree_size 0', `hash=${encodeURIComponent(b64(Buffer.alloc(32)))}&tree_size=0`],
      ['tree_size beyond the tree', `hash=${encodeURIComponent(b64(Buffer.alloc(32)))}&tree_size=5`],
      ['no tree_size', `hash=${encodeURIComponent(b64(Buffer.alloc(32)))}`],
    ]) {
      it(`answers 400 for ${desc}`, async () => {
        assert.equal((await get(`get-proof-by-hash?${q}`)).statusCode, 400);
      });
    }
  });

  describe('get-entries (§4.6)', () => {
    it('answers leaf_input and extra_data per entry, at most the batch limit', async () => {
      const r = await get('get-entries?start=0&end=3');
      assert.equal(r.statusCode, 200);
      const entries = parseGetEntries(r.body);
      assert.equal(entries.length, 2, 'maxGetEntries is 2 in this log');
      assert.deepEqual(Object.keys(JSON.parse(r.body).entries[0]).sort(), ['extra_data', 'leaf_input']);
    });

    it('clamps end to the tree size (partial answer)', async () => {
      const r = await get('get-entries?start=3&end=100');
      assert.equal(r.statusCode, 200);
      assert.equal(parseGetEntries(r.body).length, 1);
    });

    for (const end of ['9007199254740991', '9007199254740992', '18446744073709551615', '9'.repeat(30)]) {
      it(`clips a huge end (${end}) to the tree size instead of refusing it`, async () => {
        const r = await get(`get-entries?start=3&end=${end}`);
        assert.equal(r.statusCode, 200, r.body);
        assert.equal(parseGetEntries(r.body).length, 1);
      });
    }

    for (const q of ['start=2&end=1', 'start=4&end=5', 'start=a&end=1', 'start=0', 'end=1', 'start=0&end=1&end=2']) {
      it(`answers 400 for ${q}`, async () => {
        const r = await get(`get-entries?${q}`);
        assert.equal(r.statusCode, 400);
        assert.equal(r.json().error, 'BAD_REQUEST');
      });
    }
  });

  describe('get-roots (§4.7)', () => {
    it('answers the accepted roots as base64 DER', async () => {
      const r = await get('get-roots');
      assert.deepEqual(JSON.parse(r.body), { certificates: [b64(d.root.der)] });
    });
  });

  describe('get-entry-and-proof (§4.8)', () => {
    it('answers leaf_input, extra_data and audit_path', async () => {
      const r = await get('get-entry-and-proof?leaf_index=2&tree_size=4');
      assert.equal(r.statusCode, 200);
      assert.deepEqual(Object.keys(JSON.parse(r.body)).sort(), ['audit_path', 'extra_data', 'leaf_input']);
    });

    for (const q of ['leaf_index=4&tree_size=4', 'leaf_index=0&tree_size=5', 'leaf_index=0', 'tree_size=1']) {
      it(`answers 400 for ${q}`, async () => {
        assert.equal((await get(`get-entry-and-proof?${q}`)).statusCode, 400);
      });
    }
  });

  describe('metrics', () => {
    it('counts requests by endpoint and status', async () => {
      const text = await t.registry.metrics();
      assert.match(text, /grapevine_ct_requests_total\{log="ct",endpoint="add-chain",status="400"\} [1-9]/);
      assert.match(text, /grapevine_ct_rejections_total\{log="ct",entry_type="x509_entry",code="PRECERT_IN_ADD_CHAIN"\} 1/);
      assert.match(text, /grapevine_ct_submissions_total\{log="ct",entry_type="x509_entry",duplicate="true"\} 1/);
    });
  });
});

describe('RFC 6962 HTTP API limits', () => {
  it('answers 429 with Retry-After when a client runs out of submissions', async () => {
    const d = await demoSet();
    // A still clock: on the wall clock a slow first request would refill part of the bucket and shorten Retry-After.
    const now = Date.now();
    const t = await newCtApp({}, { clock: () => now, quotas: { perClient: { write: { rate: 0.5, burst: 1 } } } });
    const ok = await t.app.inject({ method: 'POST', url: '/ct/v1/add-chain', payload: body([d.leaf.der, d.intermediate.der]) });
    assert.equal(ok.statusCode, 200);
    const r = await t.app.inject({ method: 'POST', url: '/ct/v1/add-chain', payload: body([d.leaf.der, d.intermediate.der]) });
    assert.equal(r.statusCode, 429);
    assert.equal(r.headers['retry-after'], '2');
    await t.close();
  });

  it('answers 429 for reads past the per-client read quota', async () => {
    const t = await newCtApp({}, { quotas: { perClient: { read: { rate: 0.001, burst: 2 } } } });
    assert.equal((await t.app.inject({ method: 'GET', url: '/ct/v1/get-sth' })).statusCode, 200);
    assert.equal((await t.app.inject({ method: 'GET', url: '/ct/v1/get-sth' })).statusCode, 200);
    assert.equal((await t.app.inject({ method: 'GET', url: '/ct/v1/get-sth' })).statusCode, 429);
    await t.close();
  });

  it('charges get-roots one read token like every read, and get-entries one per entry (issue 9 #9)', async () => {
    const d = await demoSet();
    const t = await newCtApp({}, { clock: () => 1_000, quotas: { perClient: { read: { rate: 0.001, burst: 3 } } } });
    for (const chain of [
      [d.leaf.der, d.intermediate.der],
      [d.precert.der, d.intermediate.der],
    ]) {
      const url = chain[0] === d.leaf.der ? '/ct/v1/add-chain' : '/ct/v1/add-pre-chain';
      assert.equal((await t.app.inject({ method: 'POST', url, payload: body(chain), remoteAddress: '10.0.0.1' })).statusCode, 200);
    }
    await t.sequence();
    const get = (url: string) => t.app.inject({ method: 'GET', url, remoteAddress: '10.0.0.9' });
    assert.equal((await get('/ct/v1/get-roots')).statusCode, 200);
    const page = await get('/ct/v1/get-entries?start=0&end=1');
    assert.equal(page.json().entries.length, 2);
    assert.equal((await get('/ct/v1/get-roots')).statusCode, 429, '1 + 2 tokens spent');
    await t.close();
  });

  it('serves under a URL prefix', async () => {
    const t = await newCtApp({ prefix: '/logs/2026' });
    assert.equal((await t.app.inject({ method: 'GET', url: '/logs/2026/ct/v1/get-sth' })).statusCode, 200);
    assert.equal((await t.app.inject({ method: 'GET', url: '/ct/v1/get-sth' })).statusCode, 404);
    await t.close();
  });

  it('runs two CT logs in one app and registry, under their own prefixes and metric labels', async () => {
    const { openStorage } = await import('../../src/storage/index.ts');
    const { openCtLog } = await import('../../src/personalities/ct/index.ts');
    const { startServer } = await import('../../src/server/index.ts');
    const { Registry } = await import('prom-client');
    const { newSigner } = await import('../support/keys.ts');
    const d = await demoSet();
    const storage = await openStorage('sqlite::memory:');
    const registry = new Registry();
    const parts = [];
    for (const name of ['shard-a', 'shard-b']) {
      parts.push(
        await openCtLog(
          { tree: name, prefix: name, signer: newSigner(), roots: [d.root.der] },
          { storage, registry, createMissing: true, sequencer: false },
        ),
      );
    }
    const server = await startServer({ host: '127.0.0.1', port: 0, parts, registry, storage, ownStorage: true, listen: false });
    const { app } = server;
    const r = await app.inject({ method: 'POST', url: '/shard-b/ct/v1/add-chain', payload: body([d.leaf.der, d.intermediate.der]) });
    assert.equal(r.statusCode, 200);
    assert.equal((await app.inject({ method: 'GET', url: '/shard-a/ct/v1/get-roots' })).statusCode, 200);
    assert.match(await registry.metrics(), /grapevine_ct_submissions_total\{log="shard-b",entry_type="x509_entry",duplicate="false"\} 1/);
    const ready = (await app.inject({ url: '/readyz' })).json();
    assert.deepEqual(Object.keys(ready.checks).sort(), ['ct:shard-a', 'ct:shard-b', 'storage']);
    await server.close();
  });

  it("shares the registry's log-core metrics with whoever made them first (hubs in the same process)", async () => {
    const { openStorage } = await import('../../src/storage/index.ts');
    const { openCtLog } = await import('../../src/personalities/ct/index.ts');
    const { LogMetrics } = await import('../../src/log/index.ts');
    const { Registry } = await import('prom-client');
    const { newSigner } = await import('../support/keys.ts');
    const d = await demoSet();
    const storage = await openStorage('sqlite::memory:');
    const registry = new Registry();
    const logMetrics = new LogMetrics(registry);
    const spec = { tree: 'ct', signer: newSigner(), roots: [d.root.der] };
    const part = await openCtLog(spec, { storage, registry, createMissing: true, sequencer: false });
    await part.ct.processAddChain('x509_entry', [d.leaf.der, d.intermediate.der], { quotaUser: 'ip:192.0.2.1' });
    assert.equal(LogMetrics.of(registry), logMetrics);
    assert.match(await registry.metrics(), /grapevine_log_leaves_queued_total\{tree="ct"\} 1/);
    await storage.close();
  });

  it('refuses to open a missing tree unless asked to create it, a tree of another personality, and another key', async () => {
    const { openStorage } = await import('../../src/storage/index.ts');
    const { openCtLog } = await import('../../src/personalities/ct/index.ts');
    const { SetupError } = await import('../../src/errors.ts');
    const { Log } = await import('../../src/log/index.ts');
    const { newSigner } = await import('../support/keys.ts');
    const { assertRejectsCode } = await import('../support/assert-code.ts');
    const d = await demoSet();
    const storage = await openStorage('sqlite::memory:');
    const signer = newSigner();
    await assertRejectsCode(openCtLog({ tree: 'x', signer, roots: [d.root.der] }, { storage }), SetupError, 'MISSING_TREE');
    await Log.create(storage, 'hubby', 'hub', signer);
    await assertRejectsCode(openCtLog({ tree: 'hubby', signer, roots: [d.root.der] }, { storage }), SetupError, 'WRONG_PERSONALITY');
    await openCtLog({ tree: 'x', signer, roots: [d.root.der] }, { storage, createMissing: true, sequencer: false });
    await assertRejectsCode(openCtLog({ tree: 'x', signer: newSigner(), roots: [d.root.der] }, { storage }), SetupError, 'WRONG_KEY');
    await assertRejectsCode(openCtLog({ tree: 'x', signer, roots: [] }, { storage }), SetupError, 'BAD_CONFIG');
    await storage.close();
  });
});
