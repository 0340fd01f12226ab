/** The `https` transport: gossip in TransGossip HTTP headers (draft-linus-trans-gossip-transport-https-00). */
export {
  formatTransGossip,
  type HeaderMessage,
  PROTOCOL_VERSION,
  parseEnabled,
  parseTransGossip,
  TRANS_GOSSIP,
  TRANS_GOSSIP_ENABLED,
} from './header.ts';
export { type HttpsPool, HttpsTransport, type HttpsTransportOptions } from './transport.ts';
