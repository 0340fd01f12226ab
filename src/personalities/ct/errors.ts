import { GrapevineError, isError } from '../../errors.ts';
import { X509Error } from '../../x509/index.ts';

/**
 * Why the CT personality refused a request. Admission and parameter codes
 * answer HTTP 400; the full table is CT_ERROR_STATUS below, the only place
 * codes become statuses. A log that cannot be built as configured is a
 * SetupError (src/errors.ts), raised at start-up only.
 */
export type CtErrorCode =
  // Request syntax (RFC 6962 §4 parameters and bodies)
  | 'BAD_REQUEST' // a missing, malformed or out-of-range parameter or JSON field
  // Admission (RFC 6962 §3.1, §4.1, §4.2)
  | 'EMPTY_CHAIN' // no certificates submitted
  | 'CHAIN_TOO_LONG' // more certificates than the log accepts in one chain
  | 'BAD_CERTIFICATE' // a certificate that does not parse as X.509
  | 'NOT_DER' // a certificate that is BER but not DER (RFC 5280 §4.1 requires DER)
  | 'UNSUPPORTED_ALGORITHM' // a signature algorithm the log does not verify
  | 'UNSUPPORTED_KEY' // an issuer key outside the log's limits (RSA exponent or modulus size, unnamed EC curve)
  | 'BAD_SIGNATURE' // a certificate not signed by the next one in the chain
  | 'ISSUER_MISMATCH' // a certificate whose issuer is not the next one's subject
  | 'NOT_A_CA' // an issuing certificate without basicConstraints cA=TRUE
  | 'UNKNOWN_ROOT' // the chain does not end at, or under, an accepted root
  | 'ROOT_AS_END_ENTITY' // the first certificate is itself an accepted root (no certification path)
  | 'PRECERT_IN_ADD_CHAIN' // add-chain with a poisoned (pre)certificate (§4.1)
  | 'NOT_A_PRECERT' // add-pre-chain with a certificate lacking the poison extension (§4.2)
  | 'BAD_POISON' // a poison extension that is not critical or whose value is not NULL (§3.1)
  | 'BAD_PRECERT_SIGNER' // a Precertificate Signing Certificate used wrongly (§3.1, §3.2)
  | 'NOT_AFTER_OUT_OF_RANGE' // the leaf's notAfter is outside the log's window (temporal sharding)
  // Reads
  | 'NOT_FOUND' // get-proof-by-hash for a hash not in the tree of that size → 404
  | 'UNAVAILABLE'; // the log takes no new submissions now (its sequencer stopped, or a backlog would break the MMD) → 503

/** A CT request the log refuses; `toJSON()` is the HTTP error body. */
export class CtError extends GrapevineError<CtErrorCode> {}

/** The CT code → HTTP status table, registered with src/http's error mapper when the routes are mounted. */
export const CT_ERROR_STATUS: Readonly<Record<CtErrorCode, number>> = Object.freeze({
  BAD_REQUEST: 400,
  EMPTY_CHAIN: 400,
  CHAIN_TOO_LONG: 400,
  BAD_CERTIFICATE: 400,
  NOT_DER: 400,
  UNSUPPORTED_ALGORITHM: 400,
  UNSUPPORTED_KEY: 400,
  BAD_SIGNATURE: 400,
  ISSUER_MISMATCH: 400,
  NOT_A_CA: 400,
  UNKNOWN_ROOT: 400,
  ROOT_AS_END_ENTITY: 400,
  PRECERT_IN_ADD_CHAIN: 400,
  NOT_A_PRECERT: 400,
  BAD_POISON: 400,
  BAD_PRECERT_SIGNER: 400,
  NOT_AFTER_OUT_OF_RANGE: 400,
  NOT_FOUND: 404,
  UNAVAILABLE: 503,
});

/** The CtError for an X509Error about the certificate `what` (e.g. "chain[1]"); rethrows anything else. */
export function x509Refusal(err: unknown, what: string): never {
  if (!isError(err, X509Error)) throw err;
  const code: CtErrorCode =
    err.code === 'UNSUPPORTED_ALGORITHM' || err.code === 'BAD_SIGNATURE' || err.code === 'UNSUPPORTED_KEY' || err.code === 'NOT_DER'
      ? err.code
      : 'BAD_CERTIFICATE';
  throw new CtError(code, `${what}: ${err.message}`, { cause: err });
}
