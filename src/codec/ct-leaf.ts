/**
 * RFC 6962 log entries: `MerkleTreeLeaf` and its `TimestampedEntry` (§3.4),
 * the signed entry shared with SCTs (§3.2), and the `extra_data` chains that
 * get-entries returns beside each leaf (§4.6).
 */
import { CT_V1, SHA256_SIZE } from './ct.ts';
import { CodecError } from './errors.ts';
import { TlsReader, TlsWriter } from './tls.ts';

/** RFC 6962 §3.1 `opaque ASN.1Cert<1..2^24-1>`. */
const CERT_MAX = 0xff_ffff;
/** RFC 6962 §3.2 `opaque TBSCertificate<1..2^24-1>`. */
const TBS_MAX = 0xff_ffff;
/** RFC 6962 §3.2 `opaque CtExtensions<0..2^16-1>`. */
export const CT_EXTENSIONS_MAX = 0xffff;
/** RFC 6962 §3.1 `ASN.1Cert certificate_chain<0..2^24-1>`. */
const CHAIN_MAX = 0xff_ffff;

/** RFC 6962 §3.1 `enum { x509_entry(0), precert_entry(1), (65535) } LogEntryType` (two bytes on the wire). */
export const LogEntryType = { x509_entry: 0, precert_entry: 1 } as const;
export type LogEntryTypeName = keyof typeof LogEntryType;

/** RFC 6962 §3.4 `enum { timestamped_entry(0), (255) } MerkleLeafType`. */
export const MERKLE_LEAF_TYPE_TIMESTAMPED_ENTRY = 0;

/**
 * The `signed_entry` select of §3.2 and §3.4:
 * `case x509_entry: ASN.1Cert; case precert_entry: PreCert;` where
 * `struct { opaque issuer_key_hash[32]; TBSCertificate tbs_certificate; } PreCert`.
 */
export type SignedEntry =
  | { readonly entryType: 'x509_entry'; readonly certificate: Buffer }
  | { readonly entryType: 'precert_entry'; readonly issuerKeyHash: Buffer; readonly tbsCertificate: Buffer };

/**
 * RFC 6962 §3.4:
 *
 *     struct {
 *       uint64 timestamp;
 *       LogEntryType entry_type;
 *       select(entry_type) { case x509_entry: ASN.1Cert; case precert_entry: PreCert; } signed_entry;
 *       CtExtensions extensions;
 *     } TimestampedEntry;
 */
export interface CtTimestampedEntry {
  /** Milliseconds since the epoch. */
  readonly timestamp: number;
  readonly signedEntry: SignedEntry;
  readonly extensions: Buffer;
}

/** Writes `entry_type` followed by `signed_entry` (the shared tail of §3.2's SCT input and §3.4's leaf). */
export function writeSignedEntry(w: TlsWriter, e: SignedEntry): void {
  if (e.entryType === 'x509_entry') {
    w.uint16(LogEntryType.x509_entry, 'entry_type');
    w.opaque(e.certificate, 1, CERT_MAX, 'certificate');
  } else if (e.entryType === 'precert_entry') {
    w.uint16(LogEntryType.precert_entry, 'entry_type');
    w.fixed(e.issuerKeyHash, SHA256_SIZE, 'issuer_key_hash');
    w.opaque(e.tbsCertificate, 1, TBS_MAX, 'tbs_certificate');
  } else {
    throw new CodecError('BAD_VALUE', `entry_type: got ${(e as { entryType: unknown }).entryType}, want x509_entry or precert_entry`);
  }
}

export function readSignedEntry(r: TlsReader): SignedEntry {
  const type = r.uint16('entry_type');
  if (type === LogEntryType.x509_entry) {
    return { entryType: 'x509_entry', certificate: r.opaque(1, CERT_MAX, 'certificate') };
  }
  if (type === LogEntryType.precert_entry) {
    const issuerKeyHash = r.fixed(SHA256_SIZE, 'issuer_key_hash');
    const tbsCertificate = r.opaque(1, TBS_MAX, 'tbs_certificate');
    return { entryType: 'precert_entry', issuerKeyHash, tbsCertificate };
  }
  throw new CodecError('BAD_VALUE', `entry_type: got ${type}, want x509_entry (0) or precert_entry (1)`);
}

function signedEntrySize(e: SignedEntry): number {
  return e.entryType === 'x509_entry' ? 2 + 3 + e.certificate.length : 2 + 32 + 3 + e.tbsCertificate.length;
}

/**
 * RFC 6962 §3.4:
 *
 *     struct {
 *       Version version;                    // v1 = 0
 *       MerkleLeafType leaf_type;           // timestamped_entry = 0
 *       select (leaf_type) { case timestamped_entry: TimestampedEntry; }
 *     } MerkleTreeLeaf;
 *
 * The leaf hash is SHA-256(0x00 || these bytes) (§2.1), so callers hashing a
 * leaf they received should hash the bytes they received, not a re-encoding.
 */
export function encodeMerkleTreeLeaf(entry: CtTimestampedEntry): Buffer {
  const w = new TlsWriter(2 + 8 + signedEntrySize(entry.signedEntry) + 2 + entry.extensions.length);
  w.uint8(CT_V1, 'version');
  w.uint8(MERKLE_LEAF_TYPE_TIMESTAMPED_ENTRY, 'leaf_type');
  w.uint64(entry.timestamp, 'timestamp');
  writeSignedEntry(w, entry.signedEntry);
  w.opaque(entry.extensions, 0, CT_EXTENSIONS_MAX, 'extensions');
  return w.finish();
}

/** Strict inverse of encodeMerkleTreeLeaf: v1 only, timestamped_entry only, no trailing bytes. */
export function decodeMerkleTreeLeaf(data: Uint8Array): CtTimestampedEntry {
  const r = new TlsReader(data, 'MerkleTreeLeaf');
  const version = r.uint8('version');
  if (version !== CT_V1) throw new CodecError('BAD_VALUE', `MerkleTreeLeaf: got version ${version}, want v1 (0)`);
  const leafType = r.uint8('leaf_type');
  if (leafType !== MERKLE_LEAF_TYPE_TIMESTAMPED_ENTRY) {
    throw new CodecError('BAD_VALUE', `MerkleTreeLeaf: got leaf_type ${leafType}, want timestamped_entry (0)`);
  }
  const timestamp = r.uint64('timestamp');
  const signedEntry = readSignedEntry(r);
  const extensions = r.opaque(0, CT_EXTENSIONS_MAX, 'extensions');
  r.finish();
  return { timestamp, signedEntry, extensions };
}

function writeChain(w: TlsWriter, chain: readonly Uint8Array[], field: string): void {
  w.vector(
    0,
    CHAIN_MAX,
    (v) => {
      for (const cert of chain) v.opaque(cert, 1, CERT_MAX, 'ASN.1Cert');
    },
    field,
  );
}

function readChain(r: TlsReader, field: string): Buffer[] {
  const v = r.vector(0, CHAIN_MAX, field);
  const out: Buffer[] = [];
  while (v.remaining > 0) out.push(v.opaque(1, CERT_MAX, 'ASN.1Cert'));
  return out;
}

/**
 * get-entries `extra_data` for an x509_entry (§4.6): the `certificate_chain`
 * of X509ChainEntry, i.e. `ASN.1Cert certificate_chain<0..2^24-1>`.
 */
export function encodeX509ExtraData(chain: readonly Uint8Array[]): Buffer {
  const w = new TlsWriter();
  writeChain(w, chain, 'certificate_chain');
  return w.finish();
}

export function decodeX509ExtraData(data: Uint8Array): Buffer[] {
  const r = new TlsReader(data, 'X509ChainEntry.certificate_chain');
  const chain = readChain(r, 'certificate_chain');
  r.finish();
  return chain;
}

/** RFC 6962 §3.1 `struct { ASN.1Cert pre_certificate; ASN.1Cert precertificate_chain<0..2^24-1>; } PrecertChainEntry`. */
export interface PrecertChainEntry {
  readonly preCertificate: Buffer;
  readonly precertificateChain: readonly Buffer[];
}

/** get-entries `extra_data` for a precert_entry (§4.6): the whole PrecertChainEntry. */
export function encodePrecertExtraData(e: PrecertChainEntry): Buffer {
  const w = new TlsWriter();
  w.opaque(e.preCertificate, 1, CERT_MAX, 'pre_certificate');
  writeChain(w, e.precertificateChain, 'precertificate_chain');
  return w.finish();
}

export function decodePrecertExtraData(data: Uint8Array): PrecertChainEntry {
  const r = new TlsReader(data, 'PrecertChainEntry');
  const preCertificate = r.opaque(1, CERT_MAX, 'pre_certificate');
  const precertificateChain = readChain(r, 'precertificate_chain');
  r.finish();
  return { preCertificate, precertificateChain };
}
