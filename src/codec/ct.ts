/**
 * RFC 6962 §3 signing structures: `DigitallySigned` (RFC 5246 §4.7) and the
 * tree head signature input `TreeHeadSignature` (RFC 6962 §3.5).
 *
 * Leaves are in ct-leaf.ts, SCTs in ct-sct.ts, the JSON API bodies in ct-json.ts.
 */
import { CodecError } from './errors.ts';
import { TlsReader, TlsWriter } from './tls.ts';

/** RFC 6962 §3.2 `enum { v1(0), (255) } Version`. */
export const CT_V1 = 0;

/** RFC 6962 §3.2 `enum { certificate_timestamp(0), tree_hash(1), (255) } SignatureType`. */
export const SignatureType = { certificateTimestamp: 0, treeHash: 1 } as const;

/**
 * RFC 5246 §7.4.1.4.1 HashAlgorithm, plus `intrinsic(8)` from RFC 8422 §5.1.3
 * (the value paired with Ed25519, which hashes internally).
 */
export const HashAlgorithm = {
  none: 0,
  md5: 1,
  sha1: 2,
  sha224: 3,
  sha256: 4,
  sha384: 5,
  sha512: 6,
  intrinsic: 8,
} as const;

/** RFC 5246 §7.4.1.4.1 SignatureAlgorithm, plus `ed25519(7)` from RFC 8422 §5.1.3. */
export const SignatureAlgorithm = { anonymous: 0, rsa: 1, dsa: 2, ecdsa: 3, ed25519: 7 } as const;

/**
 * RFC 5246 §4.7:
 *
 *     struct {
 *       SignatureAndHashAlgorithm algorithm;   // { HashAlgorithm hash; SignatureAlgorithm signature; }
 *       opaque signature<0..2^16-1>;
 *     } DigitallySigned;
 *
 * Algorithms are kept as raw u8 values: which pairs are acceptable is the
 * verifier's decision (src/crypto), not the decoder's.
 */
export interface DigitallySigned {
  readonly hashAlgorithm: number;
  readonly signatureAlgorithm: number;
  readonly signature: Buffer;
}

const SIGNATURE_MAX = 0xffff;

export function writeDigitallySigned(w: TlsWriter, ds: DigitallySigned): void {
  w.uint8(ds.hashAlgorithm, 'hash_algorithm');
  w.uint8(ds.signatureAlgorithm, 'signature_algorithm');
  w.opaque(ds.signature, 0, SIGNATURE_MAX, 'signature');
}

export function readDigitallySigned(r: TlsReader): DigitallySigned {
  const hashAlgorithm = r.uint8('hash_algorithm');
  const signatureAlgorithm = r.uint8('signature_algorithm');
  const signature = r.opaque(0, SIGNATURE_MAX, 'signature');
  return { hashAlgorithm, signatureAlgorithm, signature };
}

export function encodeDigitallySigned(ds: DigitallySigned): Buffer {
  const w = new TlsWriter(4 + ds.signature.length);
  writeDigitallySigned(w, ds);
  return w.finish();
}

/** Decodes a complete DigitallySigned; trailing bytes are CodecError TRAILING_DATA (as in certificate-transparency-go). */
export function decodeDigitallySigned(data: Uint8Array): DigitallySigned {
  const r = new TlsReader(data, 'DigitallySigned');
  const ds = readDigitallySigned(r);
  r.finish();
  return ds;
}

/** The signed fields of an RFC 6962 STH (§3.5; the stored core head is log/storage.ts StoredHead). `timestamp` is milliseconds since the epoch. */
export interface TreeHead {
  readonly timestamp: number;
  readonly treeSize: number;
  /** Exactly 32 bytes: RFC 6962 §2.1 fixes SHA-256. */
  readonly sha256RootHash: Buffer;
}

export const SHA256_SIZE = 32;
/** 1 + 1 + 8 + 8 + 32. */
export const TREE_HEAD_SIGNATURE_SIZE = 50;

/**
 * RFC 6962 §3.5, the input the log signs:
 *
 *     digitally-signed struct {
 *       Version version;                 // v1 = 0
 *       SignatureType signature_type = tree_hash;   // 1
 *       uint64 timestamp;
 *       uint64 tree_size;
 *       opaque sha256_root_hash[32];
 *     } TreeHeadSignature;
 */
export function encodeTreeHeadSignature(th: TreeHead): Buffer {
  const w = new TlsWriter(TREE_HEAD_SIGNATURE_SIZE);
  w.uint8(CT_V1, 'version');
  w.uint8(SignatureType.treeHash, 'signature_type');
  w.uint64(th.timestamp, 'timestamp');
  w.uint64(th.treeSize, 'tree_size');
  w.fixed(th.sha256RootHash, SHA256_SIZE, 'sha256_root_hash');
  return w.finish();
}

/**
 * Inverse of encodeTreeHeadSignature; rejects any version other than v1 and
 * any signature_type other than tree_hash (CodecError BAD_VALUE) — a
 * certificate_timestamp input must never be mistaken for a tree head.
 */
export function decodeTreeHeadSignature(data: Uint8Array): TreeHead {
  const r = new TlsReader(data, 'TreeHeadSignature');
  const version = r.uint8('version');
  if (version !== CT_V1) throw new CodecError('BAD_VALUE', `TreeHeadSignature: got version ${version}, want v1 (0)`);
  const type = r.uint8('signature_type');
  if (type !== SignatureType.treeHash) {
    throw new CodecError('BAD_VALUE', `TreeHeadSignature: got signature_type ${type}, want tree_hash (1)`);
  }
  const timestamp = r.uint64('timestamp');
  const treeSize = r.uint64('tree_size');
  const sha256RootHash = r.fixed(SHA256_SIZE, 'sha256_root_hash');
  r.finish();
  return { timestamp, treeSize, sha256RootHash };
}
