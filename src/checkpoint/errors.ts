import { GrapevineError } from '../errors.ts';

export type CheckpointErrorCode =
  | 'MALFORMED' // fewer than three lines, or text not ending in a newline
  | 'BAD_ORIGIN' // empty origin line, or not the origin the caller expected
  | 'BAD_SIZE' // tree size not canonical decimal (no sign, no leading zeros), or above 2^53-1 (cause: CodecError UNSAFE_INTEGER)
  | 'BAD_ROOT_HASH' // root hash not canonical base64, or not 32 bytes
  | 'BAD_EXTENSION' // an empty extension line (c2sp.org/tlog-checkpoint: "MUST be non-empty")
  | 'MISSING_LOG_SIGNATURE' // the checkpoint verified only through other keys (witnesses), not the log's
  | 'BAD_PROOF_FORMAT' // tlog-proof syntax: header, extra, index, hash lines, blank line, overlong line
  | 'BAD_PROOF_HASH' // a tlog-proof inclusion hash that is not base64 of exactly 32 bytes
  | 'BAD_POLICY'; // a c2sp.org/tlog-policy file that does not parse, or names a key of the wrong type or twice

/** A checkpoint body or tlog-proof that does not parse, or a checkpoint not signed as required. */
export class CheckpointError extends GrapevineError<CheckpointErrorCode> {}
