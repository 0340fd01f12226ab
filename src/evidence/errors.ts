import { GrapevineError } from '../errors.ts';

export type EvidenceErrorCode =
  /** Not an evidence document: not JSON, fails the schema, or an inner encoding (base64, TLS, note, JSON body) does not decode. */
  | 'MALFORMED'
  /** An evidence document of a version this verifier does not know. */
  | 'UNSUPPORTED_VERSION'
  /** A document larger than MAX_EVIDENCE_BYTES. */
  | 'TOO_LARGE'
  /** A key given to the verifier (`--key`) that does not parse. */
  | 'BAD_KEY'
  /** checkSignedHead / checkSignedPromise: a signature that does not verify under the log key. */
  | 'BAD_SIGNATURE'
  /** A builder was given material that cannot form the evidence asked for (a programming error in the caller). */
  | 'BAD_INPUT';

export class EvidenceError extends GrapevineError<EvidenceErrorCode> {}
