/**
 * The certification path of a submitted chain (RFC 6962 §3.1, §4.1; RFC 5280
 * §6.1), found in two passes so that a chain the log will refuse costs
 * almost nothing:
 *
 * 1. Match names. From the end-entity certificate, each certificate's
 *    issuer name must equal the next one's subject byte for byte and every
 *    issuing certificate must be a CA without the poison extension, up to an
 *    accepted root: one in the chain, or one whose subject is the last
 *    certificate's issuer (RootStore.candidatesFor orders same-named roots by
 *    key identifier). A chain under no accepted root is refused here. (It
 *    used to be refused only after verifying every link: ten self-made
 *    certificates with 3072-bit RSA keys and ~3072-bit exponents cost ~72 ms
 *    of CPU and then got UNKNOWN_ROOT.)
 * 2. Check each link without verifying it: the signature algorithm is one
 *    we verify, and the issuer's key is within the log's limits
 *    (x509/keys.ts) and of the kind the algorithm needs.
 * 3. Verify from the root down. The first verification uses an accepted
 *    root's key and each later one a key the previous step vouched for, so a
 *    forged link fails at the first signature no CA made, having cost one
 *    verification with a CA's key. Links between CA certificates verified
 *    before are remembered (CertificateCache) and not verified again.
 *
 * Work per submission is thus bounded: at most one verification per link
 * (fewer than maxChainLength) plus one per candidate root (at most
 * MAX_ROOT_CANDIDATES), each with a key inside the limits (RSA exponent
 * ≤ 2^31 − 1 and modulus ≤ 8192 bits).
 *
 * Pure: no I/O, no clock.
 */
import { isError } from '../../errors.ts';
import {
  checkVerificationKey,
  hasPoison,
  type ParsedCertificate,
  type PublicKeyCache,
  signatureScheme,
  verifyIssuedBy,
  X509Error,
} from '../../x509/index.ts';
import { CtError, x509Refusal } from './errors.ts';
import type { CertificateCache, RootStore } from './roots.ts';

export interface PathOptions {
  readonly roots: RootStore;
  readonly certificates?: CertificateCache;
  readonly keys?: PublicKeyCache;
  /**
   * Test-only: called before each signature verification (never for a link
   * remembered in `certificates`), so tests can count verifications instead
   * of timing them.
   */
  readonly testingOnlyOnVerify?: (child: ParsedCertificate, issuer: ParsedCertificate) => void;
}

function isCa(cert: ParsedCertificate, roots: RootStore): boolean {
  // RFC 5280 §4.2.1.9; v1 certificates have no extensions and are taken as CAs, as Go's x509 does.
  return cert.basicConstraints?.ca === true || cert.version === 0 || roots.has(cert);
}

/** Cheap checks of one link: the algorithm is one we verify, the issuer's key is within limits and of the right kind. */
function checkLink(child: ParsedCertificate, issuer: ParsedCertificate, cache: CertificateCache | undefined): void {
  const scheme = signatureScheme(child.signatureAlgorithm);
  const kind = cache ? cache.keyKind(issuer) : checkVerificationKey(issuer.spki);
  if (kind !== scheme.key) {
    throw new X509Error(
      'BAD_SIGNATURE',
      `signature algorithm ${child.signatureAlgorithm.oid} needs a ${scheme.key} key, the issuer has ${kind}`,
    );
  }
}

/**
 * The verified certification path of `certs` (parsed, certs[0] the
 * end-entity certificate), leaf first, ending at an accepted root; the
 * certificates after the first accepted root are left out. Throws CtError:
 * ROOT_AS_END_ENTITY, ISSUER_MISMATCH, BAD_POISON, NOT_A_CA, UNKNOWN_ROOT,
 * UNSUPPORTED_ALGORITHM, UNSUPPORTED_KEY (all before any verification) and
 * BAD_SIGNATURE.
 */
export function certificationPath(certs: readonly ParsedCertificate[], o: PathOptions): ParsedCertificate[] {
  const leaf = certs[0];
  // §4.1: "The first element is the end-entity certificate". An accepted root is a trust anchor, which RFC 5280
  // §6.1 takes as an input to path validation, not as a certificate of the path: alone it has no path (n = 0)
  // and nothing to validate, and its extra_data chain (§4.6) would be empty instead of ending at an accepted root.
  if (o.roots.has(leaf)) {
    throw new CtError('ROOT_AS_END_ENTITY', `chain[0] ("${leaf.subjectText}") is an accepted root, want a certificate issued under one`);
  }
  const path = [leaf];
  let candidates: readonly ParsedCertificate[] = [];
  for (let i = 1, cur = leaf; ; i++) {
    if (i >= certs.length) {
      candidates = o.roots.candidatesFor(cur);
      if (candidates.length === 0) {
        throw new CtError(
          'UNKNOWN_ROOT',
          `chain[${i - 1}] ("${cur.subjectText}") is not an accepted root and no accepted root issued it (issuer "${cur.issuerText}")`,
        );
      }
      break;
    }
    const next = certs[i];
    if (!cur.issuer.equals(next.subject)) {
      throw new CtError('ISSUER_MISMATCH', `chain[${i - 1}] was issued by "${cur.issuerText}", but chain[${i}] is "${next.subjectText}"`);
    }
    if (hasPoison(next)) throw new CtError('BAD_POISON', `chain[${i}]: only the first certificate may carry the poison extension`);
    if (!isCa(next, o.roots)) {
      throw new CtError('NOT_A_CA', `chain[${i}] ("${next.subjectText}") is not a CA certificate (basicConstraints cA is not TRUE)`);
    }
    path.push(next);
    if (o.roots.has(next)) break;
    cur = next;
  }
  // path[top] is an accepted root, or the last submitted certificate, to be verified against a root first.
  const top = path.length - 1;
  for (let j = 0; j < top; j++) {
    // A remembered link passed these checks when it was verified.
    if (j > 0 && o.certificates?.linkKnown(path[j], path[j + 1])) continue;
    try {
      checkLink(path[j], path[j + 1], o.certificates);
    } catch (err) {
      x509Refusal(err, `chain[${j}]`);
    }
  }
  if (candidates.length > 0) candidates = usableRoots(path[top], candidates, top, o.certificates);

  const verify = (child: ParsedCertificate, issuer: ParsedCertificate): void => {
    const ca = child !== leaf;
    if (ca && o.certificates?.linkKnown(child, issuer)) return;
    o.testingOnlyOnVerify?.(child, issuer);
    verifyIssuedBy(child, issuer, o.keys);
    if (ca) o.certificates?.rememberLink(child, issuer);
  };
  if (candidates.length > 0) {
    path.push(verifiedRoot(path[top], candidates, verify));
  }
  for (let j = top - 1; j >= 0; j--) {
    try {
      verify(path[j], path[j + 1]);
    } catch (err) {
      x509Refusal(err, `chain[${j}]`);
    }
  }
  return path;
}

/** The candidate roots whose keys fit the signature of `cert` (chain[at]); refuses when none does. */
function usableRoots(
  cert: ParsedCertificate,
  candidates: readonly ParsedCertificate[],
  at: number,
  cache: CertificateCache | undefined,
): ParsedCertificate[] {
  const usable = candidates.filter((r) => {
    try {
      checkLink(cert, r, cache);
      return true;
    } catch (err) {
      if (!isError(err, X509Error)) throw err;
      return false;
    }
  });
  if (usable.length === 0) {
    // Throws the reason for the best candidate (unsupported algorithm, key or kind).
    try {
      checkLink(cert, candidates[0], cache);
    } catch (err) {
      x509Refusal(err, `chain[${at}]`);
    }
  }
  return usable;
}

/** The first candidate root whose key verifies `cert`; CtError BAD_SIGNATURE when none does. */
function verifiedRoot(
  cert: ParsedCertificate,
  candidates: readonly ParsedCertificate[],
  verify: (child: ParsedCertificate, issuer: ParsedCertificate) => void,
): ParsedCertificate {
  let lastErr: unknown = null;
  for (const root of candidates) {
    try {
      verify(cert, root);
      return root;
    } catch (err) {
      if (!isError(err, X509Error)) throw err;
      lastErr = err;
    }
  }
  throw new CtError('BAD_SIGNATURE', `"${cert.subjectText}" names an accepted root as issuer, but no such root's key verifies it`, {
    cause: lastErr,
  });
}
