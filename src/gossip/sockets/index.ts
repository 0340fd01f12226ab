/**
 * The service's two sockets (draft-linus-trans-gossip-00): peers on one,
 * external transports on the other, each a Unix socket (mode 0600) and
 * optionally a loopback TCP port.
 */
export { Connection, type ConnectionHandler, type ConnectionLimits, DEFAULT_CONNECTION_LIMITS } from './connection.ts';
export { GossipSocketError, type GossipSocketErrorCode } from './errors.ts';
export { isLoopback } from './listen.ts';
export { PeerSocket, type PeerSocketOptions } from './peer-socket.ts';
export type { BoundAddress, SocketAddress } from './server.ts';
export { secretsEqual, TransportSocket, type TransportSocketOptions } from './transport-socket.ts';
