import 'reflect-metadata';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { before, describe, it } from 'node:test';
import { AsnConvert } from '@peculiar/asn1-schema';
import { Certificate } from '@peculiar/asn1-x509';
import * as x509 from '@peculiar/x509';
import { decodePrecertExtraData, decodeX509ExtraData } from '../../src/codec/index.ts';
import { type AdmissionPolicy, admitChain, CertificateCache, RootStore } from '../../src/personalities/ct/index.ts';
import { OID_CT_POISON, parseCertificate } from '../../src/x509/index.ts';
import {
  type DemoSet,
  mintIntermediate,
  mintLeaf,
  mintPrecert,
  mintPrecertPair,
  mintPrecertSigner,
  mintRoot,
  type TestCert,
} from '../../src/x509/testca/index.ts';
import { assertCtError, demoSet } from './fixtures.ts';

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest();
const NOW = Date.now();

describe('admitChain', () => {
  let d: DemoSet;
  let policy: AdmissionPolicy;
  const ders = (...c: TestCert[]) => c.map((x) => x.der);

  before(async () => {
    d = await demoSet();
    policy = { roots: new RootStore([d.root.der]), maxChainLength: 5, certificates: new CertificateCache() };
  });

  describe('add-chain (x509_entry)', () => {
    it('accepts leaf + intermediate, appends the omitted root to extra_data (RFC 6962 §4.6)', () => {
      const a = admitChain('x509_entry', ders(d.leaf, d.intermediate), policy, NOW);
      assert.equal(a.signedEntry.entryType, 'x509_entry');
      assert.ok(a.signedEntry.entryType === 'x509_entry' && a.signedEntry.certificate.equals(d.leaf.der));
      assert.deepEqual(a.identityHash, sha256(d.leaf.der));
      assert.deepEqual(decodeX509ExtraData(a.extraData), [d.intermediate.der, d.root.der]);
      assert.deepEqual(a.issuerFingerprints, [sha256(d.intermediate.der), sha256(d.root.der)]);
      assert.equal(a.chain.length, 3);
    });

    it('accepts the chain with the root included, giving the same entry', () => {
      const a = admitChain('x509_entry', ders(d.leaf, d.intermediate, d.root), policy, NOW);
      const b = admitChain('x509_entry', ders(d.leaf, d.intermediate), policy, NOW);
      assert.deepEqual(a.extraData, b.extraData);
      assert.deepEqual(a.identityHash, b.identityHash);
    });

    it('drops certificates after the first accepted root', async () => {
      const other = await mintRoot({ subject: 'CN=Unrelated' });
      const a = admitChain('x509_entry', ders(d.leaf, d.intermediate, d.root, other), policy, NOW);
      assert.deepEqual(decodeX509ExtraData(a.extraData), [d.intermediate.der, d.root.der]);
    });

    it('accepts a leaf issued directly by an accepted root, submitted alone', async () => {
      const leaf = await mintLeaf(d.root, { dnsNames: ['direct.grapevine.test'] });
      const a = admitChain('x509_entry', [leaf.der], policy, NOW);
      assert.deepEqual(decodeX509ExtraData(a.extraData), [d.root.der]);
    });

    it('accepts an intermediate submitted as the end entity', () => {
      const a = admitChain('x509_entry', ders(d.intermediate), policy, NOW);
      assert.deepEqual(decodeX509ExtraData(a.extraData), [d.root.der]);
    });

    it('accepts RSA and P-384 chains', async () => {
      const root = await mintRoot({ keyType: 'rsa-2048', subject: 'CN=RSA Root' });
      const inter = await mintIntermediate(root, { keyType: 'ecdsa-p384', subject: 'CN=P-384 Intermediate' });
      const leaf = await mintLeaf(inter, { keyType: 'rsa-2048' });
      const p = { ...policy, roots: new RootStore([root.der]) };
      assert.equal(admitChain('x509_entry', ders(leaf, inter), p, NOW).chain.length, 3);
    });

    it('remembers verified CA links (intermediate ← root) but never the leaf link', () => {
      const cache = new CertificateCache();
      const p = { ...policy, certificates: cache };
      const [leaf, inter, root] = [d.leaf, d.intermediate, d.root].map((c) => parseCertificate(c.der));
      assert.equal(cache.linkKnown(inter, root), false);
      admitChain('x509_entry', ders(d.leaf, d.intermediate), p, NOW);
      assert.equal(cache.linkKnown(inter, root), true);
      assert.equal(cache.linkKnown(leaf, inter), false);
      // A remembered link does not vouch for other bytes under the same name.
      assert.equal(cache.linkKnown(parseCertificate(d.precertSigner.der), root), false);
    });

    it('rejects an empty chain with EMPTY_CHAIN', () => {
      assertCtError(() => admitChain('x509_entry', [], policy, NOW), 'EMPTY_CHAIN');
    });

    it('rejects more certificates than maxChainLength with CHAIN_TOO_LONG', () => {
      assertCtError(
        () => admitChain('x509_entry', ders(d.leaf, d.intermediate, d.root, d.root, d.root, d.root), policy, NOW),
        'CHAIN_TOO_LONG',
      );
    });

    it('rejects bytes that are not a certificate with BAD_CERTIFICATE', () => {
      assertCtError(() => admitChain('x509_entry', [Buffer.from('not a certificate')], policy, NOW), 'BAD_CERTIFICATE');
      assertCtError(() => admitChain('x509_entry', [Buffer.concat([d.leaf.der, Buffer.from([0])])], policy, NOW), 'BAD_CERTIFICATE');
      assertCtError(() => admitChain('x509_entry', [d.leaf.der, Buffer.from([0x30, 0x00])], policy, NOW), 'BAD_CERTIFICATE');
    });

    it('rejects a chain under an unknown root with UNKNOWN_ROOT', async () => {
      const root = await mintRoot({ subject: 'CN=Elsewhere Root' });
      const inter = await mintIntermediate(root, { subject: 'CN=Elsewhere Intermediate' });
      const leaf = await mintLeaf(inter);
      assertCtError(() => admitChain('x509_entry', ders(leaf, inter), policy, NOW), 'UNKNOWN_ROOT');
      assertCtError(() => admitChain('x509_entry', ders(leaf, inter, root), policy, NOW), 'UNKNOWN_ROOT');
    });

    it('rejects a leaf submitted without its intermediate with UNKNOWN_ROOT', () => {
      assertCtError(() => admitChain('x509_entry', ders(d.leaf), policy, NOW), 'UNKNOWN_ROOT');
    });

    it('rejects a chain whose next certificate is not the issuer with ISSUER_MISMATCH', () => {
      assertCtError(() => admitChain('x509_entry', ders(d.leaf, d.precertSigner), policy, NOW), 'ISSUER_MISMATCH');
    });

    it('rejects a same-named issuer with another key with BAD_SIGNATURE', async () => {
      const twin = await mintIntermediate(d.root, { subject: 'CN=Grapevine Test Intermediate, O=Grapevine Test CA' });
      assertCtError(() => admitChain('x509_entry', ders(d.leaf, twin), policy, NOW), 'BAD_SIGNATURE');
    });

    it('rejects a certificate naming an accepted root it was not signed by with BAD_SIGNATURE', async () => {
      const impostor = await mintRoot({ subject: 'CN=Grapevine Test Root, O=Grapevine Test CA' });
      const leaf = await mintLeaf(impostor);
      assertCtError(() => admitChain('x509_entry', [leaf.der], policy, NOW), 'BAD_SIGNATURE');
    });

    it('rejects an issuer without basicConstraints cA with NOT_A_CA', async () => {
      const below = await mintLeaf(d.leaf, { subject: 'CN=issued.by.a.leaf' });
      assertCtError(() => admitChain('x509_entry', ders(below, d.leaf, d.intermediate), policy, NOW), 'NOT_A_CA');
    });

    it('rejects a precertificate with PRECERT_IN_ADD_CHAIN (RFC 6962 §4.1)', () => {
      assertCtError(() => admitChain('x509_entry', ders(d.precert, d.intermediate), policy, NOW), 'PRECERT_IN_ADD_CHAIN');
    });

    it('rejects an unsupported signature algorithm with UNSUPPORTED_ALGORITHM', () => {
      // md5WithRSAEncryption (RFC 3279 §2.2.1): parseable, never verified.
      const md5 = relabel(d.leaf.der, '1.2.840.113549.1.1.4');
      assert.equal(parseCertificate(md5).signatureAlgorithm.oid, '1.2.840.113549.1.1.4');
      assertCtError(() => admitChain('x509_entry', [md5, d.intermediate.der], policy, NOW), 'UNSUPPORTED_ALGORITHM');
    });
  });

  describe('add-pre-chain (precert_entry)', () => {
    it('logs the TBS without the poison and the issuer key hash (RFC 6962 §3.2)', () => {
      const a = admitChain('precert_entry', ders(d.precert, d.intermediate), policy, NOW);
      assert.equal(a.signedEntry.entryType, 'precert_entry');
      if (a.signedEntry.entryType !== 'precert_entry') return;
      // The TBS the intermediate will sign for the final certificate.
      assert.deepEqual(a.signedEntry.tbsCertificate, parseCertificate(d.precertFinal.der).tbs);
      assert.deepEqual(a.signedEntry.issuerKeyHash, sha256(parseCertificate(d.intermediate.der).spki));
      assert.deepEqual(a.identityHash, sha256(a.signedEntry.tbsCertificate));
      const extra = decodePrecertExtraData(a.extraData);
      assert.deepEqual(extra.preCertificate, d.precert.der);
      assert.deepEqual(extra.precertificateChain, [d.intermediate.der, d.root.der]);
    });

    it('rewrites issuer and AKI for a Precertificate Signing Certificate (RFC 6962 §3.1, §3.2)', () => {
      const a = admitChain('precert_entry', ders(d.signedPrecert, d.precertSigner, d.intermediate), policy, NOW);
      if (a.signedEntry.entryType !== 'precert_entry') return assert.fail('want a precert_entry');
      assert.deepEqual(a.signedEntry.tbsCertificate, parseCertificate(d.signedPrecertFinal.der).tbs);
      // The final issuer is the intermediate, not the signing certificate.
      assert.deepEqual(a.signedEntry.issuerKeyHash, sha256(parseCertificate(d.intermediate.der).spki));
      assert.deepEqual(decodePrecertExtraData(a.extraData).precertificateChain, [d.precertSigner.der, d.intermediate.der, d.root.der]);
    });

    it('takes an omitted root as the final issuer behind a signing certificate', async () => {
      const psc = await mintPrecertSigner(d.root);
      const [pre, fin] = await mintPrecertPair(psc, d.root, { dnsNames: ['root-psc.grapevine.test'] });
      const a = admitChain('precert_entry', ders(pre, psc), policy, NOW);
      if (a.signedEntry.entryType !== 'precert_entry') return assert.fail('want a precert_entry');
      assert.deepEqual(a.signedEntry.tbsCertificate, parseCertificate(fin.der).tbs);
      assert.deepEqual(a.signedEntry.issuerKeyHash, sha256(parseCertificate(d.root.der).spki));
    });

    it('gives a precertificate and a resubmission through another path the same identity', () => {
      const a = admitChain('precert_entry', ders(d.precert, d.intermediate), policy, NOW);
      const b = admitChain('precert_entry', ders(d.precert, d.intermediate, d.root), policy, NOW);
      assert.deepEqual(a.identityHash, b.identityHash);
    });

    it('rejects a certificate without the poison with NOT_A_PRECERT (RFC 6962 §4.2)', () => {
      assertCtError(() => admitChain('precert_entry', ders(d.leaf, d.intermediate), policy, NOW), 'NOT_A_PRECERT');
    });

    it('rejects a non-critical poison with BAD_POISON (RFC 6962 §3.1)', async () => {
      const leaf = await mintLeaf(d.intermediate, { extraExtensions: [new x509.Extension(OID_CT_POISON, false, new Uint8Array([5, 0]))] });
      assertCtError(() => admitChain('precert_entry', ders(leaf, d.intermediate), policy, NOW), 'BAD_POISON');
    });

    it('rejects a poison whose value is not NULL with BAD_POISON', async () => {
      const leaf = await mintLeaf(d.intermediate, { extraExtensions: [new x509.Extension(OID_CT_POISON, true, new Uint8Array([4, 0]))] });
      assertCtError(() => admitChain('precert_entry', ders(leaf, d.intermediate), policy, NOW), 'BAD_POISON');
    });

    it('rejects a poisoned issuer with BAD_POISON', async () => {
      const poisonedCa = await mintIntermediate(d.root, {
        subject: 'CN=Poisoned CA',
        extraExtensions: [new x509.Extension(OID_CT_POISON, true, new Uint8Array([5, 0]))],
      });
      const pre = await mintPrecert(poisonedCa);
      assertCtError(() => admitChain('precert_entry', ders(pre, poisonedCa), policy, NOW), 'BAD_POISON');
    });

    it('rejects a signing certificate that is itself an accepted root with BAD_PRECERT_SIGNER', async () => {
      const pscRoot = await mintRoot({
        subject: 'CN=PSC as root',
        extraExtensions: [new x509.ExtendedKeyUsageExtension(['1.3.6.1.4.1.11129.2.4.4'])],
      });
      const pre = await mintPrecert(pscRoot);
      const p = { ...policy, roots: new RootStore([pscRoot.der]) };
      assertCtError(() => admitChain('precert_entry', [pre.der], p, NOW), 'BAD_PRECERT_SIGNER');
    });

    it('rejects a signing certificate without an AKI when the precertificate has one, with BAD_PRECERT_SIGNER', async () => {
      const psc = await mintPrecertSigner(d.intermediate, { omitAuthorityKeyId: true, subject: 'CN=PSC without AKI' });
      const pre = await mintPrecert(psc);
      assertCtError(() => admitChain('precert_entry', ders(pre, psc, d.intermediate), policy, NOW), 'BAD_PRECERT_SIGNER');
    });

    it('rejects a signing certificate issued by another signing certificate with BAD_PRECERT_SIGNER', async () => {
      const psc2 = await mintPrecertSigner(d.precertSigner, { subject: 'CN=PSC under PSC' });
      const pre = await mintPrecert(psc2);
      assertCtError(() => admitChain('precert_entry', ders(pre, psc2, d.precertSigner, d.intermediate), policy, NOW), 'BAD_PRECERT_SIGNER');
    });
  });

  describe('not-after window (temporal sharding)', () => {
    const at = (ms: number) => ({ ...policy, notAfter: { start: ms, limit: ms + 1000 } });
    it('accepts notAfter = start (inclusive) and refuses notAfter = limit (exclusive)', () => {
      const na = parseCertificate(d.leaf.der).notAfter;
      assert.ok(admitChain('x509_entry', ders(d.leaf, d.intermediate), at(na), NOW));
      assertCtError(() => admitChain('x509_entry', ders(d.leaf, d.intermediate), at(na - 1000), NOW), 'NOT_AFTER_OUT_OF_RANGE');
      assertCtError(() => admitChain('x509_entry', ders(d.leaf, d.intermediate), at(na + 1), NOW), 'NOT_AFTER_OUT_OF_RANGE');
    });

    it('applies to precertificates too', () => {
      const na = parseCertificate(d.precert.der).notAfter;
      assertCtError(() => admitChain('precert_entry', ders(d.precert, d.intermediate), at(na + 1), NOW), 'NOT_AFTER_OUT_OF_RANGE');
    });

    it('refuses expired certificates only when rejectExpired is set', () => {
      const na = parseCertificate(d.leaf.der).notAfter;
      assert.ok(admitChain('x509_entry', ders(d.leaf, d.intermediate), policy, na + 1));
      assertCtError(
        () => admitChain('x509_entry', ders(d.leaf, d.intermediate), { ...policy, rejectExpired: true }, na + 1),
        'NOT_AFTER_OUT_OF_RANGE',
      );
    });
  });
});

/** The certificate re-labelled as signed with `oid` (parameters NULL) in both AlgorithmIdentifiers; its signature is left as is. */
function relabel(der: Buffer, oid: string): Buffer {
  const cert = AsnConvert.parse(der, Certificate);
  for (const alg of [cert.signatureAlgorithm, cert.tbsCertificate.signature]) {
    alg.algorithm = oid;
    alg.parameters = new Uint8Array([5, 0]).buffer;
  }
  cert.tbsCertificateRaw = undefined;
  return Buffer.from(AsnConvert.serialize(cert));
}
