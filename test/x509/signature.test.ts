import 'reflect-metadata';
import assert from 'node:assert/strict';
import { webcrypto } from 'node:crypto';
import { before, describe, it } from 'node:test';
import * as x509 from '@peculiar/x509';
import { PublicKeyCache, parseCertificate, signatureScheme, verifyIssuedBy, X509Error } from '../../src/x509/index.ts';
import { type DemoSet, mintDemoSet, mintIntermediate, mintRoot } from '../../src/x509/testca/index.ts';
import { assertThrowsCode } from '../support/assert-code.ts';

const NULL = Buffer.from('0500', 'hex');

describe('signatureScheme', () => {
  const cases: { desc: string; oid: string; params: Buffer | null; want?: string; wantErr?: boolean }[] = [
    { desc: 'sha256WithRSAEncryption, NULL parameters', oid: '1.2.840.113549.1.1.11', params: NULL, want: 'sha256' },
    { desc: 'sha256WithRSAEncryption, absent parameters', oid: '1.2.840.113549.1.1.11', params: null, want: 'sha256' },
    { desc: 'sha1WithRSAEncryption (2013-era certificates)', oid: '1.2.840.113549.1.1.5', params: NULL, want: 'sha1' },
    { desc: 'ecdsa-with-SHA384', oid: '1.2.840.10045.4.3.3', params: null, want: 'sha384' },
    { desc: 'ECDSA with NULL parameters', oid: '1.2.840.10045.4.3.2', params: NULL, wantErr: true },
    { desc: 'md5WithRSAEncryption', oid: '1.2.840.113549.1.1.4', params: NULL, wantErr: true },
    { desc: 'DSA with SHA-256', oid: '2.16.840.1.101.3.4.3.2', params: null, wantErr: true },
    { desc: 'RSASSA-PSS without parameters', oid: '1.2.840.113549.1.1.10', params: null, wantErr: true },
  ];
  for (const tc of cases) {
    it(tc.wantErr ? `refuses ${tc.desc} with UNSUPPORTED_ALGORITHM` : `accepts ${tc.desc}`, () => {
      if (tc.wantErr) assertThrowsCode(() => signatureScheme({ oid: tc.oid, parameters: tc.params }), X509Error, 'UNSUPPORTED_ALGORITHM');
      else assert.equal(signatureScheme({ oid: tc.oid, parameters: tc.params }).digest, tc.want);
    });
  }
});

describe('verifyIssuedBy', () => {
  let d: DemoSet;
  before(async () => {
    d = await mintDemoSet();
  });

  it('accepts each link of the demo chain', () => {
    const p = (c: { der: Buffer }) => parseCertificate(c.der);
    verifyIssuedBy(p(d.leaf), p(d.intermediate));
    verifyIssuedBy(p(d.intermediate), p(d.root));
    verifyIssuedBy(p(d.signedPrecert), p(d.precertSigner));
  });

  it('rejects the wrong issuer with BAD_SIGNATURE', () => {
    assertThrowsCode(() => verifyIssuedBy(parseCertificate(d.leaf.der), parseCertificate(d.root.der)), X509Error, 'BAD_SIGNATURE');
  });

  it('rejects a key of the wrong type for the algorithm with BAD_SIGNATURE', async () => {
    const rsa = await mintRoot({ keyType: 'rsa-2048', subject: 'CN=RSA' });
    assertThrowsCode(() => verifyIssuedBy(parseCertificate(d.leaf.der), parseCertificate(rsa.der)), X509Error, 'BAD_SIGNATURE');
  });

  it('verifies RSASSA-PSS signatures (RFC 4055)', async () => {
    const alg = { name: 'RSA-PSS', hash: 'SHA-256', publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 };
    const keys = (await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as CryptoKeyPair;
    const root = await x509.X509CertificateGenerator.createSelfSigned({
      name: 'CN=PSS Root',
      keys,
      signingAlgorithm: { name: 'RSA-PSS', saltLength: 32 } as Algorithm,
      extensions: [new x509.BasicConstraintsExtension(true, undefined, true)],
    });
    const r = parseCertificate(Buffer.from(root.rawData));
    assert.equal(r.signatureAlgorithm.oid, '1.2.840.113549.1.1.10');
    verifyIssuedBy(r, r);
  });

  it('caches issuer keys and evicts the oldest beyond its bound', async () => {
    const cache = new PublicKeyCache(1);
    const a = parseCertificate(d.root.der);
    const other = await mintIntermediate(d.root, { subject: 'CN=Other' });
    assert.equal(cache.get(a.spki), cache.get(a.spki));
    const first = cache.get(a.spki);
    cache.get(parseCertificate(other.der).spki);
    assert.notEqual(cache.get(a.spki), first, 'evicted and reloaded');
  });
});
