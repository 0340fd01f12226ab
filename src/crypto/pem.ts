/**
 * PEM armour (RFC 7468): `-----BEGIN LABEL-----`, base64 body, `-----END LABEL-----`.
 *
 * Parsing follows RFC 7468 §2/§3: text outside the blocks ("explanatory
 * text") is ignored, whitespace inside the body is ignored, but the base64
 * itself is strict (padding required, canonical) and BEGIN/END labels must
 * match. RFC 1421 headers are not part of RFC 7468; the only one we recognise
 * is the legacy OpenSSL `Proc-Type: 4,ENCRYPTED`, to say why such a key is
 * refused (KeyError ENCRYPTED_KEY) instead of calling it malformed.
 */
import { decodeBase64 } from '../codec/encoding.ts';
import { KeyError } from './errors.ts';

export interface PemBlock {
  readonly label: string;
  readonly der: Buffer;
}

const BLOCK_RE = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END ([A-Z0-9 ]+)-----/g;
const WS_RE = /\s+/g;

const BEGIN = '-----BEGIN ';

/** True when the input contains a PEM BEGIN line (possibly after explanatory text); DER never does in practice. */
export function looksLikePem(input: string | Uint8Array): boolean {
  return typeof input === 'string' ? input.includes(BEGIN) : Buffer.from(input.buffer, input.byteOffset, input.byteLength).includes(BEGIN);
}

/** Every PEM block in the text, in order. KeyError MALFORMED_KEY when there is none or one is broken. */
export function decodePem(text: string): PemBlock[] {
  const blocks: PemBlock[] = [];
  for (const m of text.matchAll(BLOCK_RE)) {
    const [, label, body, endLabel] = m;
    if (label !== endLabel) {
      throw new KeyError('MALFORMED_KEY', `PEM: got END label "${endLabel}", want "${label}"`);
    }
    if (body.includes(':')) {
      if (/Proc-Type:\s*4,ENCRYPTED/.test(body)) {
        throw new KeyError('ENCRYPTED_KEY', `PEM "${label}" is encrypted; decrypt it first (openssl pkey -in KEY -out PLAIN)`);
      }
      throw new KeyError('MALFORMED_KEY', `PEM "${label}": got RFC 1421 headers, want only base64 (RFC 7468)`);
    }
    let der: Buffer;
    try {
      der = decodeBase64(body.replace(WS_RE, ''));
    } catch (err) {
      throw new KeyError('MALFORMED_KEY', `PEM "${label}": body is not valid base64`, { cause: err });
    }
    if (der.length === 0) throw new KeyError('MALFORMED_KEY', `PEM "${label}": empty body`);
    blocks.push({ label, der });
  }
  if (blocks.length === 0) throw new KeyError('MALFORMED_KEY', 'got no complete PEM block, want -----BEGIN …----- … -----END …-----');
  return blocks;
}

/** PEM with 64-character lines and a trailing newline (RFC 7468 §2, "strict" generators). */
export function encodePem(label: string, der: Uint8Array): string {
  const b64 = Buffer.from(der).toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += 64) lines.push(b64.slice(i, i + 64));
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/**
 * The length of the DER TLV at the start of `der` (X.690 §8.1.3), or -1 if
 * the header is not a valid definite-length encoding. Used to reject trailing
 * bytes after a key, which OpenSSL silently ignores.
 */
export function derElementLength(der: Uint8Array): number {
  if (der.length < 2) return -1;
  const first = der[1];
  if (first < 0x80) return 2 + first;
  const n = first & 0x7f;
  // 0x80 is BER indefinite length (not DER); more than 4 length bytes is not a key.
  if (n === 0 || n > 4 || der.length < 2 + n) return -1;
  let len = 0;
  for (let i = 0; i < n; i++) len = len * 256 + der[2 + i];
  return 2 + n + len;
}
