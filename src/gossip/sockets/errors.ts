import { GrapevineError } from '../../errors.ts';

export type GossipSocketErrorCode =
  /** The socket path exists: another service is running there, or it is not a socket. */
  | 'IN_USE'
  /** A TCP listen address that is not loopback. */
  | 'NOT_LOOPBACK';

/** A socket the service cannot listen on (found at start-up). */
export class GossipSocketError extends GrapevineError<GossipSocketErrorCode> {}
