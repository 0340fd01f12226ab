import { GrapevineError } from '../errors.ts';

/**
 * Codes for signed-note failures (c2sp.org/signed-note). The verdict codes
 * mirror golang.org/x/mod/sumdb/note.Open: MALFORMED ↔ errMalformedNote,
 * BAD_SIGNATURE ↔ InvalidSignatureError, NO_VERIFIED_SIGNATURE ↔
 * UnverifiedNoteError, AMBIGUOUS_KEY ↔ ambiguousVerifierError.
 */
export type NoteErrorCode =
  | 'MALFORMED' // note syntax: UTF-8, control characters, blank-line split, signature lines, > 100 signatures
  | 'BAD_KEY' // a vkey or skey that does not parse, has the wrong key size, or whose key ID does not recompute
  | 'BAD_KEY_NAME' // a key name that is empty or contains a Unicode space or '+'
  | 'UNSUPPORTED_ALGORITHM' // a signature type byte this implementation does not verify (e.g. 0x06 ML-DSA-44)
  | 'AMBIGUOUS_KEY' // two configured verifiers share one (name, key ID)
  | 'UNKNOWN_KEY' // a single signature checked on its own names no configured key
  | 'BAD_SIGNATURE' // a configured key's signature does not verify: the whole note is rejected
  | 'NO_VERIFIED_SIGNATURE' // the note parsed but no configured key signed it
  | 'BAD_TIMESTAMP'; // a cosignature time to sign with that is not an integer in 0..2^53-1

/** A signed note that is malformed, unverifiable or badly signed, or a bad key encoding. */
export class NoteError extends GrapevineError<NoteErrorCode> {}
