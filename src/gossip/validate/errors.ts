import { GrapevineError } from '../../errors.ts';

/** Configuration of known logs that cannot be used (found at start-up, never while gossiping). */
export type KnownLogErrorCode =
  /** A log whose key, vkeys or origin do not build (or whose claimed log_id is not SHA-256 of its key). */
  | 'BAD_LOG'
  /** Two logs that resolve to one log id. */
  | 'DUPLICATE_LOG'
  /** A CT log list that is not Google's v3 JSON shape. */
  | 'BAD_LOG_LIST';

export class KnownLogError extends GrapevineError<KnownLogErrorCode> {}
