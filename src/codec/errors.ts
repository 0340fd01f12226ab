import { GrapevineError } from '../errors.ts';

export type CodecErrorCode =
  | 'TRUNCATED' // fewer bytes than the structure needs
  | 'TRAILING_DATA' // bytes left after a complete structure
  | 'LENGTH_OUT_OF_BOUNDS' // a variable-length field outside its <floor..ceiling>, or a fixed-size field of the wrong size
  | 'BAD_VALUE' // an enum or version value that is not allowed here
  | 'BAD_BASE64'
  | 'BAD_HEX'
  | 'BAD_JSON' // a body that is not JSON, or not a JSON object where one is required
  | 'BAD_FIELD' // a JSON field that is missing, null, or of the wrong type or sign
  | 'UNSAFE_INTEGER'; // a uint64 above 2^53-1, which Grapevine does not represent

/** A malformed encoding: TLS structures, base64, hex. */
export class CodecError extends GrapevineError<CodecErrorCode> {}
