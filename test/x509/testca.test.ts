import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parsePrivateKey } from '../../src/crypto/index.ts';
import { parseCertificate } from '../../src/x509/index.ts';
import { mintDemoSet, mintLeaf, mintRoot, privateKeyPem } from '../../src/x509/testca/index.ts';

describe('test CA', () => {
  for (const keyType of ['ecdsa-p256', 'ecdsa-p384', 'rsa-2048'] as const) {
    it(`mints a ${keyType} demo set whose precertificates match their final certificates`, async () => {
      const d = await mintDemoSet(keyType);
      const pre = parseCertificate(d.precert.der);
      const fin = parseCertificate(d.precertFinal.der);
      assert.equal(pre.notAfter, fin.notAfter);
      assert.equal(pre.extensions.length, fin.extensions.length + 1);
      assert.ok(parseCertificate(d.root.der).basicConstraints?.ca);
      assert.equal(parseCertificate(d.intermediate.der).basicConstraints?.pathLen, 0);
    });
  }

  it('gives every minted certificate a distinct positive serial and honours a given validity', async () => {
    const root = await mintRoot();
    const notAfter = new Date('2030-01-01T00:00:00Z');
    const a = await mintLeaf(root, { notAfter });
    const b = await mintLeaf(root, { notAfter });
    assert.notEqual(a.cert.serialNumber, b.cert.serialNumber);
    assert.ok(Number.parseInt(a.cert.serialNumber.slice(0, 2), 16) < 0x80);
    assert.equal(parseCertificate(a.der).notAfter, notAfter.getTime());
  });

  it('exports keys as PKCS#8 PEM that src/crypto loads', async () => {
    const root = await mintRoot();
    assert.equal(parsePrivateKey(await privateKeyPem(root)).type, 'ecdsa-p256');
  });
});
