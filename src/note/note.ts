/**
 * The signed-note envelope (c2sp.org/signed-note §Format), syntax only:
 *
 *   <text, ending in "\n">
 *   "\n"                                   (the blank line)
 *   "— " <key name> " " base64(keyID[4] || signature) "\n"    (one or more)
 *
 * The text is split from the signatures at the LAST blank line, so the text
 * itself may contain blank lines. Parsing follows golang.org/x/mod/sumdb/note
 * `Open` step by step; verification lives in open.ts.
 */
import { decodeBase64, encodeBase64 } from '../codec/index.ts';
import { NoteError } from './errors.ts';
import { formatKeyId, isValidKeyName, LONE_SURROGATE } from './keys.ts';

/** More signature lines than this make a note malformed, as in x/mod/sumdb/note (the spec asks for ≥ 16). */
export const MAX_SIGNATURES = 100;

const SIG_PREFIX = '\u2014 '; // em dash U+2014, space
// Any ASCII control character except newline (signed-note §Format: "MUST NOT contain any ASCII control characters … other than newline").
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL = /[\u0000-\u0009\u000b-\u001f]/;
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** One signature line. `signature` excludes the 4-byte key ID. */
export interface NoteSignature {
  readonly name: string;
  /** The 32-bit key ID, big-endian on the wire. */
  readonly keyId: number;
  readonly signature: Buffer;
}

/** A parsed, not yet verified, note. `text` includes its final newline but not the blank line. */
export interface Note {
  readonly text: string;
  readonly signatures: readonly NoteSignature[];
}

function malformed(why: string, cause?: unknown): NoteError {
  return new NoteError('MALFORMED', `malformed note: ${why}`, cause === undefined ? undefined : { cause });
}

/** Decodes bytes as strict UTF-8 (invalid sequences are MALFORMED); strings must be well-formed UTF-16. */
function toText(msg: string | Uint8Array): string {
  if (typeof msg === 'string') {
    if (LONE_SURROGATE.test(msg)) throw malformed('not valid Unicode (lone surrogate)');
    return msg;
  }
  try {
    return UTF8.decode(msg);
  } catch (err) {
    throw malformed('not valid UTF-8', err);
  }
}

/** Throws MALFORMED unless `text` can be the text of a note: non-empty, ends in "\n", no control characters. */
export function checkNoteText(text: string): void {
  if (LONE_SURROGATE.test(text)) throw malformed('text is not valid Unicode');
  if (!text.endsWith('\n')) throw malformed('text must end in a newline');
  const m = CONTROL.exec(text);
  if (m) throw malformed(`control character U+${m[0].charCodeAt(0).toString(16).padStart(4, '0')} in text`);
}

/** Parses one signature line without its final newline. */
export function parseSignatureLine(line: string): NoteSignature {
  if (!line.startsWith(SIG_PREFIX)) throw malformed(`got line ${preview(line)}, want "— <name> <base64>"`);
  const rest = line.slice(SIG_PREFIX.length);
  const sp = rest.indexOf(' ');
  const name = sp < 0 ? rest : rest.slice(0, sp);
  const b64 = sp < 0 ? '' : rest.slice(sp + 1);
  if (!isValidKeyName(name)) throw malformed(`bad key name in signature line ${preview(line)}`);
  if (b64 === '') throw malformed(`signature line ${preview(line)} has no signature`);
  let raw: Buffer;
  try {
    raw = decodeBase64(b64);
  } catch (err) {
    throw malformed(`signature of ${name} is not base64`, err);
  }
  // Go requires at least one signature byte after the 4-byte key ID.
  if (raw.length < 5) throw malformed(`signature of ${name}: got ${raw.length} bytes, want ≥ 5`);
  return { name, keyId: raw.readUInt32BE(0), signature: Buffer.from(raw.subarray(4)) };
}

/**
 * Splits a signed note into text and signature lines. Throws NoteError
 * MALFORMED on any syntax error; checks no signature.
 */
export function parseNote(msg: string | Uint8Array): Note {
  const s = toText(msg);
  const m = CONTROL.exec(s);
  if (m) throw malformed(`control character U+${m[0].charCodeAt(0).toString(16).padStart(4, '0')}`);
  const split = s.lastIndexOf('\n\n');
  if (split < 0) throw malformed('no blank line before the signatures');
  const text = s.slice(0, split + 1);
  const block = s.slice(split + 2);
  if (block === '' || !block.endsWith('\n')) throw malformed('signature block must be non-empty and end in a newline');
  const lines = block.slice(0, -1).split('\n');
  // Counted before any de-duplication, like Go, to bound the work on hostile input.
  if (lines.length > MAX_SIGNATURES) throw malformed(`got ${lines.length} signatures, want ≤ ${MAX_SIGNATURES}`);
  return { text, signatures: lines.map(parseSignatureLine) };
}

/** The signature line for `sig`, including its final newline. */
export function formatSignatureLine(sig: NoteSignature): string {
  if (!isValidKeyName(sig.name)) throw malformed(`bad key name ${preview(sig.name)}`);
  if (!Number.isInteger(sig.keyId) || sig.keyId < 0 || sig.keyId > 0xffffffff) {
    throw malformed(`got key ID ${sig.keyId}, want a uint32`);
  }
  if (sig.signature.length === 0) throw malformed(`empty signature for ${sig.name}`);
  const raw = Buffer.alloc(4 + sig.signature.length);
  raw.writeUInt32BE(sig.keyId, 0);
  raw.set(sig.signature, 4);
  return `${SIG_PREFIX}${sig.name} ${encodeBase64(raw)}\n`;
}

/** Serializes a note; `parseNote(formatNote(n))` equals `n` for any note with ≥ 1 signature. */
export function formatNote(note: Note): string {
  checkNoteText(note.text);
  if (note.signatures.length === 0) throw malformed('a signed note needs at least one signature');
  return `${note.text}\n${note.signatures.map(formatSignatureLine).join('')}`;
}

/** "name+hex8" — how Go prints a key in errors. */
export function keyLabel(name: string, keyId: number): string {
  return `${name}+${formatKeyId(keyId)}`;
}

function preview(s: string): string {
  return JSON.stringify(s.length > 60 ? `${s.slice(0, 60)}…` : s);
}
