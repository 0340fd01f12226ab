/**
 * DER (ITU-T X.690 §8 and §10) for the structures a CT log walks:
 * certificates, names, extensions and public keys. Reading is by offsets into
 * the caller's buffer (nothing is copied); writing is the few helpers the
 * precertificate TBS rewrite needs.
 *
 * Strict by default, because a certificate is DER (RFC 5280 §4.1) and any
 * laxness outside the signed TBSCertificate lets anyone re-encode a logged
 * certificate into new bytes. A strict read refuses, as X509Error NOT_DER:
 * indefinite lengths (X.690 §10.1), lengths not in the fewest octets
 * (§10.1), BOOLEAN values other than 0x00/0xFF (§11.1), INTEGERs with
 * redundant leading octets (§8.3.2), BIT STRING padding bits that are not
 * zero (§11.2.1), and constructed encodings of string types (§10.2).
 * Anything that is not a well-formed TLV at all is X509Error MALFORMED.
 *
 * Only single-octet tags are read (tag numbers below 31, X.690 §8.1.2.2):
 * X.509 uses no others.
 *
 * Pure: no I/O, no clock.
 */
import { X509Error } from './errors.ts';

/** Identifier octets of the universal types we read (X.690 §8.1.2, X.680 §8.4). */
export const TAG = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  ENUMERATED: 0x0a,
  UTF8_STRING: 0x0c,
  PRINTABLE_STRING: 0x13,
  T61_STRING: 0x14,
  IA5_STRING: 0x16,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  UNIVERSAL_STRING: 0x1c,
  BMP_STRING: 0x1e,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

/** Context-specific tag [n], constructed (EXPLICIT or IMPLICIT SEQUENCE) or primitive. */
export const context = (n: number, constructed: boolean): number => 0x80 | (constructed ? 0x20 : 0) | n;

/** One element of a DER buffer: its identifier octet and where its header and contents lie. */
export interface Element {
  readonly tag: number;
  /** Offset of the identifier octet. */
  readonly start: number;
  /** Offset of the first contents octet. */
  readonly body: number;
  /** Offset just past the contents. */
  readonly end: number;
}

const hex = (n: number) => `0x${n.toString(16).padStart(2, '0')}`;

/** A reusable element for hot loops (checkDer): filled in place by readHeader. */
interface MutableElement {
  tag: number;
  start: number;
  body: number;
  end: number;
}

/**
 * Reads the identifier and length octets at `at` into `out`; the element
 * must end at or before `limit`. Throws MALFORMED for a truncated or
 * unreadable header, NOT_DER for an indefinite or (when strict) non-minimal
 * length.
 */
function readHeader(buf: Uint8Array, at: number, limit: number, strict: boolean, out: MutableElement): void {
  if (at + 2 > limit) throw new X509Error('MALFORMED', `got ${limit - at} bytes at offset ${at}, want a DER element (at least 2)`);
  const tag = buf[at];
  if ((tag & 0x1f) === 0x1f) throw new X509Error('MALFORMED', `got a multi-octet tag at offset ${at}, want a tag number below 31`);
  const first = buf[at + 1];
  let len: number;
  let body: number;
  if (first < 0x80) {
    len = first;
    body = at + 2;
  } else {
    const n = first & 0x7f;
    if (n === 0) throw new X509Error('NOT_DER', `got an indefinite length at offset ${at}, want a definite one (X.690 §10.1)`);
    if (n > 4) throw new X509Error('MALFORMED', `got a ${n}-octet length at offset ${at}, want at most 4`);
    if (at + 2 + n > limit) throw new X509Error('MALFORMED', `length octets at offset ${at} run past the end`);
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[at + 2 + i];
    if (strict && (buf[at + 2] === 0 || len < 0x80)) {
      throw new X509Error('NOT_DER', `got length ${len} in ${n + 1} octets at offset ${at}, want the fewest octets (X.690 §10.1)`);
    }
    body = at + 2 + n;
  }
  const end = body + len;
  if (end > limit) throw new X509Error('MALFORMED', `element at offset ${at} has length ${len}, ${end - limit} bytes past its container`);
  out.tag = tag;
  out.start = at;
  out.body = body;
  out.end = end;
}

/** Reads the element at `at`, which must end at or before `limit` (errors as readHeader). */
export function readElement(buf: Uint8Array, at: number, limit: number, strict = true): Element {
  const e: MutableElement = { tag: 0, start: 0, body: 0, end: 0 };
  readHeader(buf, at, limit, strict, e);
  return e;
}

/** Reads the element at `at` and requires identifier `tag`. */
export function expect(buf: Uint8Array, at: number, limit: number, tag: number, what: string, strict = true): Element {
  const e = readElement(buf, at, limit, strict);
  if (e.tag !== tag) throw new X509Error('MALFORMED', `${what}: got tag ${hex(e.tag)} at offset ${at}, want ${hex(tag)}`);
  return e;
}

/** The elements inside constructed element `outer`, in order. */
export function children(buf: Uint8Array, outer: Element, strict = true): Element[] {
  const out: Element[] = [];
  for (let at = outer.body; at < outer.end; ) {
    const e = readElement(buf, at, outer.end, strict);
    out.push(e);
    at = e.end;
  }
  return out;
}

/** The one element that makes up all of `buf` (MALFORMED when bytes are left over). */
export function readWhole(buf: Uint8Array, what: string, strict = true): Element {
  const e = readElement(buf, 0, buf.length, strict);
  if (e.end !== buf.length) throw new X509Error('MALFORMED', `${what}: got ${buf.length - e.end} bytes after the DER element, want none`);
  return e;
}

/** The contents octets of `e` as a Buffer view (no copy). */
export function contents(buf: Buffer, e: Element): Buffer {
  return buf.subarray(e.body, e.end);
}

/** The whole encoding of `e` (identifier, length, contents) as a Buffer view (no copy). */
export function encoding(buf: Buffer, e: Element): Buffer {
  return buf.subarray(e.start, e.end);
}

/** Universal string types whose constructed form DER forbids (X.690 §10.2), besides BIT and OCTET STRING. */
const STRING_TAGS = new Set([0x03, 0x04, 0x0c, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1e]);

const MAX_DEPTH = 32;

/**
 * Checks the DER rules of the module header on `e` and everything nested in
 * it, descending into SEQUENCE, SET and constructed context-specific
 * elements. Primitive contents (an OCTET STRING's extension value, a BIT
 * STRING's key) are not parsed: they are separate encodings.
 */
export function checkDer(buf: Uint8Array, e: Element): void {
  checkTree(buf, e.tag, e.start, e.body, e.end, 0, { tag: 0, start: 0, body: 0, end: 0 });
}

/** checkDer without allocation per element: `scratch` is overwritten, so each header is copied to locals first. */
function checkTree(buf: Uint8Array, tag: number, start: number, body: number, end: number, depth: number, scratch: MutableElement): void {
  if (depth > MAX_DEPTH) throw new X509Error('MALFORMED', `elements nested more than ${MAX_DEPTH} deep at offset ${start}`);
  if ((tag & 0x20) === 0) {
    if ((tag & 0xc0) === 0) checkPrimitive(buf, tag, start, body, end); // context-specific primitives: IMPLICIT contents we do not know
    return;
  }
  if ((tag & 0xc0) === 0 && tag !== TAG.SEQUENCE && tag !== TAG.SET) {
    if (STRING_TAGS.has(tag & 0x1f))
      throw new X509Error('NOT_DER', `got a constructed string (tag ${hex(tag)}) at offset ${start} (X.690 §10.2)`);
    throw new X509Error('MALFORMED', `got constructed universal tag ${hex(tag)} at offset ${start}`);
  }
  for (let at = body; at < end; ) {
    readHeader(buf, at, end, true, scratch);
    const t = scratch.tag;
    const b = scratch.body;
    const en = scratch.end;
    checkTree(buf, t, at, b, en, depth + 1, scratch);
    at = en;
  }
}

function checkPrimitive(buf: Uint8Array, tag: number, start: number, body: number, end: number): void {
  const len = end - body;
  const b = buf[body];
  switch (tag) {
    case TAG.BOOLEAN:
      if (len !== 1) throw new X509Error('MALFORMED', `BOOLEAN of ${len} octets at offset ${start}, want 1`);
      if (b !== 0x00 && b !== 0xff)
        throw new X509Error('NOT_DER', `got BOOLEAN ${hex(b)} at offset ${start}, want 0x00 or 0xff (X.690 §11.1)`);
      return;
    case TAG.INTEGER:
    case TAG.ENUMERATED:
      if (len === 0) throw new X509Error('MALFORMED', `empty INTEGER at offset ${start}`);
      if (len > 1 && ((b === 0x00 && buf[body + 1] < 0x80) || (b === 0xff && buf[body + 1] >= 0x80))) {
        throw new X509Error('NOT_DER', `INTEGER at offset ${start} has a redundant leading octet ${hex(b)} (X.690 §8.3.2)`);
      }
      return;
    case TAG.BIT_STRING: {
      if (len === 0 || b > 7 || (len === 1 && b !== 0)) {
        throw new X509Error('MALFORMED', `BIT STRING at offset ${start}: ${len} octets with ${b ?? 'no'} unused bits`);
      }
      if (b !== 0 && (buf[end - 1] & ((1 << b) - 1)) !== 0) {
        throw new X509Error('NOT_DER', `BIT STRING at offset ${start} has non-zero padding bits (X.690 §11.2.1)`);
      }
      return;
    }
    case TAG.NULL:
      if (len !== 0) throw new X509Error('MALFORMED', `NULL of ${len} octets at offset ${start}, want 0`);
      return;
    case TAG.OID:
      checkOid(buf, start, body, end);
      return;
    default:
      return;
  }
}

function checkOid(buf: Uint8Array, start: number, body: number, end: number): void {
  if (end === body) throw new X509Error('MALFORMED', `empty OBJECT IDENTIFIER at offset ${start}`);
  if ((buf[end - 1] & 0x80) !== 0) throw new X509Error('MALFORMED', `OBJECT IDENTIFIER at offset ${start} ends inside a subidentifier`);
  for (let i = body; i < end; i++) {
    // X.690 §8.19.2: "the leading octet of a subidentifier shall not be 0x80".
    if (buf[i] === 0x80 && (i === body || (buf[i - 1] & 0x80) === 0)) {
      throw new X509Error('MALFORMED', `OBJECT IDENTIFIER at offset ${start} has a padded subidentifier (X.690 §8.19.2)`);
    }
  }
}

/** Dotted texts of the OIDs seen, by a hash of their contents octets (FNV-1a), checked byte for byte; bounded. */
const OID_TEXTS = new Map<number, { readonly bytes: Uint8Array; readonly text: string }[]>();
const MAX_OID_TEXTS = 1024;
let oidTextCount = 0;

/** Dotted text of an OBJECT IDENTIFIER's contents (X.690 §8.19), e.g. "2.5.29.19". */
export function oidText(buf: Uint8Array, e: Element): string {
  let h = 0x811c9dc5;
  for (let i = e.body; i < e.end; i++) h = Math.imul(h ^ buf[i], 0x01000193);
  const len = e.end - e.body;
  const seen = OID_TEXTS.get(h);
  if (seen) {
    for (const s of seen) {
      if (s.bytes.length !== len) continue;
      let i = 0;
      while (i < len && s.bytes[i] === buf[e.body + i]) i++;
      if (i === len) return s.text;
    }
  }
  const text = dotted(buf, e);
  if (oidTextCount < MAX_OID_TEXTS) {
    oidTextCount++;
    const entry = { bytes: buf.slice(e.body, e.end), text };
    if (seen) seen.push(entry);
    else OID_TEXTS.set(h, [entry]);
  }
  return text;
}

function dotted(buf: Uint8Array, e: Element): string {
  let out = '';
  let v = 0;
  let first = true;
  for (let i = e.body; i < e.end; i++) {
    if (v > 2 ** 45) throw new X509Error('MALFORMED', `OBJECT IDENTIFIER at offset ${e.start} has a subidentifier above 2^52`);
    v = v * 128 + (buf[i] & 0x7f);
    if (buf[i] & 0x80) continue;
    if (first) {
      const x = v < 40 ? 0 : v < 80 ? 1 : 2;
      out = `${x}.${v - 40 * x}`;
      first = false;
    } else {
      out += `.${v}`;
    }
    v = 0;
  }
  return out;
}

/** The value of a non-negative INTEGER that fits a JS number exactly; MALFORMED otherwise. */
export function smallUint(buf: Uint8Array, e: Element, what: string): number {
  const len = e.end - e.body;
  if (len === 0 || len > 7 || (buf[e.body] & 0x80) !== 0) {
    throw new X509Error(
      'MALFORMED',
      `${what}: got an INTEGER of ${len} octets${len && buf[e.body] & 0x80 ? ', negative' : ''}, want 0..2^53`,
    );
  }
  let v = 0;
  for (let i = e.body; i < e.end; i++) v = v * 256 + buf[i];
  if (!Number.isSafeInteger(v)) throw new X509Error('MALFORMED', `${what}: INTEGER ${v} above 2^53`);
  return v;
}

/** The value of a DER BOOLEAN (after checkDer, 0x00 or 0xff). */
export function booleanValue(buf: Uint8Array, e: Element): boolean {
  if (e.end - e.body !== 1) throw new X509Error('MALFORMED', `BOOLEAN of ${e.end - e.body} octets at offset ${e.start}, want 1`);
  return buf[e.body] !== 0;
}

/** DER length octets for `n` (X.690 §10.1: short form below 128, else the fewest octets). */
function lengthOctets(n: number): number[] {
  if (n < 0x80) return [n];
  const out: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) out.unshift(v % 256);
  return [0x80 | out.length, ...out];
}

/** The DER element with identifier `tag` and the concatenation of `parts` as its contents. */
export function encodeElement(tag: number, ...parts: Uint8Array[]): Buffer {
  const len = parts.reduce((n, p) => n + p.length, 0);
  return Buffer.concat([Buffer.from([tag, ...lengthOctets(len)]), ...parts], 1 + lengthOctets(len).length + len);
}
