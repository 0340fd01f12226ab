/**
 * Admission control of the CT personality (RFC 6962 §3.1, §4.1, §4.2): which
 * chains the log accepts, and what it logs for them. Pure: no I/O; time
 * comes in as a parameter.
 *
 * A submission is a chain [c0, c1, …, cn] of DER certificates. It is
 * accepted when
 *   - c0 is an X.509 certificate (add-chain) or a precertificate (add-pre-chain):
 *     §4.1 "chain: An array of base64-encoded certificates. The first element
 *     is the end-entity certificate"; §4.2 the first is the precertificate;
 *   - every certificate is DER (RFC 5280 §4.1), so the bytes the log stores
 *     and hashes have one encoding per certificate;
 *   - c0 is not itself an accepted root (chain.ts says why);
 *   - each certificate is issued by the next one: the issuer name equals the
 *     next one's subject and the next one's key verifies the signature, and
 *     every issuing certificate is a CA (basicConstraints cA, RFC 5280
 *     §4.2.1.9) unless it is an accepted root or an X.509 v1 certificate;
 *   - the chain reaches an accepted root: either some ci is one, or cn is
 *     issued by one (§4.1: "the last [certificate] … MUST be or be issued by
 *     a root"; we then append that root, because §4.6 extra_data chains end
 *     at "a root certificate accepted by the log"). Certificates after the
 *     first accepted root are dropped. Names are matched up to the root
 *     before any signature is verified, then signatures from the root down
 *     (chain.ts);
 *   - the leaf's notAfter falls in the configured window, if any.
 *
 * Like certificate-transparency-go's CTFE we do not check validity periods
 * (other than the optional window), path lengths, name constraints or EKUs
 * of the chain: a log records what CAs issued, including their mistakes.
 */
import { createHash } from 'node:crypto';
import type { SignedEntry } from '../../codec/index.ts';
import { encodePrecertExtraData, encodeX509ExtraData } from '../../codec/index.ts';
import {
  findExtension,
  isPrecertSigningCert,
  isWellFormedPoison,
  OID_AUTHORITY_KEY_ID,
  OID_CT_POISON,
  type ParsedCertificate,
  parseCertificate,
  precertTbs,
} from '../../x509/index.ts';
import { certificationPath, type PathOptions } from './chain.ts';
import { CtError, x509Refusal } from './errors.ts';

/** add-chain logs an x509_entry, add-pre-chain a precert_entry (RFC 6962 §3.1 LogEntryType). */
export type SubmissionKind = 'x509_entry' | 'precert_entry';

export interface NotAfterWindow {
  /** Earliest accepted notAfter, ms since the epoch, inclusive. */
  readonly start?: number;
  /** First rejected notAfter, ms since the epoch (exclusive bound). */
  readonly limit?: number;
}

export interface AdmissionPolicy extends PathOptions {
  /** Most certificates accepted in one submitted chain (bounds parsing and signature work). */
  readonly maxChainLength: number;
  /** Temporal sharding: the leaf's notAfter must lie in [start, limit). */
  readonly notAfter?: NotAfterWindow;
  /** Refuse leaves whose notAfter is before `now`. */
  readonly rejectExpired?: boolean;
}

export interface AdmittedEntry {
  /** What the SCT and the MerkleTreeLeaf carry (RFC 6962 §3.2, §3.4). */
  readonly signedEntry: SignedEntry;
  /**
   * Dedup key, so a resubmission gets its original SCT (RFC 6962 §3: "If the
   * log has previously seen the certificate, it MAY return the same SCT"):
   * SHA-256 of what the SCT signs for this submission — the whole DER
   * certificate of an x509_entry (as CTFE's LeafIdentityHash), the rewritten
   * TBSCertificate of a precert_entry. ARCHITECTURE.md ("CT log", identity)
   * says why not the TBSCertificate of an x509_entry.
   */
  readonly identityHash: Buffer;
  /** get-entries extra_data (RFC 6962 §4.6): X509ChainEntry.certificate_chain or PrecertChainEntry. */
  readonly extraData: Buffer;
  /** The verified chain, leaf first, ending at the accepted root. */
  readonly chain: readonly ParsedCertificate[];
  /** SHA-256 of each issuing certificate (chain[1..]), for per-issuer quotas. */
  readonly issuerFingerprints: readonly Buffer[];
}

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest();

function parseChain(chain: readonly Uint8Array[], policy: AdmissionPolicy): ParsedCertificate[] {
  if (chain.length === 0) throw new CtError('EMPTY_CHAIN', 'got an empty chain, want at least the end-entity certificate (RFC 6962 §4.1)');
  if (chain.length > policy.maxChainLength) {
    throw new CtError('CHAIN_TOO_LONG', `got ${chain.length} certificates, want at most ${policy.maxChainLength}`);
  }
  return chain.map((raw, i) => {
    const der = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
    try {
      if (i === 0 || !policy.certificates) return parseCertificate(der);
      return policy.certificates.parse(der);
    } catch (err) {
      return x509Refusal(err, `chain[${i}]`);
    }
  });
}

function checkLeafKind(kind: SubmissionKind, leaf: ParsedCertificate): void {
  const poison = findExtension(leaf, OID_CT_POISON);
  if (kind === 'x509_entry') {
    // §4.1: add-chain takes certificates; precertificates go to add-pre-chain (§4.2).
    if (poison)
      throw new CtError('PRECERT_IN_ADD_CHAIN', 'chain[0] carries the CT poison extension: submit precertificates with add-pre-chain');
    return;
  }
  if (!poison)
    throw new CtError(
      'NOT_A_PRECERT',
      'chain[0] has no CT poison extension (1.3.6.1.4.1.11129.2.4.3), want a precertificate (RFC 6962 §3.1)',
    );
  // §3.1: "a critical poison extension … whose extnValue OCTET STRING contains ASN.1 NULL data (0x05 0x00)".
  if (!isWellFormedPoison(poison)) {
    throw new CtError(
      'BAD_POISON',
      `chain[0]: got poison critical=${poison.critical} value=${poison.value.toString('hex')}, want critical with value 0500`,
    );
  }
}

const iso = (ms: number) => new Date(ms).toISOString();

function checkWindow(leaf: ParsedCertificate, policy: AdmissionPolicy, now: number): void {
  const w = policy.notAfter;
  if (w?.start !== undefined && leaf.notAfter < w.start) {
    throw new CtError('NOT_AFTER_OUT_OF_RANGE', `notAfter ${iso(leaf.notAfter)} is before this log's window start ${iso(w.start)}`);
  }
  if (w?.limit !== undefined && leaf.notAfter >= w.limit) {
    throw new CtError('NOT_AFTER_OUT_OF_RANGE', `notAfter ${iso(leaf.notAfter)} is not before this log's window limit ${iso(w.limit)}`);
  }
  if (policy.rejectExpired && leaf.notAfter < now) {
    throw new CtError(
      'NOT_AFTER_OUT_OF_RANGE',
      `notAfter ${iso(leaf.notAfter)} has passed (now ${iso(now)}); this log refuses expired certificates`,
    );
  }
}

/**
 * RFC 6962 §3.2 PreCert for a verified precertificate chain: the issuer key
 * hash and TBS of the certificate the final issuer will sign. With a
 * Precertificate Signing Certificate (§3.1) at chain[1], the final issuer is
 * chain[2], which must exist (the PSC is never itself a root).
 */
function precertEntry(chain: readonly ParsedCertificate[]): Extract<SignedEntry, { entryType: 'precert_entry' }> {
  const [precert, signer] = chain;
  let finalIssuer = signer;
  let psc: ParsedCertificate | undefined;
  if (isPrecertSigningCert(signer)) {
    psc = signer;
    finalIssuer = chain[2];
    if (!finalIssuer)
      throw new CtError(
        'BAD_PRECERT_SIGNER',
        'the Precertificate Signing Certificate is an accepted root; it must be issued by the final CA (RFC 6962 §3.1)',
      );
    if (isPrecertSigningCert(finalIssuer)) {
      throw new CtError(
        'BAD_PRECERT_SIGNER',
        'a Precertificate Signing Certificate issued by another one: RFC 6962 §3.1 wants it "directly certified by the CA certificate"',
      );
    }
    if (findExtension(precert, OID_AUTHORITY_KEY_ID) && !psc.authorityKeyId) {
      throw new CtError(
        'BAD_PRECERT_SIGNER',
        'the precertificate has an Authority Key Identifier, so its signing certificate must have one too (RFC 6962 §3.2)',
      );
    }
  }
  let tbsCertificate: Buffer;
  try {
    tbsCertificate = precertTbs(precert, psc);
  } catch (err) {
    x509Refusal(err, 'chain[0]');
  }
  // §3.2: "issuer_key_hash is the SHA-256 hash of the certificate issuer's public key" (its DER SPKI).
  return { entryType: 'precert_entry', issuerKeyHash: finalIssuer.spkiSha256, tbsCertificate };
}

/**
 * Decides a submission. Throws CtError (every code but NOT_FOUND and
 * UNAVAILABLE) with a reason; otherwise returns what to log.
 */
export function admitChain(kind: SubmissionKind, chain: readonly Uint8Array[], policy: AdmissionPolicy, now: number): AdmittedEntry {
  const certs = parseChain(chain, policy);
  const leaf = certs[0];
  checkLeafKind(kind, leaf);
  checkWindow(leaf, policy, now);
  const verified = certificationPath(certs, policy);
  const issuers = verified.slice(1);
  if (kind === 'x509_entry') {
    return {
      signedEntry: { entryType: 'x509_entry', certificate: leaf.der },
      identityHash: leaf.fingerprint,
      extraData: encodeX509ExtraData(issuers.map((c) => c.der)),
      chain: verified,
      issuerFingerprints: issuers.map((c) => c.fingerprint),
    };
  }
  const signedEntry = precertEntry(verified);
  return {
    signedEntry,
    identityHash: sha256(signedEntry.tbsCertificate),
    extraData: encodePrecertExtraData({ preCertificate: leaf.der, precertificateChain: issuers.map((c) => c.der) }),
    chain: verified,
    issuerFingerprints: issuers.map((c) => c.fingerprint),
  };
}
