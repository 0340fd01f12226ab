/**
 * Data tiles of c2sp.org/static-ct-api §Log Entries, from an RFC 6962 log's
 * stored leaves: each entry of `tile/data/<N>` is
 *
 *   struct {
 *       TimestampedEntry timestamped_entry;
 *       select (entry_type) {
 *           case x509_entry: Empty;
 *           case precert_entry: ASN.1Cert pre_certificate;
 *       };
 *       Fingerprint certificate_chain<0..2^16-1>;    Fingerprint: opaque[32], SHA-256 of a chain certificate
 *   } TileLeaf;
 *
 * concatenated. The TimestampedEntry is the stored MerkleTreeLeaf's (after
 * its version and leaf_type bytes), exactly as the log signed and hashed it,
 * so a reader rebuilds the leaf hash SHA-256(0x00 ‖ 0x00 0x00 ‖
 * timestamped_entry) (RFC 6962 §2.1, §3.4). One difference from a
 * static-ct-api log: Grapevine's CT log is an RFC 6962 log first, and its
 * entries' extensions do not carry the static-ct-api `leaf_index` extension
 * (its SCTs were issued without one). The chain certificates are served at
 * `issuer/<hex fingerprint>`. Pure.
 */
import { createHash } from 'node:crypto';
import { CodecError, decodeMerkleTreeLeaf, decodePrecertExtraData, decodeX509ExtraData, TlsWriter } from '../codec/index.ts';

const FINGERPRINT_MAX = 0xffff;

export interface TileLeafParts {
  /** The TileLeaf bytes. */
  readonly leaf: Buffer;
  /** The chain certificates, DER, by lowercase hex SHA-256 (what `issuer/<hash>` serves). */
  readonly issuers: ReadonlyMap<string, Buffer>;
}

/**
 * The TileLeaf of a stored CT leaf: its MerkleTreeLeaf bytes and its get-entries
 * extra_data (RFC 6962 §4.6). Throws CodecError when they do not parse.
 */
export function tileLeaf(merkleTreeLeaf: Uint8Array, extraData: Uint8Array): TileLeafParts {
  const entry = decodeMerkleTreeLeaf(merkleTreeLeaf);
  let chain: Buffer[];
  let precert: Buffer | null = null;
  if (entry.signedEntry.entryType === 'x509_entry') {
    chain = decodeX509ExtraData(extraData);
  } else {
    const p = decodePrecertExtraData(extraData);
    precert = p.preCertificate;
    chain = [...p.precertificateChain];
  }
  const issuers = new Map<string, Buffer>();
  const w = new TlsWriter(merkleTreeLeaf.length + (precert?.length ?? 0) + 3 + 2 + 32 * chain.length);
  const te = merkleTreeLeaf.subarray(2);
  w.fixed(te, te.length, 'timestamped_entry');
  if (precert) w.opaque(precert, 1, 0xff_ffff, 'pre_certificate');
  if (chain.length * 32 > FINGERPRINT_MAX)
    throw new CodecError('BAD_VALUE', `certificate_chain: got ${chain.length} certificates, want ≤ ${Math.floor(FINGERPRINT_MAX / 32)}`);
  w.vector(
    0,
    FINGERPRINT_MAX,
    (v) => {
      for (const c of chain) {
        const fp = createHash('sha256').update(c).digest();
        issuers.set(fp.toString('hex'), c);
        v.fixed(fp, 32, 'Fingerprint');
      }
    },
    'certificate_chain',
  );
  return { leaf: w.finish(), issuers };
}
