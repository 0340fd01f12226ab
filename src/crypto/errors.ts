import { GrapevineError } from '../errors.ts';

export type KeyErrorCode =
  | 'MALFORMED_KEY' // not parseable PEM/DER, trailing bytes, non-canonical DER
  | 'UNSUPPORTED_KEY' // a key algorithm, size or PEM type Grapevine does not use (DSA, X25519, RSA-PSS, RSA > 8192 bits…)
  | 'WRONG_CURVE' // an EC key on a curve other than P-256
  | 'WEAK_KEY' // an RSA modulus below 2048 bits or an even or tiny public exponent
  | 'ENCRYPTED_KEY' // a passphrase-protected private key
  | 'WRONG_KEY_KIND' // a private key where a public one was expected, or the reverse
  | 'BAD_KEY_NAME'; // a signed-note key name that is empty or holds spaces or '+'

/** A key that cannot be loaded or used. */
export class KeyError extends GrapevineError<KeyErrorCode> {}

export type SignatureErrorCode =
  | 'BAD_SIGNATURE' // the signature does not verify
  | 'ALGORITHM_MISMATCH' // a DigitallySigned whose algorithms do not match the key (or are not allowed)
  | 'LOG_ID_MISMATCH'; // an STH that names a log_id other than SHA-256 of the key's SPKI

/** A signature that must be rejected. */
export class SignatureError extends GrapevineError<SignatureErrorCode> {}
