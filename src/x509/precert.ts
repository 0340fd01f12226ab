/**
 * The TBSCertificate a CT log puts in a precert_entry (RFC 6962 §3.2):
 *
 *   "tbs_certificate is the DER-encoded TBSCertificate … component of the
 *    Precertificate — that is, without the signature and the poison
 *    extension. If the Precertificate is not signed with the CA certificate
 *    that will issue the final certificate, then the TBSCertificate also has
 *    its issuer changed to that of the CA that will issue the final
 *    certificate. … If the Precertificate is issued using a Precertificate
 *    Signing Certificate and an Authority Key Identifier extension is present
 *    in the TBSCertificate, the corresponding extension must also be present
 *    in the Precertificate Signing Certificate — in this case, the
 *    TBSCertificate also has its Authority Key Identifier changed to match
 *    the final issuer."
 *
 * The final issuer is the Precertificate Signing Certificate's issuer, so its
 * name is the PSC's issuer field and its key identifier is the PSC's AKI
 * keyIdentifier. As in certificate-transparency-go (x509.BuildPrecertTBS),
 * the new AKI carries only the keyIdentifier and keeps the original
 * extension's criticality and position.
 *
 * The rewrite splices encoded elements: every field it does not replace keeps
 * its exact bytes, and the new ones are DER (der.ts encodeElement).
 *
 * Pure: no I/O, no clock.
 */
import type { ParsedCertificate } from './certificate.ts';
import { children, context, encodeElement, encoding, readWhole, TAG } from './der.ts';
import { X509Error } from './errors.ts';
import { OID_AUTHORITY_KEY_ID, OID_CT_POISON, OID_CT_SCT_LIST } from './oids.ts';

/** DER of OBJECT IDENTIFIER 2.5.29.35 (id-ce-authorityKeyIdentifier, RFC 5280 §4.2.1.1). */
const AKI_OID_DER = Buffer.from('0603551d23', 'hex');
const TRUE_DER = Buffer.from('0101ff', 'hex');

/**
 * Returns the RFC 6962 §3.2 `tbs_certificate` of `precert`. Pass `signingCert`
 * when the precertificate was signed by a Precertificate Signing Certificate.
 * Requires: `precert` carries the poison extension (X509Error BAD_EXTENSION
 * otherwise); with a signing certificate and an AKI in the precert, the
 * signing certificate has an AKI keyIdentifier (BAD_EXTENSION otherwise).
 */
export function precertTbs(precert: ParsedCertificate, signingCert?: ParsedCertificate): Buffer {
  const exts = precert.extensions.filter((e) => e.oid !== OID_CT_POISON);
  if (exts.length === precert.extensions.length) {
    throw new X509Error('BAD_EXTENSION', 'precertificate has no poison extension (RFC 6962 §3.1)');
  }
  const extDers = exts.map((e) => e.der);
  const aki = exts.findIndex((e) => e.oid === OID_AUTHORITY_KEY_ID);
  if (signingCert && aki >= 0) {
    if (!signingCert.authorityKeyId) {
      throw new X509Error(
        'BAD_EXTENSION',
        'the precertificate has an Authority Key Identifier but its signing certificate has none (RFC 6962 §3.2)',
      );
    }
    // AuthorityKeyIdentifier ::= SEQUENCE { keyIdentifier [0] IMPLICIT OCTET STRING }, in an Extension that keeps
    // its criticality (DER: critical is present only when TRUE).
    const value = encodeElement(TAG.SEQUENCE, encodeElement(context(0, false), signingCert.authorityKeyId));
    const critical = exts[aki].critical ? [TRUE_DER] : [];
    extDers[aki] = encodeElement(TAG.SEQUENCE, AKI_OID_DER, ...critical, encodeElement(TAG.OCTET_STRING, value));
  }

  const tbs = precert.tbs;
  const fields = children(tbs, readWhole(tbs, 'TBSCertificate')).map((e) => encoding(tbs, e));
  // parseCertificate has read these fields: [version], serial, signature, issuer, validity, subject, spki, …, [3] extensions.
  const issuerAt = fields[0][0] === context(0, true) ? 3 : 2;
  if (signingCert) fields[issuerAt] = signingCert.issuer;
  const last = fields.length - 1;
  if (fields[last][0] !== context(3, true)) throw new X509Error('BAD_EXTENSION', 'precertificate has no extensions');
  // RFC 5280 §4.1: extensions is SEQUENCE SIZE (1..MAX), so an empty list is omitted.
  if (extDers.length > 0) fields[last] = encodeElement(context(3, true), encodeElement(TAG.SEQUENCE, ...extDers));
  else fields.pop();
  return encodeElement(TAG.SEQUENCE, ...fields);
}

/**
 * The `tbs_certificate` an SCT embedded in a final certificate signs (RFC 6962
 * §3.3: the log signed the precertificate's entry, and "the TBSCertificate
 * … [is] the final certificate's TBSCertificate with the SCT list extension
 * removed"): `cert`'s TBS without its SCT list extension, every other field
 * as encoded. Requires the extension (X509Error BAD_EXTENSION otherwise).
 * The issuer and its key identifier are the final issuer's already.
 */
export function embeddedSctTbs(cert: ParsedCertificate): Buffer {
  const exts = cert.extensions.filter((e) => e.oid !== OID_CT_SCT_LIST);
  if (exts.length === cert.extensions.length) {
    throw new X509Error('BAD_EXTENSION', 'certificate has no SCT list extension (RFC 6962 §3.3)');
  }
  const tbs = cert.tbs;
  const fields = children(tbs, readWhole(tbs, 'TBSCertificate')).map((e) => encoding(tbs, e));
  const last = fields.length - 1;
  if (exts.length > 0) fields[last] = encodeElement(context(3, true), encodeElement(TAG.SEQUENCE, ...exts.map((e) => e.der)));
  else fields.pop();
  return encodeElement(TAG.SEQUENCE, ...fields);
}
