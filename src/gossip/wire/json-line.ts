/**
 * One JSON-lines message: a JSON object (RFC 8259) on one line whose values
 * are strings, non-negative integers or arrays of strings — the shapes the
 * messages have (the draft's TODO: "change to JSON object [RFC7159] encoding
 * since that's used in CT"). Read strictly, by hand rather than JSON.parse:
 * a repeated key is refused (RFC 8259 §4 leaves it open; JSON.parse keeps the
 * last, which would let two readers see two messages), as are fractions,
 * exponents, negative numbers, nested objects, lone surrogates and
 * everything after the object but whitespace.
 *
 * Pure: no I/O.
 */
import { WireError } from './errors.ts';
import { MAX_ITEMS } from './sexp.ts';

/** A value of a message field as read from JSON. */
export type JsonFieldValue = string | number | readonly string[];

const WS = new Set([' ', '\t', '\r', '\n']);
/** Characters a string may hold as they are: not a quote, a backslash or a control character (U+0000–U+001F). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: RFC 8259 §7, control characters must be escaped in a string.
const PLAIN = /[^"\\\u0000-\u001f]+/y;
const ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

/** The fields of one JSON object, in order. Throws WireError MALFORMED, TOO_LARGE or BAD_FIELD (repeated key). */
export function parseJsonLine(text: string): [string, JsonFieldValue][] {
  let i = 0;
  const n = text.length;
  const bad = (why: string) => new WireError('MALFORMED', `JSON at offset ${i}: ${why}`);
  const skipWs = () => {
    while (i < n && WS.has(text[i])) i++;
  };
  const expect = (c: string) => {
    skipWs();
    if (text[i] !== c)
      throw bad(i >= n ? `ended early, want ${JSON.stringify(c)}` : `got ${JSON.stringify(text[i])}, want ${JSON.stringify(c)}`);
    i++;
  };

  const readString = (): string => {
    skipWs();
    if (text[i] !== '"') throw bad(i >= n ? 'ended early, want a string' : `got ${JSON.stringify(text[i])}, want a string`);
    i++;
    let out = '';
    for (;;) {
      // Runs of plain characters (base64, hex, names) are taken at once.
      PLAIN.lastIndex = i;
      if (PLAIN.test(text)) {
        out += text.slice(i, PLAIN.lastIndex);
        i = PLAIN.lastIndex;
      }
      if (i >= n) throw bad('unterminated string');
      const c = text[i];
      const code = text.charCodeAt(i);
      if (c === '"') {
        i++;
        break;
      }
      if (code < 0x20) throw bad(`got control character 0x${code.toString(16).padStart(2, '0')} in a string`);
      if (c !== '\\') {
        out += c;
        i++;
        continue;
      }
      const e = text[i + 1];
      if (e === 'u') {
        const hex = text.slice(i + 2, i + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw bad('bad \\u escape');
        out += String.fromCharCode(Number.parseInt(hex, 16));
        i += 6;
      } else if (e !== undefined && e in ESCAPES) {
        out += ESCAPES[e];
        i += 2;
      } else {
        throw bad(`bad escape \\${e ?? ''}`);
      }
    }
    // A lone surrogate (from \ud800 alone, or raw) is not a Unicode string (RFC 8259 §8.2).
    if (/\p{Cs}/u.test(out)) throw bad('string with a lone surrogate');
    return out;
  };

  const readValue = (): JsonFieldValue => {
    skipWs();
    const c = text[i];
    if (c === '"') return readString();
    if (c === '[') {
      i++;
      const items: string[] = [];
      skipWs();
      if (text[i] === ']') {
        i++;
        return items;
      }
      for (;;) {
        if (items.length === MAX_ITEMS) throw new WireError('TOO_LARGE', `JSON array of more than ${MAX_ITEMS} items`);
        items.push(readString());
        skipWs();
        if (text[i] === ']') {
          i++;
          return items;
        }
        expect(',');
      }
    }
    if (c !== undefined && c >= '0' && c <= '9') {
      const start = i;
      while (i < n && text[i] >= '0' && text[i] <= '9') i++;
      const digits = text.slice(start, i);
      if (digits.length > 1 && digits[0] === '0') throw bad('number with a leading zero');
      if (text[i] === '.' || text[i] === 'e' || text[i] === 'E') throw bad('got a fraction or exponent, want an integer');
      const v = Number(digits);
      if (!Number.isSafeInteger(v)) throw bad(`got integer ${digits}, want at most 2^53-1`);
      return v;
    }
    throw bad(i >= n ? 'ended early, want a value' : `got ${JSON.stringify(c)}, want a string, an integer >= 0 or an array of strings`);
  };

  expect('{');
  const fields: [string, JsonFieldValue][] = [];
  const seen = new Set<string>();
  skipWs();
  if (text[i] === '}') {
    i++;
  } else {
    for (;;) {
      if (fields.length === MAX_ITEMS) throw new WireError('TOO_LARGE', `JSON object of more than ${MAX_ITEMS} fields`);
      const key = readString();
      if (seen.has(key)) throw new WireError('BAD_FIELD', `JSON: key ${JSON.stringify(key)} appears twice`);
      seen.add(key);
      expect(':');
      fields.push([key, readValue()]);
      skipWs();
      if (text[i] === '}') {
        i++;
        break;
      }
      expect(',');
    }
  }
  skipWs();
  if (i !== n) throw bad('bytes after the object');
  return fields;
}
