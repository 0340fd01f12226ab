/**
 * The messages of the gossip service protocol (draft-linus-trans-gossip-00
 * §6, as published 2014-10-27; specs/gossip-service-protocol.md), as typed
 * values, plus the two things Grapevine adds:
 *
 * - `tag` on every message (the working copy's IMAP idea): the service echoes
 *   it on its replies and keeps it on a message it forwards, so a peer can
 *   match what comes back to what it sent;
 * - `transport-id` on AUTHENTICATE-REQUEST (the working copy: a transport
 *   "registers by identifying itself with a string"), and `gossip-error-0`,
 *   the refusal the draft lacks (`code` from a closed set, `message` text).
 *
 * Field names are the draft's, in both encodings. Pure: no I/O.
 */

/** The draft's command strings (§6), and Grapevine's error message. */
export const Command = {
  authenticateRequest: 'gossip-authenticate-request-0',
  authenticateResponse: 'gossip-authenticate-response-0',
  enumerateTransportsRequest: 'gossip-enumerate-transports-request-0',
  enumerateTransportsResponse: 'gossip-enumerate-transports-response-0',
  gossipMsg: 'gossip-msg-0',
  error: 'gossip-error-0',
} as const;
export type CommandName = (typeof Command)[keyof typeof Command];
export const COMMANDS: readonly CommandName[] = Object.values(Command);

/** The special destination meaning every registered transport (§6, GOSSIP-MSG). */
export const ALL_TRANSPORTS = 'all';

interface Tagged {
  /** Grapevine: echoed on replies, kept on forwarded messages. Token characters, 1..64. */
  readonly tag?: string;
}

/** AUTHENTICATE-REQUEST, transport → service. */
export interface AuthenticateRequest extends Tagged {
  readonly command: typeof Command.authenticateRequest;
  /** The decoded `shared-secret` (base64 on the wire). */
  readonly sharedSecret: Buffer;
  /** Grapevine: the id the transport registers under (required by the service, optional on the wire). */
  readonly transportId?: string;
}

export type AuthenticateResult = 'ok' | 'bad-auth';

/** AUTHENTICATE-RESPONSE, service → transport. */
export interface AuthenticateResponse extends Tagged {
  readonly command: typeof Command.authenticateResponse;
  readonly response: AuthenticateResult;
}

/** ENUMERATE-TRANSPORTS-REQUEST, peer → service. */
export interface EnumerateTransportsRequest extends Tagged {
  readonly command: typeof Command.enumerateTransportsRequest;
}

/** ENUMERATE-TRANSPORTS-RESPONSE, service → peer. */
export interface EnumerateTransportsResponse extends Tagged {
  readonly command: typeof Command.enumerateTransportsResponse;
  readonly transports: readonly string[];
}

/** GOSSIP-MSG, in either direction (§6). */
export interface GossipMsg extends Tagged {
  readonly command: typeof Command.gossipMsg;
  /** Outgoing only (peer → transports): transport names or "all". Peers MUST ignore it. */
  readonly destination?: readonly string[];
  /** Incoming only: the transport it arrived over, or "". Transports MUST ignore it. */
  readonly source?: string;
  /** ms since the epoch when the service received the message (set by the service). */
  readonly timestamp?: number;
  /** SHA-256 of the log's public key, 64 lowercase hex digits. */
  readonly logId: string;
  /** The opaque data (base64 on the wire); it MUST include a signature by the log named by `logId`. */
  readonly gossipData: Buffer;
}

/** The refusal codes of `gossip-error-0` (docs/gossip.md, "Refusals"). */
export const REFUSAL_CODES = [
  'malformed',
  'too-large',
  'unknown-command',
  'bad-field',
  'bad-base64',
  'wrong-encoding',
  'not-allowed',
  'not-authenticated',
  'missing-transport-id',
  'duplicate-transport-id',
  'unknown-transport',
  'rate-limited',
  'overloaded',
] as const;
export type RefusalCode = (typeof REFUSAL_CODES)[number];

/** Grapevine: why the service refused what it just read on this connection. */
export interface GossipError extends Tagged {
  readonly command: typeof Command.error;
  readonly code: RefusalCode;
  readonly message: string;
}

export type GossipMessage =
  | AuthenticateRequest
  | AuthenticateResponse
  | EnumerateTransportsRequest
  | EnumerateTransportsResponse
  | GossipMsg
  | GossipError;

/** The two encodings; a connection is answered in the one it used. */
export type Encoding = 'sexp' | 'json';

/** Transport names, transport ids and `source`: lowercase, as the draft's `gossip-transport-https`. */
export const TRANSPORT_NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;
/** Tags: token characters (so they print bare in S-expressions), 1..64. */
export const TAG = /^[A-Za-z0-9\-./_:*+=]{1,64}$/;
/** `log-id`: SHA-256, 64 lowercase hex digits as in the draft's examples. */
export const LOG_ID = /^[0-9a-f]{64}$/;
