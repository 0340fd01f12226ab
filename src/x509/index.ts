/**
 * X.509 for the CT personality: parsing (RFC 5280 §4.1) by walking the DER,
 * issuer signature checks and key limits (node:crypto), the RFC 6962 §3.2
 * precertificate TBS rewrite. The test CA is in ./testca/ (it loads
 * @peculiar/x509, WebCrypto and reflect-metadata, which production paths do
 * not need).
 */
export {
  type AlgorithmId,
  type CertExtension,
  findExtension,
  hasPoison,
  isPrecertSigningCert,
  isWellFormedPoison,
  type ParsedCertificate,
  type ParseOptions,
  parseCertificate,
} from './certificate.ts';
export { X509Error, type X509ErrorCode } from './errors.ts';
export type { KnownExtensions } from './extensions.ts';
export { checkVerificationKey, type KeyKind, PublicKeyCache, RSA_MAX_BITS, RSA_MAX_EXPONENT, RSA_MIN_BITS } from './keys.ts';
export {
  DER_NULL,
  OID_AUTHORITY_KEY_ID,
  OID_BASIC_CONSTRAINTS,
  OID_CT_POISON,
  OID_CT_PRECERT_SIGNING,
  OID_CT_SCT_LIST,
  OID_EXT_KEY_USAGE,
  OID_SUBJECT_KEY_ID,
} from './oids.ts';
export { certificatesFromPem } from './pem.ts';
export { embeddedSctTbs, precertTbs } from './precert.ts';
export { signatureScheme, verifyIssuedBy } from './signature.ts';
