import { GrapevineError } from '../../errors.ts';

/**
 * Why bytes from a peer or transport are not a gossip message. Each code maps
 * to one refusal code on the wire (`refusalCodeOf` in refusal.ts) and to one
 * metrics label.
 */
export type WireErrorCode =
  /** Not an S-expression or JSON object of the grammar (docs/gossip.md): a stray byte, an unbalanced paren, bad escaping. */
  | 'MALFORMED'
  /** A message longer than the connection's limit, or nested or wide beyond the grammar's bounds. */
  | 'TOO_LARGE'
  /** A well-formed message whose command is not one this service speaks. */
  | 'UNKNOWN_COMMAND'
  /** A field missing, repeated, unknown for the command, or of the wrong shape. */
  | 'BAD_FIELD'
  /** `gossip-data` or `shared-secret` that is not canonical padded base64 (RFC 4648 §4). */
  | 'BAD_BASE64'
  /** A message in the other encoding than the one the connection started with. */
  | 'WRONG_ENCODING';

export class WireError extends GrapevineError<WireErrorCode> {
  /** The message's tag when it could be read, so the refusal can echo it. */
  readonly tag: string | undefined;
  constructor(code: WireErrorCode, message: string, options?: { cause?: unknown; tag?: string }) {
    super(code, message, options);
    this.tag = options?.tag;
  }
}
