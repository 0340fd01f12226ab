/**
 * How CLI commands print results: JSON on stdout, so output pipes into jq,
 * in one convention for every client command (docs/cli.md):
 *
 * - Times: the raw integer under the wire's name, exactly as the server sent
 *   it (CT: ms since the epoch, a number; the hub: ns since the epoch, a
 *   decimal string, since it exceeds 2^53), and beside it `<name>_rfc3339`,
 *   the same instant in RFC 3339 UTC (ms precision).
 * - Hashes, keys, signatures and other bytes: base64, as on the wire of both
 *   APIs (RFC 6962 §4, the hub's §1). Commands take hashes in hex or base64.
 *
 * Text that came from a server can hold terminal escape sequences; JSON
 * escapes C0 controls itself, and jsonText() also escapes DEL, C1 controls
 * and Unicode line and direction controls, so nothing printed can move the
 * cursor, recolour or reorder the terminal (issue 9 #7).
 */
import { nsToMs } from '../hub/time.ts';

/** DEL, C1 controls (U+0080–U+009F: U+009B is an 8-bit CSI), line/paragraph separators and bidi controls. */
const UNSAFE_IN_JSON = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** Every C0 control (line breaks included), DEL, C1 controls, and Unicode line and direction controls. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this escapes
const UNSAFE_IN_TERMINAL = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * One line for stderr, safe to show whatever its origin: line breaks (with
 * the spaces around them) become one space, every other control character
 * a visible escape (`\x1b`, `\u{202e}`).
 */
export function terminalLine(s: string): string {
  return s.replace(/\s*[\r\n]+\s*/g, ' ').replace(UNSAFE_IN_TERMINAL, (c) => {
    const code = c.charCodeAt(0);
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`;
  });
}

/** JSON text whose strings escape every character that could steer a terminal; still valid JSON for the same value. */
export function jsonText(v: unknown, indent?: number): string {
  return JSON.stringify(v, null, indent).replace(UNSAFE_IN_JSON, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** One pretty-printed JSON document. */
export function printJson(v: unknown): void {
  process.stdout.write(`${jsonText(v, 2)}\n`);
}

/** One compact JSON line (streams such as entries and leaves). */
export function printJsonLine(v: unknown): void {
  process.stdout.write(`${jsonText(v)}\n`);
}

/** Bytes as printed: base64. */
export function b64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

/** A time in ms since the epoch: `{ [name]: ms, [name_rfc3339]: "…Z" }`. */
export function msTime(name: string, ms: number): Record<string, number | string> {
  return { [name]: ms, [`${name}_rfc3339`]: rfc3339(ms) };
}

/** A time in ns since the epoch (the hub's wire): `{ [name]: "ns", [name_rfc3339]: "…Z" }`. */
export function nsTime(name: string, ns: bigint): Record<string, string> {
  return { [name]: ns.toString(), [`${name}_rfc3339`]: rfc3339(nsToMs(ns)) };
}

/** RFC 3339 UTC with milliseconds; an instant outside what Date holds is said so rather than thrown. */
export function rfc3339(ms: number): string {
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? `(not a representable time: ${ms} ms)` : d.toISOString();
}
