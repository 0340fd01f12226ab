import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { decodeMerkleTreeLeaf, encodeMerkleTreeLeaf, encodeSctSignatureInput, encodeTreeHeadSignature } from '../../src/codec/index.ts';
import { rfc6962LogId, verifyDigitallySigned } from '../../src/crypto/index.ts';
import { SetupError } from '../../src/errors.ts';
import { backlogProbe, LogError, LogMetrics, type MergeWatchdog, QuotaError, RequestQuotas } from '../../src/log/index.ts';
import { hashLeaf, verifyConsistency, verifyInclusion } from '../../src/merkle/index.ts';
import { CtError } from '../../src/personalities/ct/index.ts';
import { type DemoSet, mintIntermediate, mintLeaf, type TestCert } from '../../src/x509/testca/index.ts';
import { assertRejectsCode } from '../support/assert-code.ts';
import { newSigner } from '../support/keys.ts';
import { demoSet, drain, newCtLog, type TestLog } from './fixtures.ts';

const IP = { quotaUser: 'ip:192.0.2.1' };

describe('CtLog', () => {
  let d: DemoSet;
  let t: TestLog;
  before(async () => {
    d = await demoSet();
    t = await newCtLog();
  });
  after(() => t.close());

  describe('processAddChain', () => {
    it('returns an SCT v1 that verifies with the log key over the RFC 6962 §3.2 input', async () => {
      const sct = await t.ct.processAddChain('x509_entry', [d.leaf.der, d.intermediate.der], IP);
      assert.deepEqual(sct.logId, rfc6962LogId(t.signer.publicKey));
      assert.equal(sct.extensions.length, 0);
      const input = encodeSctSignatureInput({
        timestamp: sct.timestamp,
        signedEntry: { entryType: 'x509_entry', certificate: d.leaf.der },
        extensions: Buffer.alloc(0),
      });
      verifyDigitallySigned(t.signer.publicKey, input, sct.signature);
    });

    it('answers a resubmission with the original timestamp and a valid SCT over the logged entry', async () => {
      const first = await t.ct.processAddChain('precert_entry', [d.precert.der, d.intermediate.der], IP);
      await new Promise((r) => setTimeout(r, 5));
      const again = await t.ct.processAddChain('precert_entry', [d.precert.der, d.intermediate.der, d.root.der], IP);
      assert.equal(again.timestamp, first.timestamp);
      await drain(t.seq);
      const all = await t.ct.processGetEntries(0, 1000, IP);
      const logged = all.map((e) => decodeMerkleTreeLeaf(e.leafInput)).filter((l) => l.signedEntry.entryType === 'precert_entry');
      assert.equal(logged.length, 1, 'the resubmission was not logged again');
      const entry = logged[0];
      assert.equal(entry.timestamp, first.timestamp);
      verifyDigitallySigned(t.signer.publicKey, encodeSctSignatureInput(entry), again.signature);
    });

    it('issues SCTs whose entries get merged and proven (inclusion against the next STH)', async () => {
      const leaf = await mintLeaf(d.intermediate, { dnsNames: ['merged.grapevine.test'] });
      const sct = await t.ct.processAddChain('x509_entry', [leaf.der, d.intermediate.der], IP);
      await drain(t.seq);
      const sth = await t.ct.processGetSth(IP);
      assert.ok(sth.timestamp >= sct.timestamp, 'RFC 6962 §3.5: the STH is at least as recent as the SCTs it covers');
      const value = encodeMerkleTreeLeaf({
        timestamp: sct.timestamp,
        signedEntry: { entryType: 'x509_entry', certificate: leaf.der },
        extensions: Buffer.alloc(0),
      });
      const { leafIndex, auditPath } = await t.ct.processGetProofByHash(hashLeaf(value), sth.treeSize, IP);
      verifyInclusion(leafIndex, sth.treeSize, hashLeaf(value), auditPath, sth.sha256RootHash);
    });

    it('rejects a bad chain with the admission code and queues nothing', async () => {
      const before = (await t.ct.processGetSth(IP)).treeSize;
      await assertRejectsCode(t.ct.processAddChain('x509_entry', [d.precert.der, d.intermediate.der], IP), CtError, 'PRECERT_IN_ADD_CHAIN');
      await drain(t.seq);
      assert.equal((await t.ct.processGetSth(IP)).treeSize, before);
    });
  });

  describe('processGetSth', () => {
    it('signs the head as a TreeHeadSignature (RFC 6962 §3.5) with the head timestamp', async () => {
      await drain(t.seq);
      const sth = await t.ct.processGetSth(IP);
      const head = await t.log.latestHead();
      assert.equal(sth.timestamp, head.timestamp);
      assert.equal(sth.treeSize, head.size);
      verifyDigitallySigned(t.signer.publicKey, encodeTreeHeadSignature(sth), sth.treeHeadSignature);
    });

    it('serves the same signed bytes while the head revision is unchanged', async () => {
      const a = await t.ct.processGetSth(IP);
      const b = await t.ct.processGetSth(IP);
      assert.deepEqual(a.treeHeadSignature.signature, b.treeHeadSignature.signature);
    });
  });

  describe('proofs and entries', () => {
    it('proves consistency between successive STHs (RFC 6962 §4.4)', async () => {
      const old = await t.ct.processGetSth(IP);
      for (const name of ['c1', 'c2', 'c3']) {
        const leaf = await mintLeaf(d.intermediate, { dnsNames: [`${name}.grapevine.test`] });
        await t.ct.processAddChain('x509_entry', [leaf.der, d.intermediate.der], IP);
      }
      await drain(t.seq);
      const cur = await t.ct.processGetSth(IP);
      assert.ok(cur.treeSize > old.treeSize);
      const proof = await t.ct.processGetSthConsistency(old.treeSize, cur.treeSize, IP);
      verifyConsistency(old.treeSize, cur.treeSize, proof, old.sha256RootHash, cur.sha256RootHash);
      assert.deepEqual(await t.ct.processGetSthConsistency(0, cur.treeSize, IP), []);
      assert.deepEqual(await t.ct.processGetSthConsistency(cur.treeSize, cur.treeSize, IP), []);
    });

    it('refuses sizes beyond the current tree with a 400-class error', async () => {
      const cur = await t.ct.processGetSth(IP);
      await assertRejectsCode(t.ct.processGetSthConsistency(1, cur.treeSize + 1, IP), LogError, 'BAD_REQUEST');
      await assertRejectsCode(t.ct.processGetSthConsistency(0, cur.treeSize + 1, IP), CtError, 'BAD_REQUEST');
      await assertRejectsCode(t.ct.processGetEntryAndProof(0, cur.treeSize + 1, IP), LogError, 'BAD_REQUEST');
      await assertRejectsCode(t.ct.processGetEntries(cur.treeSize, cur.treeSize + 5, IP), LogError, 'BAD_REQUEST');
    });

    it('answers an unknown hash with NOT_FOUND', async () => {
      const cur = await t.ct.processGetSth(IP);
      await assertRejectsCode(t.ct.processGetProofByHash(Buffer.alloc(32, 7), cur.treeSize, IP), CtError, 'NOT_FOUND');
    });

    it('returns entries clamped to the tree, with their chains as extra_data (RFC 6962 §4.6)', async () => {
      const cur = await t.ct.processGetSth(IP);
      const all = await t.ct.processGetEntries(0, cur.treeSize + 100, IP);
      assert.equal(all.length, cur.treeSize);
      for (const e of all) assert.ok(e.extraData.length > 0);
      assert.equal((await t.ct.processGetEntries(1, 2, IP)).length, 2);
    });

    it('returns an entry with its audit path (RFC 6962 §4.8)', async () => {
      const cur = await t.ct.processGetSth(IP);
      const e = await t.ct.processGetEntryAndProof(1, cur.treeSize, IP);
      verifyInclusion(1, cur.treeSize, hashLeaf(e.leafInput), e.auditPath, cur.sha256RootHash);
    });

    it('lists the accepted roots', () => {
      assert.deepEqual(t.ct.processGetRoots(IP), [d.root.der]);
    });
  });
});

describe('CtLog quotas and backlog', () => {
  it('charges submissions to the client IP before parsing', async () => {
    const t = await newCtLog({ quotas: new RequestQuotas({ perClient: { write: { rate: 0.001, burst: 1 } } }) });
    const d = await demoSet();
    await t.ct.processAddChain('x509_entry', [d.leaf.der, d.intermediate.der], IP);
    await assertRejectsCode(t.ct.processAddChain('x509_entry', [Buffer.from('junk')], IP), QuotaError, 'EXHAUSTED');
    // Another client is not affected.
    await assertRejectsCode(
      t.ct.processAddChain('x509_entry', [Buffer.from('junk')], { quotaUser: 'ip:192.0.2.2' }),
      CtError,
      'BAD_CERTIFICATE',
    );
    await t.close();
  });

  it('charges new entries, not replays, to their issuers (issue 9 #1): four replays leave a new precertificate its quota', async () => {
    const t = await newCtLog({ quotas: new RequestQuotas({ perSubmitter: { write: { rate: 0.001, burst: 3 } } }) });
    const d = await demoSet();
    const first = await t.ct.processAddChain('x509_entry', [d.leaf.der, d.intermediate.der], IP);
    // The certificate is public once logged: anyone replays it, from anywhere, with or without the root.
    for (let i = 0; i < 4; i++) {
      const again = await t.ct.processAddChain('x509_entry', [d.leaf.der, d.intermediate.der, d.root.der], {
        quotaUser: `ip:198.51.100.${i}`,
      });
      assert.equal(again.timestamp, first.timestamp);
    }
    // Charged before dedup, the replays had emptied the intermediate's and the root's buckets: this was a 429.
    await t.ct.processAddChain('precert_entry', [d.precert.der, d.intermediate.der], { quotaUser: 'ip:192.0.2.9' });
    await t.ct.processAddChain('precert_entry', [d.signedPrecert.der, d.precertSigner.der, d.intermediate.der], {
      quotaUser: 'ip:192.0.2.9',
    });
    // Three new entries under the intermediate: its bucket is empty now, for new entries only.
    const leaf = await mintLeaf(d.intermediate, { dnsNames: ['one-too-many.grapevine.test'] });
    await assertRejectsCode(t.ct.processAddChain('x509_entry', [leaf.der, d.intermediate.der], IP), QuotaError, 'EXHAUSTED');
    await t.ct.processAddChain('x509_entry', [d.leaf.der, d.intermediate.der], IP);
    await t.close();
  });

  it('charges the CAs below the root, and the root only for leaves it issued itself', async () => {
    const t = await newCtLog({ quotas: new RequestQuotas({ perSubmitter: { write: { rate: 0.001, burst: 1 } } }) });
    const d = await demoSet();
    const other = await mintIntermediate(d.root, { subject: 'CN=Sibling CA' });
    const mint = (ca: TestCert, name: string) => mintLeaf(ca, { dnsNames: [`${name}.grapevine.test`] });
    await t.ct.processAddChain('x509_entry', [(await mint(d.intermediate, 'a1')).der, d.intermediate.der], IP);
    await assertRejectsCode(
      t.ct.processAddChain('x509_entry', [(await mint(d.intermediate, 'a2')).der, d.intermediate.der], IP),
      QuotaError,
      'EXHAUSTED',
    );
    // The sibling CA under the same root has its own bucket: the root's was never charged.
    await t.ct.processAddChain('x509_entry', [(await mint(other, 'b1')).der, other.der], IP);
    // A leaf the root issued directly is charged to the root, once.
    await t.ct.processAddChain('x509_entry', [(await mint(d.root, 'r1')).der], IP);
    await assertRejectsCode(t.ct.processAddChain('x509_entry', [(await mint(d.root, 'r2')).der], IP), QuotaError, 'EXHAUSTED');
    await t.close();
  });

  it('refuses submissions with UNAVAILABLE while the oldest unmerged entry is older than MMD/2, and counts MMD violations', async () => {
    let oldest: number | null = null;
    const now = 1_700_000_000_000;
    const registry = new Registry();
    const t = await newCtLog({ clock: () => now, mmdMs: 10_000, backlog: async () => oldest, logMetrics: new LogMetrics(registry) });
    const wd = t.watchdog as MergeWatchdog;
    const violations = async () => (await registry.getSingleMetric('grapevine_log_mmd_violations_total')?.get())?.values[0]?.value ?? 0;
    const d = await demoSet();
    await wd.check();
    await t.ct.processAddChain('x509_entry', [d.leaf.der, d.intermediate.der], IP);
    oldest = now - 5_000; // exactly MMD/2: still accepting
    await wd.check();
    assert.equal(wd.accepting, true);
    oldest = now - 5_001;
    await wd.check();
    assert.equal(wd.accepting, false);
    await assertRejectsCode(t.ct.processAddChain('x509_entry', [d.leaf.der, d.intermediate.der], IP), CtError, 'UNAVAILABLE');
    assert.equal(await violations(), 0);
    oldest = now - 10_001;
    await wd.check();
    assert.equal(await violations(), 1);
    // The refusal ends with its cause: the next submission probes again, without waiting for the watchdog's timer.
    oldest = null;
    assert.equal(wd.accepting, false);
    await t.ct.processAddChain('x509_entry', [d.leaf.der, d.intermediate.der], IP);
    assert.equal(wd.accepting, true);
    await t.close();
  });

  it('probes the oldest unmerged SCT timestamp from storage (backlogProbe)', async () => {
    const t = await newCtLog();
    const d = await demoSet();
    const probe = backlogProbe(t.storage, t.log.tree.id);
    assert.equal(await probe(), null);
    const sct = await t.ct.processAddChain('x509_entry', [d.leaf.der, d.intermediate.der], IP);
    await t.ct.processAddChain('precert_entry', [d.precert.der, d.intermediate.der], IP);
    assert.equal(await probe(), sct.timestamp);
    await drain(t.seq);
    assert.equal(await probe(), null);
    await t.close();
  });

  it('refuses an Ed25519 log key (RFC 6962 §2.1.4) with BAD_CONFIG', async () => {
    await assertRejectsCode(newCtLog({ signer: newSigner('ed25519') }), SetupError, 'BAD_CONFIG');
  });

  it('signs SCTs and STHs with an RSA key too', async () => {
    const t = await newCtLog({ signer: newSigner('rsa') });
    const d = await demoSet();
    const sct = await t.ct.processAddChain('x509_entry', [d.leaf.der, d.intermediate.der], IP);
    assert.equal(sct.signature.signatureAlgorithm, 1);
    await drain(t.seq);
    const sth = await t.ct.processGetSth(IP);
    verifyDigitallySigned(t.signer.publicKey, encodeTreeHeadSignature(sth), sth.treeHeadSignature);
    await t.close();
  });
});
