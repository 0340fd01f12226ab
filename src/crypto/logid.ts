/** RFC 6962 §3.2: "LogID ... is the SHA-256 hash of the log's public key, calculated over the DER encoding of the key represented as SubjectPublicKeyInfo." */
import { createHash } from 'node:crypto';
import type { PublicKey } from './types.ts';

/** Computed once per loaded key: log IDs are compared on every gossiped STH. */
const cache = new WeakMap<PublicKey, Buffer>();

/** The cached ID itself; internal callers must not mutate it. */
export function logIdOf(key: PublicKey): Buffer {
  let id = cache.get(key);
  if (id === undefined) {
    id = createHash('sha256').update(key.spki).digest();
    cache.set(key, id);
  }
  return id;
}

/** RFC 6962 §3.2 LogID: SHA-256 of the DER SPKI (32 bytes; a fresh copy the caller may keep). */
export function rfc6962LogId(key: PublicKey): Buffer {
  return Buffer.from(logIdOf(key));
}
