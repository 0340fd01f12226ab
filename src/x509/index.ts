/**
 * X.509 for the CT personality: parsing (RFC 5280 §4.1, via
 * @peculiar/asn1-x509), issuer signature checks (node:crypto), the RFC 6962
 * §3.2 precertificate TBS rewrite. The test CA is in ./testca/ (it loads
 * WebCrypto and reflect-metadata, which production paths do not need).
 */
export {
  type AlgorithmId,
  type CertExtension,
  encodeName,
  findExtension,
  hasPoison,
  isPrecertSigningCert,
  isWellFormedPoison,
  type ParsedCertificate,
  type ParseOptions,
  parseCertificate,
} from './certificate.ts';
export { X509Error, type X509ErrorCode } from './errors.ts';
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
export { precertTbs } from './precert.ts';
export { PublicKeyCache, signatureScheme, verifyIssuedBy } from './signature.ts';
