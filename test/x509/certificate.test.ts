import 'reflect-metadata';
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { AsnConvert } from '@peculiar/asn1-schema';
import { Certificate } from '@peculiar/asn1-x509';
import * as x509 from '@peculiar/x509';
import {
  certificatesFromPem,
  findExtension,
  hasPoison,
  isPrecertSigningCert,
  isWellFormedPoison,
  OID_CT_POISON,
  parseCertificate,
  X509Error,
} from '../../src/x509/index.ts';
import { certificatePem, type DemoSet, mintDemoSet, mintLeaf, mintRoot } from '../../src/x509/testca/index.ts';
import { assertThrowsCode } from '../support/assert-code.ts';

describe('parseCertificate', () => {
  let d: DemoSet;
  before(async () => {
    d = await mintDemoSet();
  });

  it('reads names, key, validity, extensions of a minted leaf', () => {
    const c = parseCertificate(d.leaf.der);
    assert.equal(c.version, 2);
    assert.equal(c.subjectText, 'CN=leaf.grapevine.test');
    assert.deepEqual(c.issuer, parseCertificate(d.intermediate.der).subject);
    assert.equal(c.basicConstraints?.ca, false);
    assert.deepEqual(c.extKeyUsage, ['1.3.6.1.5.5.7.3.1']);
    assert.deepEqual(c.authorityKeyId, parseCertificate(d.intermediate.der).subjectKeyId);
    assert.equal(c.notAfter, d.leaf.cert.notAfter.getTime());
    assert.equal(c.signatureAlgorithm.oid, '1.2.840.10045.4.3.2');
    assert.equal(hasPoison(c), false);
  });

  it('marks precertificates (critical NULL poison) and precertificate signing certificates', () => {
    const pre = parseCertificate(d.precert.der);
    assert.ok(hasPoison(pre));
    const poison = findExtension(pre, OID_CT_POISON);
    assert.ok(poison && isWellFormedPoison(poison));
    assert.ok(isPrecertSigningCert(parseCertificate(d.precertSigner.der)));
    assert.ok(!isPrecertSigningCert(parseCertificate(d.intermediate.der)));
  });

  it('rejects bytes that are not one DER certificate with MALFORMED', () => {
    assertThrowsCode(() => parseCertificate(Buffer.alloc(0)), X509Error, 'MALFORMED');
    assertThrowsCode(() => parseCertificate(Buffer.from([0x30, 0x03, 0x02, 0x01, 0x01])), X509Error, 'MALFORMED');
    assertThrowsCode(() => parseCertificate(Buffer.concat([d.leaf.der, Buffer.from([0])])), X509Error, 'MALFORMED');
    assertThrowsCode(() => parseCertificate(d.leaf.der.subarray(0, d.leaf.der.length - 1)), X509Error, 'MALFORMED');
  });

  it('rejects a TBSCertificate that is not canonical DER with NOT_DER, unless the check is off', () => {
    // BOOLEAN TRUE written as 0x01 instead of DER's 0xff inside the basicConstraints extension header.
    const der = Buffer.from(d.leaf.der);
    const at = der.indexOf(Buffer.from('0603551d130101ff', 'hex'));
    assert.ok(at > 0);
    der[at + 7] = 0x01;
    assertThrowsCode(() => parseCertificate(der), X509Error, 'NOT_DER');
    assert.ok(parseCertificate(der, { checkDer: false }));
  });

  it('rejects differing signature algorithms in TBS and certificate with ALGORITHM_MISMATCH (RFC 5280 §4.1.1.2)', () => {
    const cert = AsnConvert.parse(d.leaf.der, Certificate);
    cert.signatureAlgorithm.algorithm = '1.2.840.10045.4.3.3';
    cert.tbsCertificateRaw = undefined;
    assertThrowsCode(() => parseCertificate(Buffer.from(AsnConvert.serialize(cert))), X509Error, 'ALGORITHM_MISMATCH');
  });

  it('rejects a repeated extension with BAD_EXTENSION (RFC 5280 §4.2)', async () => {
    const twice = await mintLeaf(d.intermediate, { extraExtensions: [new x509.BasicConstraintsExtension(false, undefined, true)] });
    assertThrowsCode(() => parseCertificate(twice.der), X509Error, 'BAD_EXTENSION');
  });

  it('rejects an unparseable Authority Key Identifier with BAD_EXTENSION', async () => {
    const root = await mintRoot({ subject: 'CN=odd' });
    const bad = await mintLeaf(root, {
      omitAuthorityKeyId: true,
      extraExtensions: [new x509.Extension('2.5.29.35', false, new Uint8Array([1, 2, 3]))],
    });
    assertThrowsCode(() => parseCertificate(bad.der), X509Error, 'BAD_EXTENSION');
  });
});

describe('certificatesFromPem', () => {
  it('returns every CERTIFICATE block in order, ignoring other blocks', async () => {
    const d = await mintDemoSet();
    const text = `junk\n${certificatePem(d.leaf)}-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n${certificatePem(d.root)}`;
    assert.deepEqual(certificatesFromPem(text), [d.leaf.der, d.root.der]);
  });

  it('rejects text without a CERTIFICATE block with MALFORMED', () => {
    assertThrowsCode(() => certificatesFromPem('no pem here'), X509Error, 'MALFORMED');
    assertThrowsCode(() => certificatesFromPem('-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n'), X509Error, 'MALFORMED');
  });
});
