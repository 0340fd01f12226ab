import { GrapevineError } from '../errors.ts';

export type GossipErrorCode = 'UNSUPPORTED_HEAD'; // a transport got a head format its other side cannot take

export class GossipError extends GrapevineError<GossipErrorCode> {}
