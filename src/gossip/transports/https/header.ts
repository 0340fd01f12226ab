/**
 * The HTTP headers of draft-linus-trans-gossip-transport-https-00
 * (specs/gossip-service-protocol.md, "The HTTPS transport"):
 *
 *   TransGossip: <protocol-version>:<log-id>:<gossip-data>      version 0, log-id hex, gossip-data base64
 *   TransGossipEnabled: Yes | No
 *
 * Several messages travel as several TransGossip fields, which HTTP may join
 * into one value separated by commas (RFC 9110 §5.3); neither hex nor base64
 * has a comma, so a value splits back unambiguously.
 *
 * Pure.
 */
import { decodeBase64, encodeBase64 } from '../../../codec/index.ts';
import { LOG_ID } from '../../wire/index.ts';

export const TRANS_GOSSIP = 'TransGossip';
export const TRANS_GOSSIP_ENABLED = 'TransGossipEnabled';
/** The only protocol version the draft defines. */
export const PROTOCOL_VERSION = '0';

export interface HeaderMessage {
  readonly logId: string;
  readonly gossipData: Buffer;
}

export function formatTransGossip(m: HeaderMessage): string {
  return `${PROTOCOL_VERSION}:${m.logId}:${encodeBase64(m.gossipData)}`;
}

/**
 * The messages of TransGossip field values (each possibly comma-joined).
 * Items that are not version 0, a 64-hex log id and canonical base64 are
 * counted in `bad`, never thrown: a header is someone else's input.
 */
export function parseTransGossip(values: readonly string[], maxMessages: number): { messages: HeaderMessage[]; bad: number } {
  const messages: HeaderMessage[] = [];
  let bad = 0;
  for (const value of values) {
    for (const raw of value.split(',')) {
      const item = raw.trim();
      if (item === '') continue;
      if (messages.length >= maxMessages) {
        bad++;
        continue;
      }
      const [version, logId, data, ...rest] = item.split(':');
      if (version !== PROTOCOL_VERSION || rest.length > 0 || !LOG_ID.test(logId ?? '') || !data) {
        bad++;
        continue;
      }
      try {
        messages.push({ logId, gossipData: decodeBase64(data) });
      } catch {
        bad++;
      }
    }
  }
  return { messages, bad };
}

/** A server's TransGossipEnabled answer: "yes", "no", or null when it said nothing (or something else). */
export function parseEnabled(value: string | null | undefined): 'yes' | 'no' | null {
  const v = value?.trim().toLowerCase();
  return v === 'yes' ? 'yes' : v === 'no' ? 'no' : null;
}
