/**
 * RFC 6962 §3.2 Signed Certificate Timestamps (v1), their signature input,
 * and the §3.3 SCT list carried in TLS/OCSP/X.509 extensions.
 */
import { CT_V1, type DigitallySigned, readDigitallySigned, SHA256_SIZE, SignatureType, writeDigitallySigned } from './ct.ts';
import { CT_EXTENSIONS_MAX, type SignedEntry, writeSignedEntry } from './ct-leaf.ts';
import { CodecError } from './errors.ts';
import { TlsReader, TlsWriter } from './tls.ts';

/**
 * RFC 6962 §3.2:
 *
 *     struct {
 *       Version sct_version;          // v1 = 0
 *       LogID id;                     // struct { opaque key_id[32]; }
 *       uint64 timestamp;
 *       CtExtensions extensions;      // opaque <0..2^16-1>
 *       digitally-signed struct { ... };   // on the wire: a DigitallySigned
 *     } SignedCertificateTimestamp;
 */
export interface SignedCertificateTimestamp {
  /** SHA-256 of the log's DER SPKI (§3.2). */
  readonly logId: Buffer;
  /** Milliseconds since the epoch. */
  readonly timestamp: number;
  readonly extensions: Buffer;
  readonly signature: DigitallySigned;
}

function writeSct(w: TlsWriter, sct: SignedCertificateTimestamp): void {
  w.uint8(CT_V1, 'sct_version');
  w.fixed(sct.logId, SHA256_SIZE, 'id');
  w.uint64(sct.timestamp, 'timestamp');
  w.opaque(sct.extensions, 0, CT_EXTENSIONS_MAX, 'extensions');
  writeDigitallySigned(w, sct.signature);
}

export function encodeSct(sct: SignedCertificateTimestamp): Buffer {
  const w = new TlsWriter(1 + 32 + 8 + 2 + sct.extensions.length + 4 + sct.signature.signature.length);
  writeSct(w, sct);
  return w.finish();
}

/** Strict: v1 only (an unknown version cannot be parsed further, §3.2 "v1"), no trailing bytes. */
export function decodeSct(data: Uint8Array): SignedCertificateTimestamp {
  const r = new TlsReader(data, 'SignedCertificateTimestamp');
  const version = r.uint8('sct_version');
  if (version !== CT_V1) throw new CodecError('BAD_VALUE', `SignedCertificateTimestamp: got sct_version ${version}, want v1 (0)`);
  const logId = r.fixed(SHA256_SIZE, 'id');
  const timestamp = r.uint64('timestamp');
  const extensions = r.opaque(0, CT_EXTENSIONS_MAX, 'extensions');
  const signature = readDigitallySigned(r);
  r.finish();
  return { logId, timestamp, extensions, signature };
}

/**
 * The bytes an SCT signs (RFC 6962 §3.2):
 *
 *     digitally-signed struct {
 *       Version sct_version;                          // v1 = 0
 *       SignatureType signature_type = certificate_timestamp;   // 0
 *       uint64 timestamp;
 *       LogEntryType entry_type;
 *       select(entry_type) { case x509_entry: ASN.1Cert; case precert_entry: PreCert; } signed_entry;
 *       CtExtensions extensions;
 *     };
 */
export function encodeSctSignatureInput(input: {
  readonly timestamp: number;
  readonly signedEntry: SignedEntry;
  readonly extensions: Uint8Array;
}): Buffer {
  const w = new TlsWriter(512);
  w.uint8(CT_V1, 'sct_version');
  w.uint8(SignatureType.certificateTimestamp, 'signature_type');
  w.uint64(input.timestamp, 'timestamp');
  writeSignedEntry(w, input.signedEntry);
  w.opaque(input.extensions, 0, CT_EXTENSIONS_MAX, 'extensions');
  return w.finish();
}

/** RFC 6962 §3.3 `opaque SerializedSCT<1..2^16-1>; struct { SerializedSCT sct_list<1..2^16-1>; }`. */
const SCT_MAX = 0xffff;

export function encodeSctList(scts: readonly Uint8Array[]): Buffer {
  const w = new TlsWriter();
  w.vector(
    1,
    SCT_MAX,
    (v) => {
      for (const s of scts) v.opaque(s, 1, SCT_MAX, 'SerializedSCT');
    },
    'sct_list',
  );
  return w.finish();
}

/**
 * Returns the serialized SCTs of a list without decoding them: §3.3 lets a
 * client skip SCTs it cannot parse (e.g. a future version), so each element
 * is decoded separately with decodeSct by the caller.
 */
export function decodeSctList(data: Uint8Array): Buffer[] {
  const r = new TlsReader(data, 'SignedCertificateTimestampList');
  const v = r.vector(1, SCT_MAX, 'sct_list');
  r.finish();
  const out: Buffer[] = [];
  while (v.remaining > 0) out.push(v.opaque(1, SCT_MAX, 'SerializedSCT'));
  return out;
}
