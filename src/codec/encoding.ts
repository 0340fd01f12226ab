/**
 * Strict text encodings of bytes.
 *
 * Base64 follows Go's `StdEncoding` (RFC 4648 §4, standard alphabet, padding
 * required, no whitespace): Node's `Buffer.from(s, 'base64')` silently skips
 * unknown characters, which lets malformed notes and proofs through.
 */
import { CodecError } from './errors.ts';

const BASE64_RE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const HEX_RE = /^(?:[0-9a-fA-F]{2})*$/;

/**
 * Decodes standard padded base64; throws CodecError BAD_BASE64 on any
 * deviation: characters outside the standard alphabet (Node also reads the
 * URL-safe one and skips others), missing or extra padding, and unused
 * trailing bits that are not zero (RFC 4648 §3.5). Node's encoder writes the
 * one canonical form of any bytes, so an input is valid exactly when it
 * round-trips; that check alone is ~20× cheaper than a regular expression
 * over the input (add-chain bodies carry kilobytes of it).
 */
export function decodeBase64(s: string): Buffer {
  const out = Buffer.from(s, 'base64');
  if (out.toString('base64') !== s) throw new CodecError('BAD_BASE64', `not canonical padded base64: ${preview(s)}`);
  return out;
}

export function encodeBase64(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64');
}

/** Decodes even-length hex (either case); throws CodecError BAD_HEX otherwise. */
export function decodeHex(s: string): Buffer {
  if (!HEX_RE.test(s)) throw new CodecError('BAD_HEX', `not hex: ${preview(s)}`);
  return Buffer.from(s, 'hex');
}

export function encodeHex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}

/**
 * Decodes a hash given by a person: hex (64 digits for SHA-256) or base64.
 * Hex wins when the string is valid hex of the expected length.
 */
export function decodeHashText(s: string, size = 32): Buffer {
  const t = s.trim();
  if (t.length === size * 2 && HEX_RE.test(t)) return Buffer.from(t, 'hex');
  if (BASE64_RE.test(t)) {
    const b = decodeBase64(t);
    if (b.length === size) return b;
  }
  throw new CodecError('BAD_VALUE', `not a ${size}-byte hash in hex or base64: ${preview(t)}`);
}

function preview(s: string): string {
  return JSON.stringify(s.length > 40 ? `${s.slice(0, 40)}…` : s);
}
