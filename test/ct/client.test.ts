/**
 * CtClient (the verifying RFC 6962 client behind `grapevine ct`) on the
 * shared vectors: real and test-key STHs and their negatives
 * (ct-sths.json), malformed get-sth bodies, a real consistency pair, a real
 * audit path, real get-entries bodies, canned bodies and malformed bodies of
 * every endpoint (ct-get-responses.json). A fake fetch serves the bodies.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SignedTreeHead } from '../../src/codec/index.ts';
import { parsePublicKey } from '../../src/crypto/index.ts';
import { CtClient, CtClientError } from '../../src/ct/index.ts';
import { hashLeaf } from '../../src/merkle/index.ts';
import { assertRejectsCode } from '../support/assert-code.ts';
import { loadTestdata } from '../testdata.ts';

const sths = loadTestdata('ct-sths.json');
const responses = loadTestdata('ct-get-responses.json');

/** A client whose fetch answers `route(path)` with 200 (or the given status). */
function fake(route: (path: string) => string | [number, string], key: string | null = null): CtClient {
  const f = (async (input: string | URL) => {
    const path = String(input).replace(/^https:\/\/log\.test\/ct\/v1\//, '');
    const r = route(path);
    const [status, body] = typeof r === 'string' ? [200, r] : r;
    return new Response(body, { status });
  }) as typeof fetch;
  return new CtClient({ url: 'https://log.test/', logKey: key ? parsePublicKey(key) : null, fetch: f });
}

const sthBody = (sth: Record<string, unknown>) => JSON.stringify(sth);

describe('CtClient.getSth on ct-sths.json', () => {
  const cases = [...sths.real_log_sths, ...sths.test_key_sths, ...sths.negative_sths];
  it('covers every real, test-key and negative STH', () => {
    assert.equal(cases.length, sths.counts.real_log_sths + sths.counts.test_key_sths + sths.counts.negative);
  });
  for (const c of cases) {
    it(`${c.id}: ${c.expect}`, async () => {
      // The unknown-log case is a gossiped STH: its claim to come from log_id "BLAH…" is what must fail.
      const body = c.pollination_log_id ? { ...c.sth, sth_version: c.sth_version, log_id: c.pollination_log_id } : c.sth;
      const client = fake(() => sthBody(body), c.log.key);
      if (c.expect === 'valid') {
        const sth = await client.getSth();
        assert.equal(sth.treeSize, c.sth.tree_size);
        assert.equal(Buffer.from(c.tbs_hex, 'hex').length, 50);
      } else {
        const code = c.signature_parse_error || /length field/.test(c.why) ? 'BAD_RESPONSE' : 'BAD_SIGNATURE';
        await assertRejectsCode(client.getSth(), CtClientError, code);
      }
    });
  }

  it('accepts the stripped trailing-junk signature (the genuine Argon2018 STH)', async () => {
    const c = sths.negative_sths.find((x: { id: string }) => x.id === 'ctgo-logclient-trailingjunk');
    const sth = await fake(() => sthBody({ ...c.sth, tree_head_signature: c.stripped_signature_that_verifies }), c.log.key).getSth();
    assert.equal(sth.treeSize, c.sth.tree_size);
  });

  it('verifies the three sth-pollination STHs (gossiped form, with sth_version and log_id)', async () => {
    const key = sths.real_log_sths.find(
      (x: { log: { log_id: string } }) => x.log.log_id === sths.sth_pollination_request.body.sths[0].log_id,
    ).log.key;
    for (const s of sths.sth_pollination_request.body.sths) await fake(() => sthBody(s), key).getSth();
  });

  for (const m of sths.malformed_get_sth_bodies) {
    it(`rejects the malformed get-sth body "${m.desc}" with BAD_RESPONSE`, async () => {
      await assertRejectsCode(fake(() => m.get_sth_body).getSth(), CtClientError, 'BAD_RESPONSE');
    });
  }

  it('rejects a non-200 answer with HTTP and keeps the status', async () => {
    await assertRejectsCode(fake(() => [503, 'busy']).getSth(), CtClientError, 'HTTP');
  });
});

describe('CtClient.verifyConsistency on the sth_pairs of ct-sths.json', () => {
  const byId = (id: string) => [...sths.real_log_sths, ...sths.test_key_sths].find((x: { id: string }) => x.id === id);
  const pair = sths.sth_pairs.find((p: { consistency_proof_hex?: string[] }) => p.consistency_proof_hex);
  const [a, b] = pair.sth_ids.map(byId);
  const proofBody = (hex: string[]) => JSON.stringify({ consistency: hex.map((h) => Buffer.from(h, 'hex').toString('base64')) });

  async function heads(): Promise<[SignedTreeHead, SignedTreeHead]> {
    const first = await fake(() => sthBody(a.sth), a.log.key).getSth();
    const second = await fake(() => sthBody(b.sth), b.log.key).getSth();
    return [first, second];
  }

  it(`accepts the ${pair.first} → ${pair.second} proof`, async () => {
    const [first, second] = await heads();
    const c = fake((p) => {
      assert.equal(p, `get-sth-consistency?first=${pair.first}&second=${pair.second}`);
      return proofBody(pair.consistency_proof_hex);
    });
    assert.equal((await c.verifyConsistency(first, second)).length, 4);
  });

  for (const n of pair.negative_proofs) {
    it(`rejects: ${n.desc}`, async () => {
      const [first, second] = await heads();
      if (n.path_hex) {
        // Two-byte "hashes" do not even parse as a consistency body (32-byte nodes).
        await assertRejectsCode(fake(() => proofBody(n.path_hex)).verifyConsistency(first, second), CtClientError, 'BAD_RESPONSE');
        // And 32-byte garbage parses but does not verify.
        const garbage = n.path_hex.map((h: string) => h.repeat(16));
        await assertRejectsCode(fake(() => proofBody(garbage)).verifyConsistency(first, second), CtClientError, 'BAD_PROOF');
      } else {
        await assertRejectsCode(
          fake(() => proofBody(pair.consistency_proof_hex)).verifyConsistency(second, first),
          CtClientError,
          'MISMATCH',
        );
      }
    });
  }

  it('checks the Aviator group one by one (no proof exists for it)', async () => {
    const group = sths.sth_pairs.find((p: { consistency_proof_hex?: string[] }) => !p.consistency_proof_hex);
    const got: SignedTreeHead[] = [];
    for (const id of group.sth_ids) got.push(await fake(() => sthBody(byId(id).sth), byId(id).log.key).getSth());
    got.sort((x, y) => x.timestamp - y.timestamp);
    assert.ok(
      got.every((s, i) => i === 0 || s.treeSize >= got[i - 1].treeSize),
      'the log only grew',
    );
  });
});

describe('CtClient on ct-get-responses.json', () => {
  it('verifies the real audit path of leaf 848049 in the tree of 3,630,887 (get-proof-by-hash)', async () => {
    const r = responses.real_get_proof_by_hash;
    const leafHash = hashLeaf(Buffer.from(r.leaf_input, 'base64'));
    assert.equal(leafHash.toString('base64'), r.request.hash);
    const sth = { treeSize: r.request.tree_size, sha256RootHash: Buffer.from(r.root_hash_hex, 'hex') } as SignedTreeHead;
    const c = fake(() => JSON.stringify(r.response));
    assert.equal(await c.verifyInclusion(leafHash, sth), r.response.leaf_index);
    const tampered = { ...r.response, audit_path: [...r.response.audit_path].reverse() };
    await assertRejectsCode(fake(() => JSON.stringify(tampered)).verifyInclusion(leafHash, sth), CtClientError, 'BAD_PROOF');
  });

  it('parses the real get-entries body and hashes each leaf as computed', async () => {
    const c = fake(() => JSON.stringify(responses.real_get_entries_response.body));
    const entries = await c.getEntries(0, 3);
    assert.deepEqual(
      entries.map((e) => hashLeaf(e.leafInput).toString('hex')),
      responses.real_get_entries_response.entries_decoded.map((e: { computed_leaf_hash_hex: string }) => e.computed_leaf_hash_hex),
    );
  });

  it('refuses to audit the real entries against the fake FourEntrySTH (its root does not match)', async () => {
    const fakeSth = responses.real_get_entries_response.fake_sth;
    const c = fake((p) => (p.startsWith('get-entries') ? JSON.stringify(responses.real_get_entries_response.body) : sthBody(fakeSth)));
    await assertRejectsCode(c.audit(), CtClientError, 'MISMATCH');
  });

  it('audits the real entries against the root they really hash to', async () => {
    const body = responses.real_get_entries_response.body;
    const c0 = fake(() => JSON.stringify(body));
    const { CompactRange } = await import('../../src/merkle/index.ts');
    const range = CompactRange.empty();
    for (const e of await c0.getEntries(0, 3)) range.append(hashLeaf(e.leafInput));
    const sth = { treeSize: 4, timestamp: 0, sha256RootHash: range.root() } as SignedTreeHead;
    // A log answering one entry per page: the audit pages on.
    const paged = fake((p) => {
      const start = Number(/start=(\d+)/.exec(p)?.[1]);
      return JSON.stringify({ entries: body.entries.slice(start, start + 1) });
    });
    const r = await paged.audit({ sth, pageSize: 2 });
    assert.equal(r.entries, 4);
    assert.equal(r.x509Entries, 4);
  });

  for (const c of responses.canned_responses) {
    it(`parses the canned ${c.endpoint} body`, async () => {
      const client = fake(() => c.body);
      if (c.endpoint === 'get-proof-by-hash')
        assert.equal((await client.getProofByHash(Buffer.from(c.request.hash_hex, 'hex'), c.request.tree_size)).leafIndex, 3);
      else if (c.endpoint === 'get-sth-consistency')
        assert.equal((await client.getSthConsistency(c.request.first, c.request.second)).length, 2);
      else
        assert.equal((await client.getEntryAndProof(c.request.leaf_index, c.request.tree_size)).leaf.timestamp, c.decoded_leaf.timestamp);
    });
  }

  for (const [endpoint, bodies] of Object.entries(responses.error_bodies) as [string, { desc: string; body: string }[]][]) {
    for (const b of bodies) {
      it(`rejects the malformed ${endpoint} body "${b.desc}" with BAD_RESPONSE`, async () => {
        const client = fake(() => b.body);
        const call: Record<string, () => Promise<unknown>> = {
          'get-sth-consistency': () => client.getSthConsistency(1, 2),
          'get-proof-by-hash': () => client.getProofByHash(Buffer.alloc(32), 2),
          'get-entries': () => client.getEntries(0, 1),
          'get-entry-and-proof': () => client.getEntryAndProof(0, 2),
        };
        assert.ok(call[endpoint], `no call for ${endpoint}`);
        await assertRejectsCode(call[endpoint](), CtClientError, 'BAD_RESPONSE');
      });
    }
  }
});
