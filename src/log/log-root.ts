/**
 * The core's signed log root: what the log core promises to its personality
 * (the role of Trillian's LogRootV1). Encoded in the TLS presentation
 * language (RFC 8446 §3):
 *
 *   struct {
 *     uint16 version = 1;
 *     uint64 tree_size;
 *     opaque root_hash<0..128>;
 *     uint64 timestamp_ms;
 *     uint64 revision;
 *     opaque metadata<0..65535>;
 *   } LogRootV1;
 *
 * The signature covers DOMAIN || LogRootV1. The ASCII prefix separates this
 * message from every personality structure signed with the same key: RFC 6962
 * TreeHeadSignature and SCT inputs and the hub's structures all begin with a
 * 0x00 version byte, so no byte string is valid as two of them (see
 * ARCHITECTURE.md, "Domain separation").
 */
import { LogError } from './errors.ts';

export const LOG_ROOT_DOMAIN = Buffer.from('grapevine log root v1\n', 'ascii');

export interface LogRoot {
  readonly size: number;
  readonly rootHash: Buffer;
  readonly timestamp: number;
  readonly revision: number;
  readonly metadata?: Buffer;
}

export function encodeLogRoot(r: LogRoot): Buffer {
  const meta = r.metadata ?? Buffer.alloc(0);
  if (r.rootHash.length > 128 || meta.length > 65535) throw new LogError('BAD_REQUEST', 'log root field too long');
  const out = Buffer.alloc(2 + 8 + 1 + r.rootHash.length + 8 + 8 + 2 + meta.length);
  let o = out.writeUInt16BE(1, 0);
  o = out.writeBigUInt64BE(BigInt(r.size), o);
  o = out.writeUInt8(r.rootHash.length, o);
  o += r.rootHash.copy(out, o);
  o = out.writeBigUInt64BE(BigInt(r.timestamp), o);
  o = out.writeBigUInt64BE(BigInt(r.revision), o);
  o = out.writeUInt16BE(meta.length, o);
  meta.copy(out, o);
  return out;
}

/** Strict decode: version 1, bounded lengths, no trailing bytes. */
export function decodeLogRoot(b: Buffer): LogRoot {
  const fail = (why: string): never => {
    throw new LogError('BAD_REQUEST', `malformed LogRootV1: ${why}`);
  };
  const u64 = (o: number) => {
    const v = b.readBigUInt64BE(o);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) fail('uint64 above 2^53-1');
    return Number(v);
  };
  if (b.length < 2 + 8 + 1) fail('truncated');
  if (b.readUInt16BE(0) !== 1) fail(`version ${b.readUInt16BE(0)}, want 1`);
  const size = u64(2);
  const hl = b[10];
  let o = 11;
  if (b.length < o + hl + 8 + 8 + 2) fail('truncated');
  const rootHash = Buffer.from(b.subarray(o, o + hl));
  o += hl;
  const timestamp = u64(o);
  const revision = u64(o + 8);
  o += 16;
  const ml = b.readUInt16BE(o);
  o += 2;
  if (b.length !== o + ml) fail(b.length < o + ml ? 'truncated' : 'trailing bytes');
  return { size, rootHash, timestamp, revision, metadata: Buffer.from(b.subarray(o)) };
}

/** The exact bytes the tree key signs. */
export function logRootSigningInput(encoded: Buffer): Buffer {
  return Buffer.concat([LOG_ROOT_DOMAIN, encoded]);
}
