/**
 * The accepted roots of a CT log (RFC 6962 §4.7 get-roots) and a cache of
 * parsed issuing certificates. Pure: built from DER given by the caller.
 */
import { createHash } from 'node:crypto';
import { checkVerificationKey, type KeyKind, type ParsedCertificate, parseCertificate } from '../../x509/index.ts';
import { CtError } from './errors.ts';

/**
 * Most accepted roots tried as the issuer of one certificate: several roots
 * may share a subject (a re-keyed root, a root and its cross-signed twin);
 * each try costs one signature verification with a root's key.
 */
export const MAX_ROOT_CANDIDATES = 4;

/**
 * An immutable set of accepted root certificates, indexed by DER length
 * (for exact matches) and by subject. A root is trusted as configured:
 * its own signature, validity and extensions are not checked (RFC 5280 §6.1
 * takes trust anchors as given).
 */
export class RootStore {
  /** Roots by DER length: `has` compares bytes of equal length only, with no hashing per query. */
  readonly #byLength = new Map<number, ParsedCertificate[]>();
  /** Roots by subject (latin1 of the DER Name). */
  readonly #bySubject = new Map<string, ParsedCertificate[]>();
  /** In configuration order, duplicates removed: the get-roots answer. */
  readonly certificates: readonly ParsedCertificate[];

  /** Throws CtError BAD_CERTIFICATE naming the root that does not parse or whose key the log cannot verify with. */
  constructor(roots: readonly Uint8Array[]) {
    const list: ParsedCertificate[] = [];
    roots.forEach((der, i) => {
      let cert: ParsedCertificate;
      try {
        cert = parseCertificate(der);
        // Refused at start rather than on every chain under it.
        checkVerificationKey(cert.spki);
      } catch (err) {
        throw new CtError('BAD_CERTIFICATE', `accepted root ${i}: ${(err as Error).message}`, { cause: err });
      }
      if (this.has(cert)) return;
      this.#byLength.set(cert.der.length, [...(this.#byLength.get(cert.der.length) ?? []), cert]);
      const s = cert.subject.toString('latin1');
      this.#bySubject.set(s, [...(this.#bySubject.get(s) ?? []), cert]);
      list.push(cert);
    });
    this.certificates = Object.freeze(list);
  }

  get size(): number {
    return this.certificates.length;
  }

  /** True when `cert` is exactly one of the accepted roots. */
  has(cert: ParsedCertificate): boolean {
    const same = this.#byLength.get(cert.der.length);
    return same?.some((r) => r === cert || r.der.equals(cert.der)) ?? false;
  }

  /**
   * The accepted roots that may have issued `cert`: those whose subject is
   * `cert`'s issuer, best first (subject key identifier equal to `cert`'s
   * authority key identifier, then either one absent, then different ones,
   * since a mismatch is a CA's mistake rather than proof of another key, as
   * in Go's chain builder), at most MAX_ROOT_CANDIDATES of them. Nothing is
   * verified here.
   */
  candidatesFor(cert: ParsedCertificate): readonly ParsedCertificate[] {
    const named = this.#bySubject.get(cert.issuer.toString('latin1'));
    if (!named || named.length === 1) return named ?? [];
    const aki = cert.authorityKeyId;
    const rank = (r: ParsedCertificate) => (!aki || !r.subjectKeyId ? 1 : aki.equals(r.subjectKeyId) ? 0 : 2);
    return [...named].sort((a, b) => rank(a) - rank(b)).slice(0, MAX_ROOT_CANDIDATES);
  }
}

/**
 * Parsed issuing certificates by fingerprint, so a busy intermediate is
 * parsed (and DER-checked) once, and the issuer links between them already
 * verified, so its own signature is checked once too. Bounded; evicts the
 * least recently used. Only certificates that parsed and links whose
 * signature verified are kept; both are facts about immutable bytes, so
 * sharing one cache across concurrent requests is safe.
 */
export class CertificateCache {
  readonly #max: number;
  readonly #certs = new Map<string, ParsedCertificate>();
  /** The most recently parsed or hit certificates, newest first: most chains repeat a few intermediates. */
  readonly #recent: ParsedCertificate[] = [];
  readonly #links = new Set<string>();
  /** Remembered links by certificate object, the fast path of linkKnown for the cache's own objects. */
  readonly #linkObjects = new WeakMap<ParsedCertificate, WeakSet<ParsedCertificate>>();
  /** checkVerificationKey results by certificate object: a cached issuer is the same object on every submission. */
  readonly #keyKinds = new WeakMap<ParsedCertificate, KeyKind>();
  constructor(max = 4096) {
    this.#max = max;
  }

  /** checkVerificationKey(cert.spki), remembered for this certificate object (throws like it, remembering nothing). */
  keyKind(cert: ParsedCertificate): KeyKind {
    let kind = this.#keyKinds.get(cert);
    if (kind === undefined) {
      kind = checkVerificationKey(cert.spki);
      this.#keyKinds.set(cert, kind);
    }
    return kind;
  }

  /** True when `child` is known to be signed by `issuer` (rememberLink was called for exactly these bytes). */
  linkKnown(child: ParsedCertificate, issuer: ParsedCertificate): boolean {
    return this.#linkObjects.get(child)?.has(issuer) === true || this.#links.has(linkKey(child, issuer));
  }

  /** Records that `issuer`'s key verified `child`'s signature. Call only for CA certificates: leaves rarely repeat. */
  rememberLink(child: ParsedCertificate, issuer: ParsedCertificate): void {
    this.#links.add(linkKey(child, issuer));
    if (this.#links.size > this.#max) this.#links.delete(this.#links.values().next().value as string);
    const issuers = this.#linkObjects.get(child) ?? new WeakSet<ParsedCertificate>();
    issuers.add(issuer);
    this.#linkObjects.set(child, issuers);
  }

  /**
   * Parses `der` (with the DER check) or returns the cached parse. Throws
   * X509Error like parseCertificate. The few most recent certificates are
   * compared byte for byte first; others are found by SHA-256.
   */
  parse(der: Buffer): ParsedCertificate {
    for (const c of this.#recent) {
      if (c.der.length === der.length && c.der.equals(der)) return c;
    }
    const key = createHash('sha256').update(der).digest('base64');
    let cert = this.#certs.get(key);
    if (cert) {
      this.#certs.delete(key);
    } else {
      cert = parseCertificate(der);
      if (this.#certs.size >= this.#max) this.#certs.delete(this.#certs.keys().next().value as string);
    }
    this.#certs.set(key, cert);
    this.#recent.unshift(cert);
    if (this.#recent.length > RECENT) this.#recent.pop();
    return cert;
  }
}

/** How many certificates CertificateCache compares byte for byte before hashing (bounds that work per lookup). */
const RECENT = 8;

function linkKey(child: ParsedCertificate, issuer: ParsedCertificate): string {
  return `${child.fingerprint.toString('base64')}<${issuer.fingerprint.toString('base64')}`;
}
