/**
 * The S-expressions of draft-linus-trans-gossip-00 §6 ("Messages are ASCII
 * S-expressions over a reliable stream"). The draft shows examples and no
 * grammar, so this is the strict grammar that reads exactly those examples
 * (docs/gossip.md, "S-expression grammar"):
 *
 *     sexp      = "(" ws* [ item *( sep item ) ] ws* ")"
 *     item      = token / string / sexp
 *     sep       = ws+, or nothing next to a parenthesis
 *     token     = 1*( ALPHA / DIGIT / "-" / "." / "/" / "_" / ":" / "*" / "+" / "=" )
 *     string    = DQUOTE *( %x20-21 / %x23-5B / %x5D-7E / "\" DQUOTE / "\\" ) DQUOTE
 *     ws        = SP / HTAB / CR / LF
 *
 * Tokens are Rivest's token characters (draft-rivest-sexp §4.3), except that
 * a token may start with a digit, as the draft's `(timestamp 1414396810000)`
 * and hex `log-id` do (but not with digits and a colon, which is Rivest's
 * verbatim `3:abc`); base64 is a token (its alphabet is inside the set).
 * Quoted strings carry text with spaces (error messages) and the empty string.
 * Anything else — non-ASCII bytes, control characters, other escapes, display
 * hints, Rivest's #hex#/|base64|/verbatim forms — is MALFORMED: the strict
 * reading of a grammar-less draft.
 *
 * Bounds: nesting at most MAX_DEPTH lists, at most MAX_ITEMS items per list.
 * Byte length is bounded by the framer (framer.ts) before parsing.
 *
 * Pure: no I/O.
 */
import { WireError } from './errors.ts';

/** An atom (token or quoted string, both plain text once read) or a list. */
export type Sexp = string | readonly Sexp[];

/** Deepest nesting the messages need is 3: message → field → value list. One spare. */
export const MAX_DEPTH = 4;
/** Widest list: a message's fields, or the transports of a destination. */
export const MAX_ITEMS = 64;

const TOKEN_CHAR = /[A-Za-z0-9\-./_:*+=]/;
const TOKEN = /^[A-Za-z0-9\-./_:*+=]+$/;
const isWs = (c: number) => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;

/** Rivest's verbatim form `3:abc`, which a token starting with a digit could otherwise look like. */
const VERBATIM = /^[0-9]+:/;

/** True when `s` can be written as a bare token. */
export function isToken(s: string): boolean {
  return TOKEN.test(s) && !VERBATIM.test(s);
}

/**
 * Parses exactly one S-expression list (surrounding whitespace allowed).
 * Throws WireError MALFORMED or TOO_LARGE.
 */
export function parseSexp(text: string): readonly Sexp[] {
  let i = 0;
  const n = text.length;
  const bad = (why: string) => new WireError('MALFORMED', `S-expression at offset ${i}: ${why}`);
  const skipWs = () => {
    while (i < n && isWs(text.charCodeAt(i))) i++;
  };

  const readString = (): string => {
    i++; // opening quote
    let out = '';
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        i++;
        return out;
      }
      if (c === 0x5c) {
        const e = text.charCodeAt(i + 1);
        if (e !== 0x22 && e !== 0x5c) throw bad('got an escape other than \\" or \\\\ in a quoted string');
        out += text[i + 1];
        i += 2;
        continue;
      }
      if (c < 0x20 || c > 0x7e) throw bad(`got byte 0x${c.toString(16).padStart(2, '0')} in a quoted string, want printable ASCII`);
      out += text[i];
      i++;
    }
    throw bad('unterminated quoted string');
  };

  const readList = (depth: number): Sexp[] => {
    if (depth > MAX_DEPTH) throw new WireError('TOO_LARGE', `S-expression nested deeper than ${MAX_DEPTH} lists`);
    i++; // "("
    const items: Sexp[] = [];
    let needSep = false;
    for (;;) {
      const before = i;
      skipWs();
      if (i >= n) throw bad('unbalanced parentheses: the list is not closed');
      const ch = text[i];
      if (ch === ')') {
        i++;
        return items;
      }
      if (items.length === MAX_ITEMS) throw new WireError('TOO_LARGE', `S-expression list of more than ${MAX_ITEMS} items`);
      if (ch === '(') {
        items.push(readList(depth + 1));
        needSep = false;
        continue;
      }
      if (needSep && i === before) throw bad('two atoms with nothing between them');
      if (ch === '"') {
        items.push(readString());
      } else if (TOKEN_CHAR.test(ch)) {
        const start = i;
        while (i < n && TOKEN_CHAR.test(text[i])) i++;
        const token = text.slice(start, i);
        if (VERBATIM.test(token)) throw bad(`got ${JSON.stringify(token.slice(0, 20))}, which is Rivest's verbatim form, not a token`);
        items.push(token);
      } else {
        const c = text.charCodeAt(i);
        throw bad(
          c > 0x20 && c < 0x7f
            ? `got ${JSON.stringify(ch)}, want a token, a quoted string or a list`
            : `got byte 0x${c.toString(16).padStart(2, '0')}`,
        );
      }
      needSep = true;
    }
  };

  skipWs();
  if (text[i] !== '(') throw bad(i >= n ? 'empty message' : `got ${JSON.stringify(text[i])}, want "("`);
  const list = readList(1);
  skipWs();
  if (i !== n) throw bad('bytes after the closing parenthesis');
  return list;
}

function atom(s: string): string {
  return isToken(s) ? s : `"${s.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/** One item on a single line. Atoms that are not tokens are quoted. Requires printable ASCII atoms. */
export function formatSexpItem(item: Sexp): string {
  return typeof item === 'string' ? atom(item) : `(${item.map(formatSexpItem).join(' ')})`;
}

/** Column at which the draft's examples wrap a field (RFC 7322 §4.3: lines of at most 72 characters). */
export const WRAP_COLUMN = 72;

/**
 * A message in the draft's layout: the head on the first line, each field
 * `(name value)` on a line of its own indented two spaces, and a field whose
 * line (with the closing parentheses that end on it) would pass column 72 with
 * its value moved to the next line, indented four — which is how the draft
 * prints `log-id`. Reproduces the draft's examples byte for byte.
 */
export function formatMessageSexp(head: string, fields: readonly (readonly [string, Sexp])[]): string {
  const lines = [`(${atom(head)}`];
  fields.forEach(([name, value], k) => {
    const close = k === fields.length - 1 ? '))' : ')';
    const one = `  (${atom(name)} ${formatSexpItem(value)}${close}`;
    lines.push(one.length <= WRAP_COLUMN ? one : `  (${atom(name)}\n    ${formatSexpItem(value)}${close}`);
  });
  if (fields.length === 0) lines[0] += ')';
  return lines.join('\n');
}
