import 'reflect-metadata';
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { AsnConvert } from '@peculiar/asn1-schema';
import { parseCertificate, precertTbs, X509Error } from '../../src/x509/index.ts';
import { type DemoSet, mintDemoSet, mintPrecert, mintPrecertPair, mintPrecertSigner, mintRoot } from '../../src/x509/testca/index.ts';
import { assertThrowsCode } from '../support/assert-code.ts';

describe('precertTbs (RFC 6962 §3.2)', () => {
  let d: DemoSet;
  before(async () => {
    d = await mintDemoSet();
  });

  it('removes the poison: the result is the final certificate TBS', () => {
    assert.deepEqual(precertTbs(parseCertificate(d.precert.der)), parseCertificate(d.precertFinal.der).tbs);
  });

  it('with a signing certificate, also takes its issuer and AKI', () => {
    const out = precertTbs(parseCertificate(d.signedPrecert.der), parseCertificate(d.precertSigner.der));
    assert.deepEqual(out, parseCertificate(d.signedPrecertFinal.der).tbs);
    assert.notDeepEqual(out, precertTbs(parseCertificate(d.signedPrecert.der)));
  });

  it('keeps a precertificate without an AKI without one (signing certificate path)', async () => {
    const [pre, fin] = await mintPrecertPair(d.precertSigner, d.intermediate, {
      omitAuthorityKeyId: true,
      dnsNames: ['no-aki.grapevine.test'],
    });
    assert.deepEqual(precertTbs(parseCertificate(pre.der), parseCertificate(d.precertSigner.der)), parseCertificate(fin.der).tbs);
  });

  it('requires the poison extension (BAD_EXTENSION)', () => {
    assertThrowsCode(() => precertTbs(parseCertificate(d.leaf.der)), X509Error, 'BAD_EXTENSION');
  });

  it('requires an AKI in the signing certificate when the precertificate has one (BAD_EXTENSION)', async () => {
    const root = await mintRoot({ subject: 'CN=Root for PSC without AKI' });
    const psc = await mintPrecertSigner(root, { omitAuthorityKeyId: true });
    const pre = await mintPrecert(psc);
    assertThrowsCode(() => precertTbs(parseCertificate(pre.der), parseCertificate(psc.der)), X509Error, 'BAD_EXTENSION');
  });

  it('does not change the parsed certificate it was given', () => {
    const pre = parseCertificate(d.signedPrecert.der);
    precertTbs(pre, parseCertificate(d.precertSigner.der));
    assert.deepEqual(Buffer.from(AsnConvert.serialize(pre.asn.tbsCertificate)), pre.tbs);
    assert.deepEqual(
      precertTbs(pre, parseCertificate(d.precertSigner.der)),
      parseCertificate(d.signedPrecertFinal.der).tbs,
      'and gives the same answer twice',
    );
  });
});
