/** The test CA: mints certificates for tests and demos (`grapevine ct test-ca`). Never used to admit anything. */
export { type DemoSet, mintDemoSet, mintPrecertPair } from './demo.ts';
export {
  type CertSpec,
  certificatePem,
  generateTestKeys,
  type LeafSpec,
  mintIntermediate,
  mintLeaf,
  mintPrecert,
  mintPrecertSigner,
  mintRoot,
  privateKeyPem,
  type TestCert,
  type TestKeyType,
} from './testca.ts';
