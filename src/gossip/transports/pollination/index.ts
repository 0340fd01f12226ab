/** draft-ietf-trans-gossip STH pollination as a transport: client rounds and the server endpoints. */
export { formatPollinationBody, type PollinationBody, PollinationBodyError, type PollinationShape, parsePollinationBody } from './body.ts';
export { incomingOfSths, logOfSth, pollinationResponse, pollinationSelection } from './pollinate.ts';
export {
  OLD_POLLINATION_PATH,
  POLLINATION_PATH,
  type PollinationOptions,
  type PollinationPool,
  PollinationTransport,
} from './transport.ts';
