import { GrapevineError } from '../errors.ts';

export type PublishErrorCode =
  /** A tile, bundle or issuer the published tree does not have (beyond its checkpoint, or unknown). */
  | 'NOT_FOUND'
  /** An entry longer than a tlog-tiles bundle can hold (65535 bytes): the bundle cannot be served. */
  | 'ENTRY_TOO_LARGE';

/** A request to a log's static read API that cannot be answered. */
export class PublishError extends GrapevineError<PublishErrorCode> {}

export const PUBLISH_ERROR_STATUS = { NOT_FOUND: 404, ENTRY_TOO_LARGE: 500 } as const satisfies Record<PublishErrorCode, number>;
