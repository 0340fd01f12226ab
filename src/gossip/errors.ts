import { GrapevineError } from '../errors.ts';

export type GossipErrorCode =
  | 'UNSUPPORTED_HEAD' // a transport got a head format its other side cannot take
  | 'REFUSED' // the gossip service refused a head handed to it in process (its refusal code in the message)
  | 'UNAVAILABLE'; // a transport's server half asked before the transport started (503)

export class GossipError extends GrapevineError<GossipErrorCode> {}
