/**
 * The STH TXT record of CT-over-DNS (the format certificate-transparency-go's
 * dnsclient reads): `<tree_size>.<timestamp>.<base64 root>.<base64 signature>`.
 * Base64 never contains '.', so the four fields split unambiguously.
 */
import { type SignedTreeHead, sthFromJson, sthToJson } from './ct-json.ts';
import { CodecError } from './errors.ts';

/** Decimal without sign, exponent or leading zeros (so each number has one spelling). */
const DECIMAL = /^(?:0|[1-9][0-9]*)$/;

function decimal(s: string, field: string): number {
  if (!DECIMAL.test(s)) throw new CodecError('BAD_FIELD', `DNS STH: ${field}: got ${JSON.stringify(s)}, want a decimal integer`);
  const n = Number(s);
  if (!Number.isSafeInteger(n)) throw new CodecError('UNSAFE_INTEGER', `DNS STH: ${field}: ${s} exceeds 2^53-1`);
  return n;
}

export function parseDnsSth(txt: string): SignedTreeHead {
  const parts = txt.split('.');
  if (parts.length !== 4) throw new CodecError('BAD_FIELD', `DNS STH: got ${parts.length} dot-separated fields, want 4`);
  const [size, ts, root, sig] = parts;
  // Same checks as a get-sth body (32-byte root, strict base64, complete DigitallySigned).
  return sthFromJson(
    { tree_size: decimal(size, 'tree_size'), timestamp: decimal(ts, 'timestamp'), sha256_root_hash: root, tree_head_signature: sig },
    'DNS STH',
  );
}

export function formatDnsSth(sth: SignedTreeHead): string {
  // Via the JSON form, so the field encodings (and their checks) have one definition.
  const o = sthToJson(sth);
  return `${o.tree_size}.${o.timestamp}.${o.sha256_root_hash}.${o.tree_head_signature}`;
}
