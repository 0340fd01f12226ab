import { GrapevineError } from '../errors.ts';

export type X509ErrorCode =
  | 'MALFORMED' // not a DER X.509 certificate (RFC 5280 §4.1), or trailing bytes after it
  | 'NOT_DER' // parses, but re-encodes to different bytes: BER or a non-canonical encoding (RFC 5280 §4.1 requires DER)
  | 'BAD_EXTENSION' // a known extension whose value does not parse, or an extension present twice (RFC 5280 §4.2)
  | 'ALGORITHM_MISMATCH' // TBSCertificate.signature differs from Certificate.signatureAlgorithm (RFC 5280 §4.1.1.2)
  | 'UNSUPPORTED_ALGORITHM' // a signature algorithm we do not verify (MD5, DSA, unknown OIDs, odd RSA-PSS parameters)
  | 'UNSUPPORTED_KEY' // an issuer key we do not verify with: RSA exponent or modulus out of bounds, unnamed EC curve (keys.ts)
  | 'BAD_SIGNATURE'; // the issuer's key does not verify the certificate's signature

/** A certificate that cannot be parsed or whose signature does not check out. */
export class X509Error extends GrapevineError<X509ErrorCode> {}
