/**
 * The lines a server command prints on stderr once it listens: the address,
 * then each log or hub with the URL its client commands take (`ct … --url`,
 * `hub … --url`) and what a monitor's log list needs: the RFC 6962 log id
 * (SHA-256 of the key, RFC 6962 §3.2) and the key as base64 SPKI, the form
 * log lists use (Google's log_list.json v3 "key").
 */
import { encodeBase64 } from '../codec/index.ts';
import { type PublicKey, rfc6962LogId } from '../crypto/index.ts';

export interface BannerPart {
  readonly kind: 'CT log' | 'hub';
  /** The URL clients are given: everything before /ct/v1 or /gossip/v0. */
  readonly url: string;
  readonly key?: PublicKey;
}

export function banner(url: string, parts: readonly BannerPart[]): string {
  const lines = [`grapevine: serving at ${url}`];
  for (const p of parts) {
    let line = `  ${p.kind.padEnd(6)}  --url ${p.url}`;
    if (p.key && p.kind === 'CT log') line += `  log id ${encodeBase64(rfc6962LogId(p.key))}`;
    if (p.key) line += `  key ${encodeBase64(p.key.spki)}`;
    lines.push(line);
  }
  return `${lines.join('\n')}\n`;
}
