/** Object identifiers used by the CT personality and the test CA. */

/** RFC 6962 §3.1: the precertificate poison extension, critical, value ASN.1 NULL. */
export const OID_CT_POISON = '1.3.6.1.4.1.11129.2.4.3';
/** RFC 6962 §3.1: extended key usage of a Precertificate Signing Certificate. */
export const OID_CT_PRECERT_SIGNING = '1.3.6.1.4.1.11129.2.4.4';
/** RFC 6962 §3.3: the embedded SCT list extension of a final certificate. */
export const OID_CT_SCT_LIST = '1.3.6.1.4.1.11129.2.4.2';

/** RFC 5280 §4.2.1.1, §4.2.1.2, §4.2.1.9, §4.2.1.12. */
export const OID_AUTHORITY_KEY_ID = '2.5.29.35';
export const OID_SUBJECT_KEY_ID = '2.5.29.14';
export const OID_BASIC_CONSTRAINTS = '2.5.29.19';
export const OID_EXT_KEY_USAGE = '2.5.29.37';

/** The DER encoding of ASN.1 NULL: the poison extension's only allowed value (RFC 6962 §3.1). */
export const DER_NULL = Buffer.from([0x05, 0x00]);
