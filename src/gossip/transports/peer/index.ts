/** The `peer` transport: daemon-to-daemon gossip over TCP with pinned Ed25519 keys and sealed frames. */
export { FrameError, FrameReader, FrameSealer } from './frames.ts';
export { PeerHandshakeError, type PeerHandshakeErrorCode, rawEd25519 } from './handshake.ts';
export { PeerSession, type PeerSessionOptions } from './session.ts';
export { type PeerSpec, PeerTransport, type PeerTransportOptions } from './transport.ts';
