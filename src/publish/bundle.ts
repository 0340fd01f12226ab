/**
 * Entry bundles of c2sp.org/tlog-tiles §Log Entries: the entries of one
 * `tile/entries/<N>[.p/<W>]`, each as a big-endian uint16 length followed by
 * its bytes. Pure.
 */
import { PublishError } from './errors.ts';

/** The largest entry a bundle can hold (the uint16 length prefix). */
export const MAX_BUNDLE_ENTRY = 0xffff;

/** Encodes entries as a bundle. Throws PublishError ENTRY_TOO_LARGE for an entry above 65535 bytes. */
export function encodeEntryBundle(entries: readonly Uint8Array[]): Buffer {
  const out = Buffer.allocUnsafe(entries.reduce((n, e) => n + 2 + e.length, 0));
  let at = 0;
  for (const [i, e] of entries.entries()) {
    if (e.length > MAX_BUNDLE_ENTRY)
      throw new PublishError('ENTRY_TOO_LARGE', `entry ${i} of the bundle: got ${e.length} bytes, want ≤ ${MAX_BUNDLE_ENTRY}`);
    out.writeUInt16BE(e.length, at);
    out.set(e, at + 2);
    at += 2 + e.length;
  }
  return out;
}
