/**
 * A parsed X.509 certificate (RFC 5280 §4.1), reduced to what a CT log needs
 * to check a chain: raw TBS bytes, names, key, validity, extensions and
 * signature. Parsing uses @peculiar/asn1-x509; nothing here is hand-written
 * ASN.1 beyond the outer length check.
 *
 * Pure: no I/O, no clock.
 */
import { createHash } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import {
  AuthorityKeyIdentifier,
  BasicConstraints,
  Certificate,
  ExtendedKeyUsage,
  type Name,
  SubjectKeyIdentifier,
  type Time,
} from '@peculiar/asn1-x509';
import { X509Error } from './errors.ts';
import {
  DER_NULL,
  OID_AUTHORITY_KEY_ID,
  OID_BASIC_CONSTRAINTS,
  OID_CT_POISON,
  OID_CT_PRECERT_SIGNING,
  OID_EXT_KEY_USAGE,
  OID_SUBJECT_KEY_ID,
} from './oids.ts';

export interface CertExtension {
  readonly oid: string;
  readonly critical: boolean;
  /** The extnValue OCTET STRING contents (the DER of the extension's own type). */
  readonly value: Buffer;
}

export interface AlgorithmId {
  readonly oid: string;
  /** DER of the parameters, when present. */
  readonly parameters: Buffer | null;
}

export interface ParsedCertificate {
  /** The certificate as submitted (RFC 6962 §3.1 ASN.1Cert). */
  readonly der: Buffer;
  /** SHA-256 of `der`: the identity of a CA for quotas and root matching. */
  readonly fingerprint: Buffer;
  /** X.509 version as encoded: 0 = v1, 1 = v2, 2 = v3 (RFC 5280 §4.1.2.1). */
  readonly version: number;
  /** The DER TBSCertificate: what the issuer signed. */
  readonly tbs: Buffer;
  /** DER Names; chains match issuer to subject byte for byte (as Go's chain builder does). */
  readonly issuer: Buffer;
  readonly subject: Buffer;
  /** Human-readable names for error messages only. */
  readonly issuerText: string;
  readonly subjectText: string;
  /** DER SubjectPublicKeyInfo. */
  readonly spki: Buffer;
  /** Validity, milliseconds since the epoch. */
  readonly notBefore: number;
  readonly notAfter: number;
  readonly signatureAlgorithm: AlgorithmId;
  readonly signature: Buffer;
  readonly extensions: readonly CertExtension[];
  /** RFC 5280 §4.2.1.9; null when the extension is absent. */
  readonly basicConstraints: { readonly ca: boolean; readonly pathLen: number | null } | null;
  /** RFC 5280 §4.2.1.12 purposes; null when absent. */
  readonly extKeyUsage: readonly string[] | null;
  /** keyIdentifier of the AKI (RFC 5280 §4.2.1.1) and the SKI (§4.2.1.2); null when absent. */
  readonly authorityKeyId: Buffer | null;
  readonly subjectKeyId: Buffer | null;
  /** The parsed ASN.1 object, for the precertificate TBS rewrite (precert.ts). Do not mutate. */
  readonly asn: Certificate;
}

const buf = (b: ArrayBuffer | ArrayBufferView) =>
  ArrayBuffer.isView(b) ? Buffer.from(b.buffer, b.byteOffset, b.byteLength) : Buffer.from(b);

/**
 * The length of the DER element at the start of `der` (X.690 §8.1.3), or -1.
 * Needed because the ASN.1 parser ignores bytes after the certificate.
 */
function derLength(der: Uint8Array): number {
  if (der.length < 2) return -1;
  const first = der[1];
  if (first < 0x80) return 2 + first;
  const n = first & 0x7f;
  if (n === 0 || n > 4 || der.length < 2 + n) return -1;
  let len = 0;
  for (let i = 0; i < n; i++) len = len * 256 + der[2 + i];
  return 2 + n + len;
}

function timeMs(t: Time): number {
  const d = t.utcTime ?? t.generalTime;
  if (!d) throw new X509Error('MALFORMED', 'validity time is neither UTCTime nor GeneralizedTime');
  return d.getTime();
}

const NAME_LABELS: Readonly<Record<string, string>> = {
  '2.5.4.3': 'CN',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
};

/** RFC 4514-like text of a Name, for messages only (no escaping: never parsed back). */
function nameText(name: Name): string {
  return name.map((rdn) => rdn.map((atv) => `${NAME_LABELS[atv.type] ?? atv.type}=${atv.value.toString()}`).join('+')).join(', ');
}

function parseExt<T>(e: CertExtension, type: new () => T, what: string): T {
  try {
    return AsnConvert.parse(e.value, type);
  } catch (err) {
    throw new X509Error('BAD_EXTENSION', `${what} extension does not parse`, { cause: err });
  }
}

/**
 * Parses one DER certificate. Throws X509Error MALFORMED for anything that
 * is not a single complete certificate, NOT_DER when the encoding is not the
 * canonical DER our parser re-creates (RFC 5280 §4.1 requires DER, and the
 * RFC 6962 §3.2 precertificate TBS rewrite needs an exact re-encoding),
 * ALGORITHM_MISMATCH for RFC 5280 §4.1.1.2, BAD_EXTENSION for duplicate or
 * unparseable known extensions.
 */
export interface ParseOptions {
  /**
   * Re-encode the TBSCertificate and require the same bytes (default true).
   * Needed for issuers (their SPKI and subject are hashed and compared as
   * re-encoded) and precertificates (the TBS is rewritten); a log may skip
   * it for x509 leaves, whose bytes it only stores.
   */
  readonly checkDer?: boolean;
}

export function parseCertificate(input: Uint8Array, opts: ParseOptions = {}): ParsedCertificate {
  const der = buf(input);
  if (der.length === 0 || der[0] !== 0x30 || derLength(der) !== der.length) {
    throw new X509Error('MALFORMED', `got ${der.length} bytes that are not exactly one DER SEQUENCE, want a certificate`);
  }
  let asn: Certificate;
  try {
    asn = AsnConvert.parse(der, Certificate);
  } catch (err) {
    throw new X509Error('MALFORMED', `not an X.509 certificate: ${(err as Error).message}`, { cause: err });
  }
  if (!asn.tbsCertificateRaw) throw new X509Error('MALFORMED', 'TBSCertificate bytes missing');
  const tbs = buf(asn.tbsCertificateRaw);
  const t = asn.tbsCertificate;
  if (opts.checkDer !== false) checkDer(t, tbs);
  const alg = algorithmId(asn.signatureAlgorithm);
  const inner = algorithmId(t.signature);
  if (alg.oid !== inner.oid || !sameBytes(alg.parameters, inner.parameters)) {
    throw new X509Error(
      'ALGORITHM_MISMATCH',
      `TBSCertificate.signature is ${inner.oid}, Certificate.signatureAlgorithm is ${alg.oid}; RFC 5280 §4.1.1.2 wants them equal`,
    );
  }
  const extensions: CertExtension[] = (t.extensions ?? []).map((e) => ({
    oid: e.extnID,
    critical: e.critical,
    value: buf(e.extnValue.buffer),
  }));
  const seen = new Set<string>();
  for (const e of extensions) {
    // RFC 5280 §4.2: "A certificate MUST NOT include more than one instance of a particular extension."
    if (seen.has(e.oid)) throw new X509Error('BAD_EXTENSION', `extension ${e.oid} appears twice (RFC 5280 §4.2)`);
    seen.add(e.oid);
  }
  const ext = (oid: string) => extensions.find((e) => e.oid === oid);
  const bcExt = ext(OID_BASIC_CONSTRAINTS);
  const bc = bcExt ? parseExt(bcExt, BasicConstraints, 'basicConstraints') : null;
  const ekuExt = ext(OID_EXT_KEY_USAGE);
  const eku = ekuExt ? [...parseExt(ekuExt, ExtendedKeyUsage, 'extKeyUsage')] : null;
  const akiExt = ext(OID_AUTHORITY_KEY_ID);
  const aki = akiExt ? parseExt(akiExt, AuthorityKeyIdentifier, 'authorityKeyIdentifier') : null;
  const skiExt = ext(OID_SUBJECT_KEY_ID);
  const ski = skiExt ? parseExt(skiExt, SubjectKeyIdentifier, 'subjectKeyIdentifier') : null;
  const parsed = {
    der,
    fingerprint: createHash('sha256').update(der).digest(),
    version: t.version,
    tbs,
    notBefore: timeMs(t.validity.notBefore),
    notAfter: timeMs(t.validity.notAfter),
    signatureAlgorithm: alg,
    signature: buf(asn.signatureValue),
    extensions,
    basicConstraints: bc ? { ca: bc.cA, pathLen: bc.pathLenConstraint ?? null } : null,
    extKeyUsage: eku,
    authorityKeyId: aki?.keyIdentifier ? buf(aki.keyIdentifier.buffer) : null,
    subjectKeyId: ski ? buf(ski.buffer) : null,
    asn,
  };
  // Re-encoded on first use: a leaf's subject and key are rarely needed, and each encoding costs tens of µs.
  return lazy(parsed, {
    issuer: () => buf(AsnConvert.serialize(t.issuer)),
    subject: () => buf(AsnConvert.serialize(t.subject)),
    spki: () => buf(AsnConvert.serialize(t.subjectPublicKeyInfo)),
    issuerText: () => nameText(t.issuer),
    subjectText: () => nameText(t.subject),
  });
}

/** Adds memoized getters to `base`: each computes its value once, then is replaced by it. */
function lazy<B extends object, L extends Record<string, unknown>>(base: B, fields: { [K in keyof L]: () => L[K] }): B & L {
  for (const [name, compute] of Object.entries(fields) as [string, () => unknown][]) {
    Object.defineProperty(base, name, {
      enumerable: true,
      configurable: true,
      get() {
        const value = compute();
        Object.defineProperty(base, name, { value, enumerable: true, writable: false, configurable: false });
        return value;
      },
    });
  }
  return base as B & L;
}

function checkDer(t: Certificate['tbsCertificate'], tbs: Buffer): void {
  let reencoded: Buffer;
  try {
    reencoded = buf(AsnConvert.serialize(t));
  } catch (err) {
    throw new X509Error('MALFORMED', 'TBSCertificate does not re-encode', { cause: err });
  }
  if (!reencoded.equals(tbs)) {
    throw new X509Error('NOT_DER', 'TBSCertificate is not canonical DER (RFC 5280 §4.1 requires DER)');
  }
}

function algorithmId(a: { algorithm: string; parameters?: ArrayBuffer | null }): AlgorithmId {
  return { oid: a.algorithm, parameters: a.parameters ? buf(a.parameters) : null };
}

function sameBytes(a: Buffer | null, b: Buffer | null): boolean {
  if (a === null || b === null) return a === b;
  return a.equals(b);
}

/** The extension with this OID, if present. */
export function findExtension(cert: ParsedCertificate, oid: string): CertExtension | undefined {
  return cert.extensions.find((e) => e.oid === oid);
}

/** RFC 6962 §3.1: a precertificate carries the poison extension. */
export function hasPoison(cert: ParsedCertificate): boolean {
  return findExtension(cert, OID_CT_POISON) !== undefined;
}

/** True when the poison extension is as RFC 6962 §3.1 defines it: critical, value ASN.1 NULL. */
export function isWellFormedPoison(e: CertExtension): boolean {
  return e.critical && e.value.equals(DER_NULL);
}

/** RFC 6962 §3.1: a Precertificate Signing Certificate has the CT precertificate signing EKU. */
export function isPrecertSigningCert(cert: ParsedCertificate): boolean {
  return cert.extKeyUsage?.includes(OID_CT_PRECERT_SIGNING) ?? false;
}

/** A name as DER re-encoded by our parser, for comparisons with `issuer`/`subject`. */
export function encodeName(name: Name): Buffer {
  return buf(AsnConvert.serialize(name));
}
