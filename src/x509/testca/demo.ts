/**
 * The demo chain set `grapevine ct test-ca` writes, also used by tests:
 * one root, one intermediate, and under the intermediate a leaf, a
 * precertificate with its final certificate, and a Precertificate Signing
 * Certificate with a precertificate it signed (plus that one's final
 * certificate, issued by the intermediate).
 */
import {
  type LeafSpec,
  mintIntermediate,
  mintLeaf,
  mintPrecert,
  mintPrecertSigner,
  mintRoot,
  type TestCert,
  type TestKeyType,
} from './testca.ts';

export interface DemoSet {
  readonly root: TestCert;
  readonly intermediate: TestCert;
  readonly leaf: TestCert;
  /** Precertificate signed directly by the intermediate, and the final certificate it announces. */
  readonly precert: TestCert;
  readonly precertFinal: TestCert;
  /** Precertificate Signing Certificate issued by the intermediate. */
  readonly precertSigner: TestCert;
  /** Precertificate signed by `precertSigner`, and its final certificate (issued by the intermediate). */
  readonly signedPrecert: TestCert;
  readonly signedPrecertFinal: TestCert;
}

/** A precertificate and its final certificate: same key, serial, validity and extensions (RFC 6962 §3.1). */
export async function mintPrecertPair(precertIssuer: TestCert, finalIssuer: TestCert, spec: LeafSpec): Promise<[TestCert, TestCert]> {
  const first = await mintLeaf(finalIssuer, spec);
  const fixed: LeafSpec = {
    ...spec,
    keys: first.keys,
    keyType: first.keyType,
    serialNumber: first.cert.serialNumber,
    notBefore: first.cert.notBefore,
    notAfter: first.cert.notAfter,
  };
  const precert = await mintPrecert(precertIssuer, fixed);
  return [precert, first];
}

export async function mintDemoSet(keyType: TestKeyType = 'ecdsa-p256', now = Date.now()): Promise<DemoSet> {
  const notBefore = new Date(now - 86_400_000);
  const notAfter = new Date(now + 90 * 86_400_000);
  const root = await mintRoot({ keyType, notBefore, notAfter: new Date(now + 3650 * 86_400_000) });
  const intermediate = await mintIntermediate(root, { keyType, notBefore, notAfter: new Date(now + 1825 * 86_400_000) });
  const leaf = await mintLeaf(intermediate, { keyType, notBefore, notAfter, dnsNames: ['leaf.grapevine.test'] });
  const [precert, precertFinal] = await mintPrecertPair(intermediate, intermediate, {
    keyType,
    notBefore,
    notAfter,
    dnsNames: ['precert.grapevine.test'],
  });
  const precertSigner = await mintPrecertSigner(intermediate, { keyType, notBefore, notAfter });
  const [signedPrecert, signedPrecertFinal] = await mintPrecertPair(precertSigner, intermediate, {
    keyType,
    notBefore,
    notAfter,
    dnsNames: ['signed-precert.grapevine.test'],
  });
  return { root, intermediate, leaf, precert, precertFinal, precertSigner, signedPrecert, signedPrecertFinal };
}
