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
 * The rewrite re-encodes the TBS with @peculiar/asn1-x509; parseCertificate
 * has already checked that the unmodified TBS re-encodes byte for byte, so
 * every untouched field keeps its exact bytes.
 *
 * Pure: no I/O, no clock.
 */
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import { AuthorityKeyIdentifier, Extension, Extensions, KeyIdentifier, Name, TBSCertificate } from '@peculiar/asn1-x509';
import type { ParsedCertificate } from './certificate.ts';
import { X509Error } from './errors.ts';
import { OID_AUTHORITY_KEY_ID, OID_CT_POISON } from './oids.ts';

/**
 * Returns the RFC 6962 §3.2 `tbs_certificate` of `precert`. Pass `signingCert`
 * when the precertificate was signed by a Precertificate Signing Certificate.
 * Requires: `precert` carries the poison extension (X509Error BAD_EXTENSION
 * otherwise); with a signing certificate and an AKI in the precert, the
 * signing certificate has an AKI keyIdentifier (BAD_EXTENSION otherwise).
 */
export function precertTbs(precert: ParsedCertificate, signingCert?: ParsedCertificate): Buffer {
  // A shallow copy: fields we replace are reassigned on the copy, never mutated, so `precert` stays intact.
  const tbs = new TBSCertificate({ ...precert.asn.tbsCertificate });
  const exts = [...(tbs.extensions ?? [])];
  const poison = exts.findIndex((e) => e.extnID === OID_CT_POISON);
  if (poison < 0) throw new X509Error('BAD_EXTENSION', 'precertificate has no poison extension (RFC 6962 §3.1)');
  exts.splice(poison, 1);

  if (signingCert) {
    tbs.issuer = AsnConvert.parse(signingCert.issuer, Name);
    const aki = exts.findIndex((e) => e.extnID === OID_AUTHORITY_KEY_ID);
    if (aki >= 0) {
      if (!signingCert.authorityKeyId) {
        throw new X509Error(
          'BAD_EXTENSION',
          'the precertificate has an Authority Key Identifier but its signing certificate has none (RFC 6962 §3.2)',
        );
      }
      const value = AsnConvert.serialize(new AuthorityKeyIdentifier({ keyIdentifier: new KeyIdentifier(signingCert.authorityKeyId) }));
      exts[aki] = new Extension({ extnID: OID_AUTHORITY_KEY_ID, critical: exts[aki].critical, extnValue: new OctetString(value) });
    }
  }
  // RFC 5280 §4.1: extensions is SEQUENCE SIZE (1..MAX), so an empty list is omitted.
  tbs.extensions = exts.length > 0 ? new Extensions(exts) : undefined;
  return Buffer.from(AsnConvert.serialize(tbs));
}
