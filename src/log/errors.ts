import { GrapevineError } from '../errors.ts';

export type StorageErrorCode =
  | 'NOT_FOUND' // a write named a tree that does not exist
  | 'ALREADY_EXISTS' // createTree with a taken name
  | 'CONFLICT' // integrate lost the compare-and-swap: another sequencer moved the tree
  | 'UNAVAILABLE' // the database cannot be reached now; retry later
  | 'CORRUPT' // stored data violates an invariant (a bug or tampering): fatal
  | 'SCHEMA' // the database schema is newer than this binary, or migration failed
  | 'TOO_LARGE'; // a value over the store's documented bound (the caller's bug)

/** A storage failure. UNAVAILABLE is transient; CORRUPT and SCHEMA are fatal. */
export class StorageError extends GrapevineError<StorageErrorCode> {}

export type LogErrorCode =
  | 'NO_SUCH_TREE'
  | 'BAD_REQUEST' // a read outside the tree (index ≥ size, start > end, …)
  | 'LEAF_NOT_FOUND'
  | 'WRONG_KEY' // the signing key does not match the tree's recorded public key
  | 'INCONSISTENT_ROOT'; // a new head is not consistent with the previous one: fatal

/** A failure of a log-core operation, independent of storage. */
export class LogError extends GrapevineError<LogErrorCode> {}

export type QuotaErrorCode = 'EXHAUSTED';

/** A token bucket ran out. `retryAfterMs` says when one token will be back. */
export class QuotaError extends GrapevineError<QuotaErrorCode> {
  readonly retryAfterMs: number;
  readonly bucket: string;
  constructor(bucket: string, retryAfterMs: number) {
    super('EXHAUSTED', `quota exhausted for ${bucket}; retry after ${Math.ceil(retryAfterMs / 1000)} s`);
    this.bucket = bucket;
    this.retryAfterMs = retryAfterMs;
  }
}
