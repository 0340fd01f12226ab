/**
 * Strict field access on JSON bodies. JSON.parse already rejects syntax
 * errors (trailing commas, bare words); these helpers reject what it lets
 * through: a missing or null field, a field of the wrong type, a negative or
 * fractional number, a number above 2^53-1 (which JSON.parse silently rounds)
 * and non-canonical base64.
 *
 * Unknown fields are ignored, as Go's encoding/json does, so that a body with
 * extra fields (e.g. `sth_version`, `log_id` on a gossiped STH) still parses.
 * Duplicate keys: the last one wins, as in Go.
 *
 * Known leniency: JSON.parse cannot tell `1000` from `1e3` or `1000.0`, so
 * those spellings of an integer are accepted (Go rejects them for uint64).
 */
import { decodeBase64 } from './encoding.ts';
import { CodecError } from './errors.ts';

export type JsonObject = Readonly<Record<string, unknown>>;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Parses a body that must be one JSON object. CodecError BAD_JSON for empty input, bad UTF-8, bad syntax or a non-object. */
export function parseJsonObject(body: string | Uint8Array, what: string): JsonObject {
  let text: string;
  if (typeof body === 'string') {
    text = body;
  } else {
    try {
      text = utf8.decode(body);
    } catch (err) {
      throw new CodecError('BAD_JSON', `${what}: body is not UTF-8`, { cause: err });
    }
  }
  if (text.trim() === '') throw new CodecError('BAD_JSON', `${what}: got an empty body, want a JSON object`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new CodecError('BAD_JSON', `${what}: invalid JSON: ${(err as Error).message}`, { cause: err });
  }
  return asObject(value, what);
}

export function asObject(value: unknown, what: string): JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new CodecError('BAD_JSON', `${what}: got ${typeName(value)}, want a JSON object`);
  }
  return value as JsonObject;
}

function present(obj: JsonObject, name: string, what: string): unknown {
  const v = Object.hasOwn(obj, name) ? obj[name] : undefined;
  if (v === undefined || v === null) throw new CodecError('BAD_FIELD', `${what}: field "${name}" is missing`);
  return v;
}

/** A non-negative integer field (uint64 in the Go original); UNSAFE_INTEGER above 2^53-1. */
export function uintField(obj: JsonObject, name: string, what: string): number {
  const v = present(obj, name, what);
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
    throw new CodecError('BAD_FIELD', `${what}: field "${name}": got ${typeName(v)} ${String(v)}, want a non-negative integer`);
  }
  // JSON.parse rounds integers above 2^53-1 to the nearest double, which is always ≥ 2^53.
  if (!Number.isSafeInteger(v)) throw new CodecError('UNSAFE_INTEGER', `${what}: field "${name}": ${v} exceeds 2^53-1`);
  return v;
}

export function stringField(obj: JsonObject, name: string, what: string): string {
  const v = present(obj, name, what);
  if (typeof v !== 'string') throw new CodecError('BAD_FIELD', `${what}: field "${name}": got ${typeName(v)}, want a string`);
  return v;
}

function decodeB64(s: string, label: string): Buffer {
  try {
    return decodeBase64(s);
  } catch (err) {
    throw new CodecError('BAD_BASE64', `${label}: not canonical padded base64`, { cause: err });
  }
}

/** A base64 field (Go `[]byte`); `size`, when given, is the exact decoded length (LENGTH_OUT_OF_BOUNDS otherwise). */
export function bytesField(obj: JsonObject, name: string, what: string, size?: number): Buffer {
  const b = decodeB64(stringField(obj, name, what), `${what}: field "${name}"`);
  if (size !== undefined && b.length !== size) {
    throw new CodecError('LENGTH_OUT_OF_BOUNDS', `${what}: field "${name}": got ${b.length} bytes, want ${size}`);
  }
  return b;
}

/** An array of base64 strings (Go `[][]byte`), each of exactly `size` bytes when given. */
export function bytesArrayField(obj: JsonObject, name: string, what: string, size?: number): Buffer[] {
  const items = arrayField(obj, name, what);
  const out = items.map((item, i) => {
    if (typeof item !== 'string') {
      throw new CodecError('BAD_FIELD', `${what}: ${name}[${i}]: got ${typeName(item)}, want a base64 string`);
    }
    return decodeB64(item, `${what}: ${name}[${i}]`);
  });
  // Sizes are checked after every element decoded: a bad encoding anywhere reports BAD_BASE64.
  if (size !== undefined) {
    out.forEach((b, i) => {
      if (b.length !== size) {
        throw new CodecError('LENGTH_OUT_OF_BOUNDS', `${what}: ${name}[${i}]: got ${b.length} bytes, want ${size}`);
      }
    });
  }
  return out;
}

/**
 * An array field. `null` is read as `[]`: Go's encoding/json writes a nil
 * slice as null, so a Go server answers e.g. `"audit_path": null` for a
 * one-leaf tree. A missing field is still an error.
 */
export function arrayField(obj: JsonObject, name: string, what: string): unknown[] {
  if (Object.hasOwn(obj, name) && obj[name] === null) return [];
  const v = present(obj, name, what);
  if (!Array.isArray(v)) throw new CodecError('BAD_FIELD', `${what}: field "${name}": got ${typeName(v)}, want an array`);
  return v;
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}
