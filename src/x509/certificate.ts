/**
 * A parsed X.509 certificate (RFC 5280 §4.1), reduced to what a CT log needs
 * to check a chain: raw TBS bytes, names, key, validity, extensions and
 * signature. Parsed by walking the DER (der.ts): every field is a view into
 * the submitted bytes, so the TBSCertificate, the names and the key are
 * exactly what the issuer signed, and the precertificate rewrite (precert.ts)
 * splices them unchanged.
 *
 * Why not node's X509Certificate: it exposes neither the TBS bytes nor the
 * DER names the chain rules compare, and constructing one costs more than an
 * ECDSA verification (bench/ct.bench.ts budget); why not an ASN.1 library:
 * decoding every submission with one took ~60% of add-chain's CPU.
 *
 * Pure: no I/O, no clock.
 */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import type { Certificate } from '@peculiar/asn1-x509';
import { checkDer, children, contents, context, type Element, encoding, oidText, readWhole, smallUint, TAG } from './der.ts';
import { X509Error } from './errors.ts';
import { type CertExtension, type KnownExtensions, knownExtensions, readExtension } from './extensions.ts';
import { nameText } from './name.ts';
import { DER_NULL, OID_CT_POISON, OID_CT_PRECERT_SIGNING } from './oids.ts';

export type { CertExtension } from './extensions.ts';

export interface AlgorithmId {
  readonly oid: string;
  /** DER of the parameters, when present. */
  readonly parameters: Buffer | null;
}

/** A certificate's fields; basicConstraints, extKeyUsage and the key identifiers come from KnownExtensions. */
export interface ParsedCertificate extends KnownExtensions {
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
  /** SHA-256 of `spki` (what RFC 6962 §3.2 calls the issuer key hash when this certificate issues). */
  readonly spkiSha256: Buffer;
  /** Validity, milliseconds since the epoch. */
  readonly notBefore: number;
  readonly notAfter: number;
  readonly signatureAlgorithm: AlgorithmId;
  readonly signature: Buffer;
  readonly extensions: readonly CertExtension[];
  /**
   * The certificate decoded by @peculiar/asn1-x509, built on first use, for
   * tests and debugging. Admission never reads it (the library loads in
   * ~100 ms and decodes ~20× slower than the DER walk). Do not mutate.
   */
  readonly asn: Certificate;
}

export interface ParseOptions {
  /**
   * Enforce DER (default true): RFC 5280 §4.1 requires it, and RFC 6962
   * logs store and hash the bytes as submitted. Off, BER-only encodings
   * such as long-form short lengths are read too; for inspecting damaged
   * certificates, never for admission.
   */
  readonly checkDer?: boolean;
}

const buf = (b: Uint8Array) => (Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength));

/** The next element of `f` at `i` if it has `tag`; MALFORMED when it is missing or another type. */
function field(f: readonly Element[], i: number, tag: number, what: string): Element {
  const e = f[i];
  if (!e || e.tag !== tag) {
    throw new X509Error(
      'MALFORMED',
      `TBSCertificate.${what}: got ${e ? `tag 0x${e.tag.toString(16)}` : 'nothing'}, want tag 0x${tag.toString(16)}`,
    );
  }
  return e;
}

function algorithmId(der: Buffer, e: Element, strict: boolean): AlgorithmId {
  const [oid, params, ...rest] = children(der, e, strict);
  if (!oid || oid.tag !== TAG.OID || rest.length > 0)
    throw new X509Error('MALFORMED', 'AlgorithmIdentifier is not SEQUENCE { OID, parameters }');
  return { oid: oidText(der, oid), parameters: params ? encoding(der, params) : null };
}

/** Two decimal digits at `at`, or -1. */
function digits2(b: Buffer, at: number): number {
  const hi = b[at] - 0x30;
  const lo = b[at + 1] - 0x30;
  return hi >= 0 && hi <= 9 && lo >= 0 && lo <= 9 ? hi * 10 + lo : -1;
}

/**
 * A validity time in ms. RFC 5280 §4.1.2.5.1: UTCTime YYMMDDHHMMSSZ, where YY ≥ 50 is 19YY and YY < 50 is
 * 20YY; §4.1.2.5.2: GeneralizedTime YYYYMMDDHHMMSSZ, no fractional seconds. Anything else is MALFORMED.
 */
function timeMs(der: Buffer, e: Element, what: string): number {
  const len = e.end - e.body;
  const utc = e.tag === TAG.UTC_TIME;
  const at = e.body;
  let year = -1;
  if (utc && len === 13) {
    const yy = digits2(der, at);
    year = yy < 0 ? -1 : yy >= 50 ? 1900 + yy : 2000 + yy;
  } else if (e.tag === TAG.GENERALIZED_TIME && len === 15) {
    const cc = digits2(der, at);
    const yy = digits2(der, at + 2);
    year = cc < 0 || yy < 0 ? -1 : cc * 100 + yy;
  }
  const p = at + (utc ? 2 : 4);
  const mo = digits2(der, p);
  const d = digits2(der, p + 2);
  const h = digits2(der, p + 4);
  const mi = digits2(der, p + 6);
  const sec = digits2(der, p + 8);
  const ms = Date.UTC(year, mo - 1, d, h, mi, sec);
  const t = new Date(ms);
  if (
    year < 0 ||
    der[e.end - 1] !== 0x5a || // 'Z'
    mo < 1 ||
    d < 1 ||
    h < 0 ||
    h > 23 ||
    mi < 0 ||
    mi > 59 ||
    sec < 0 ||
    sec > 59 ||
    t.getUTCMonth() !== mo - 1 ||
    t.getUTCDate() !== d
  ) {
    const text = der.toString('latin1', e.body, e.end);
    throw new X509Error(
      'MALFORMED',
      `${what}: got ${JSON.stringify(text)}, want UTCTime YYMMDDHHMMSSZ or GeneralizedTime YYYYMMDDHHMMSSZ (RFC 5280 §4.1.2.5)`,
    );
  }
  // Date.UTC maps years 0–99 to 1900–1999; GeneralizedTime years below 100 are set exactly.
  return year < 100 ? t.setUTCFullYear(year) : ms;
}

/** True when elements `a` and `b` of `der` have the same encoding. */
function sameEncoding(der: Buffer, a: Element, b: Element): boolean {
  if (a.end - a.start !== b.end - b.start) return false;
  for (let i = 0; i < a.end - a.start; i++) if (der[a.start + i] !== der[b.start + i]) return false;
  return true;
}

/**
 * Parses one DER certificate. Throws X509Error MALFORMED for anything that
 * is not a single complete certificate, NOT_DER when it is BER but not DER
 * (RFC 5280 §4.1 requires DER), ALGORITHM_MISMATCH for RFC 5280 §4.1.1.2,
 * BAD_EXTENSION for duplicate or unparseable known extensions.
 */
export function parseCertificate(input: Uint8Array, opts: ParseOptions = {}): ParsedCertificate {
  const der = buf(input);
  const strict = opts.checkDer !== false;
  if (der.length === 0 || der[0] !== TAG.SEQUENCE) {
    throw new X509Error('MALFORMED', `got ${der.length} bytes that do not start a DER SEQUENCE, want a certificate`);
  }
  const top = readWhole(der, 'Certificate', strict);
  if (strict) checkDer(der, top);
  // RFC 5280 §4.1: Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue BIT STRING }.
  const parts = children(der, top, strict);
  if (parts.length !== 3 || parts[0].tag !== TAG.SEQUENCE || parts[1].tag !== TAG.SEQUENCE || parts[2].tag !== TAG.BIT_STRING) {
    throw new X509Error('MALFORMED', `got ${parts.length} elements, want SEQUENCE { TBSCertificate, AlgorithmIdentifier, BIT STRING }`);
  }
  const [tbsEl, algEl, sigEl] = parts;
  const sig = contents(der, sigEl);
  if (sig.length < 1 || sig[0] !== 0) throw new X509Error('MALFORMED', 'signatureValue has unused bits, want whole octets');

  const f = children(der, tbsEl, strict);
  let i = 0;
  let version = 0;
  if (f[0]?.tag === context(0, true)) {
    const [v, ...more] = children(der, f[i++], strict);
    if (!v || v.tag !== TAG.INTEGER || more.length > 0) throw new X509Error('MALFORMED', 'TBSCertificate.version is not [0] INTEGER');
    version = smallUint(der, v, 'version');
    if (version > 2) throw new X509Error('MALFORMED', `got version ${version}, want v1, v2 or v3 (0..2, RFC 5280 §4.1.2.1)`);
    if (strict && version === 0)
      throw new X509Error('NOT_DER', 'TBSCertificate encodes version v1, its DEFAULT; DER omits it (X.690 §11.5)');
  }
  field(f, i++, TAG.INTEGER, 'serialNumber');
  const innerAlg = field(f, i++, TAG.SEQUENCE, 'signature');
  const issuer = field(f, i++, TAG.SEQUENCE, 'issuer');
  const validity = children(der, field(f, i++, TAG.SEQUENCE, 'validity'), strict);
  const subject = field(f, i++, TAG.SEQUENCE, 'subject');
  const spki = field(f, i++, TAG.SEQUENCE, 'subjectPublicKeyInfo');
  if (f[i] && (f[i].tag & 0xdf) === 0x81) i++; // issuerUniqueID [1] (RFC 5280 §4.1.2.8)
  if (f[i] && (f[i].tag & 0xdf) === 0x82) i++; // subjectUniqueID [2]
  const extensions: CertExtension[] = [];
  if (f[i]?.tag === context(3, true)) {
    const [list, ...more] = children(der, f[i++], strict);
    if (!list || list.tag !== TAG.SEQUENCE || more.length > 0)
      throw new X509Error('MALFORMED', 'TBSCertificate.extensions is not [3] SEQUENCE');
    for (const e of children(der, list, strict)) extensions.push(readExtension(der, e, strict));
  }
  if (i !== f.length) throw new X509Error('MALFORMED', `TBSCertificate has ${f.length - i} unexpected trailing elements`);
  if (validity.length !== 2) throw new X509Error('MALFORMED', `Validity has ${validity.length} elements, want notBefore and notAfter`);

  // RFC 5280 §4.1.1.2: signatureAlgorithm "MUST contain the same algorithm identifier as the signature field in the
  // sequence tbsCertificate". With DER both encodings of equal values are equal bytes.
  const alg = algorithmId(der, algEl, strict);
  if (!sameEncoding(der, algEl, innerAlg)) {
    const inner = algorithmId(der, innerAlg, strict);
    throw new X509Error(
      'ALGORITHM_MISMATCH',
      `TBSCertificate.signature is ${inner.oid}, Certificate.signatureAlgorithm is ${alg.oid}; RFC 5280 §4.1.1.2 wants them equal`,
    );
  }
  const known = knownExtensions(extensions);
  return new DerCertificate(der, {
    version,
    tbs: encoding(der, tbsEl),
    issuer: encoding(der, issuer),
    subject: encoding(der, subject),
    spki: encoding(der, spki),
    notBefore: timeMs(der, validity[0], 'notBefore'),
    notAfter: timeMs(der, validity[1], 'notAfter'),
    signatureAlgorithm: alg,
    signature: sig.subarray(1),
    extensions,
    ...known,
  });
}

type Fields = Omit<ParsedCertificate, 'der' | 'fingerprint' | 'spkiSha256' | 'issuerText' | 'subjectText' | 'asn'>;

/**
 * The ParsedCertificate parseCertificate returns. Immutable; the hashes,
 * the names in text and the @peculiar decoding are computed on first use (a
 * leaf's are rarely needed) and then kept.
 */
class DerCertificate implements ParsedCertificate {
  readonly der: Buffer;
  readonly version: number;
  readonly tbs: Buffer;
  readonly issuer: Buffer;
  readonly subject: Buffer;
  readonly spki: Buffer;
  readonly notBefore: number;
  readonly notAfter: number;
  readonly signatureAlgorithm: AlgorithmId;
  readonly signature: Buffer;
  readonly extensions: readonly CertExtension[];
  readonly basicConstraints: Fields['basicConstraints'];
  readonly extKeyUsage: readonly string[] | null;
  readonly authorityKeyId: Buffer | null;
  readonly subjectKeyId: Buffer | null;
  #fingerprint: Buffer | null = null;
  #spkiSha256: Buffer | null = null;
  #issuerText: string | null = null;
  #subjectText: string | null = null;
  #asn: Certificate | null = null;

  constructor(der: Buffer, f: Fields) {
    this.der = der;
    this.version = f.version;
    this.tbs = f.tbs;
    this.issuer = f.issuer;
    this.subject = f.subject;
    this.spki = f.spki;
    this.notBefore = f.notBefore;
    this.notAfter = f.notAfter;
    this.signatureAlgorithm = f.signatureAlgorithm;
    this.signature = f.signature;
    this.extensions = f.extensions;
    this.basicConstraints = f.basicConstraints;
    this.extKeyUsage = f.extKeyUsage;
    this.authorityKeyId = f.authorityKeyId;
    this.subjectKeyId = f.subjectKeyId;
  }

  get fingerprint(): Buffer {
    this.#fingerprint ??= createHash('sha256').update(this.der).digest();
    return this.#fingerprint;
  }

  get spkiSha256(): Buffer {
    this.#spkiSha256 ??= createHash('sha256').update(this.spki).digest();
    return this.#spkiSha256;
  }

  get issuerText(): string {
    this.#issuerText ??= nameText(this.issuer);
    return this.#issuerText;
  }

  get subjectText(): string {
    this.#subjectText ??= nameText(this.subject);
    return this.#subjectText;
  }

  get asn(): Certificate {
    this.#asn ??= peculiarCertificate(this.der);
    return this.#asn;
  }
}

const requireCjs = createRequire(import.meta.url);

function peculiarCertificate(der: Buffer): Certificate {
  const { AsnConvert } = requireCjs('@peculiar/asn1-schema') as typeof import('@peculiar/asn1-schema');
  const { Certificate: Cert } = requireCjs('@peculiar/asn1-x509') as typeof import('@peculiar/asn1-x509');
  return AsnConvert.parse(der, Cert);
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
