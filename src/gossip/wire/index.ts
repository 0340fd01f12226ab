/**
 * The gossip service protocol on the wire (draft-linus-trans-gossip-00 §6):
 * the message model, the strict S-expression and JSON-lines codecs, and the
 * stream framer. Pure: no I/O, no clock. Grammar and examples: docs/gossip.md.
 */
export { decodeJsonMessage, decodeMessage, decodeSexpMessage, encodeMessage, headOf, refusal, refusalFor } from './codec.ts';
export { WireError, type WireErrorCode } from './errors.ts';
export { type Frame, MessageFramer } from './framer.ts';
export { type JsonFieldValue, parseJsonLine } from './json-line.ts';
export {
  ALL_TRANSPORTS,
  type AuthenticateRequest,
  type AuthenticateResponse,
  type AuthenticateResult,
  COMMANDS,
  Command,
  type CommandName,
  type Encoding,
  type EnumerateTransportsRequest,
  type EnumerateTransportsResponse,
  type GossipError,
  type GossipMessage,
  type GossipMsg,
  LOG_ID,
  REFUSAL_CODES,
  type RefusalCode,
  TAG,
  TRANSPORT_NAME,
} from './model.ts';
export { formatMessageSexp, formatSexpItem, isToken, MAX_DEPTH, MAX_ITEMS, parseSexp, type Sexp, WRAP_COLUMN } from './sexp.ts';
