import { GrapevineError } from '../errors.ts';

export type MonitorErrorCode =
  /** A request that could not be made or was answered with an unexpected status. */
  | 'HTTP'
  /** No answer within the time limit. */
  | 'TIMEOUT'
  /** A body larger than the limit for its endpoint: read no further. */
  | 'TOO_LARGE'
  /** A body that does not parse as the endpoint's format. */
  | 'BAD_RESPONSE'
  /** A head or promise whose signature does not verify under the log's configured key. */
  | 'BAD_SIGNATURE'
  /** The monitor's configuration names something that does not exist (a log, a hub). */
  | 'CONFIG'
  /** The log's API cannot answer this question at all (a tiled log asked for a leaf by its hash). */
  | 'UNSUPPORTED';

/** A failed observation or submission. Never a verdict about a log: incidents are the verdicts. */
export class MonitorError extends GrapevineError<MonitorErrorCode> {}
