/**
 * The witness's request errors and the one table that turns them into HTTP
 * statuses (STYLE.md §5), each row beside the c2sp.org/tlog-witness text it
 * implements (the current text, C2SP@5ba5ee8; specs/gossip-protocols.md §3.4).
 *
 * The 429 of a log's `qpd` budget is QuotaError (src/log), mapped by the
 * shared error mapper; the spec names no status for it (transparency-dev's
 * witness answers 429 for pushback, gossip-protocols.md §3.4).
 */
import { GrapevineError } from '../errors.ts';

export type WitnessErrorCode =
  /** The body is not `old N`, ≤ 63 proof lines, a blank line and a signed note; or the note or its checkpoint text does not parse. */
  | 'MALFORMED'
  /** `old` is larger than the checkpoint's size. */
  | 'OLD_SIZE_TOO_LARGE'
  /** No log with this origin is configured (or it is disabled). */
  | 'UNKNOWN_ORIGIN'
  /** No signature from a key trusted for the origin. */
  | 'UNTRUSTED'
  /** A signature names a trusted key (name and key ID) and does not verify. */
  | 'BAD_SIGNATURE'
  /** `old` is not the size of the latest checkpoint cosigned for the origin (0 if none); see `WitnessError.size`. */
  | 'STALE'
  /** The consistency proof fails, is non-empty from size 0, or a size-0 checkpoint has another root than the empty tree's. */
  | 'BAD_PROOF'
  /** The checkpoint has the size of the latest cosigned one and another root hash. */
  | 'ROOT_MISMATCH'
  /** Monitoring GET: the origin hash names no configured log, or nothing was cosigned for it yet. */
  | 'NOT_COSIGNED'
  /** The compare-and-swap of one origin's state lost to concurrent requests too often; nothing was cosigned. Retry. */
  | 'CONTENTION';

/** A refused witness request. `size` is set for STALE only: the size of the latest cosigned checkpoint. */
export class WitnessError extends GrapevineError<WitnessErrorCode> {
  readonly size: number | undefined;
  constructor(code: WitnessErrorCode, message: string, options?: { cause?: unknown; size?: number }) {
    super(code, message, options);
    this.size = options?.size;
  }
}

/** Startup errors of the witness (log list, keys): never a request's status. */
export class WitnessConfigError extends GrapevineError<'BAD_CONFIG'> {}

/**
 * code → HTTP status (c2sp.org/tlog-witness §add-checkpoint, §Monitoring).
 * Check order, as the service applies it: 400 MALFORMED, 404, 403, 400
 * OLD_SIZE_TOO_LARGE, 429 (qpd), 409, 422, 200.
 */
export const WITNESS_ERROR_STATUS = {
  // §add-checkpoint: a request that does not parse is 400 Bad Request.
  MALFORMED: 400,
  // §add-checkpoint: old MUST be ≤ the checkpoint size, else 400 Bad Request.
  OLD_SIZE_TOO_LARGE: 400,
  // §add-checkpoint: an unknown origin is 404 Not Found.
  UNKNOWN_ORIGIN: 404,
  // §add-checkpoint: no signature verifies under a key trusted for the origin → 403 Forbidden.
  UNTRUSTED: 403,
  // §add-checkpoint (added 2026-05): a signature by a trusted key name and ID that fails to verify → 403 Forbidden.
  BAD_SIGNATURE: 403,
  // §add-checkpoint: old ≠ the size of the latest checkpoint cosigned for the origin (0 if none) → 409 Conflict,
  // body "<size>\n", Content-Type text/x.tlog.size (written by routes.ts).
  STALE: 409,
  // §add-checkpoint: the consistency proof fails, or is non-empty when old is 0, or a size-0 checkpoint's root is not
  // the empty-tree hash → 422 Unprocessable Entity.
  BAD_PROOF: 422,
  // §add-checkpoint, C2SP #280 (95978ca, 2026-07-06): same size with a different root → 422 (it was 409), so that
  // every 409 means "retry with this size".
  ROOT_MISMATCH: 422,
  // §Monitoring: 404 Not Found when the witness never cosigned a checkpoint for the origin.
  NOT_COSIGNED: 404,
  // Not in the spec: the state of one origin moved under us repeatedly; nothing was cosigned, retry.
  CONTENTION: 503,
} as const satisfies Record<WitnessErrorCode, number>;
