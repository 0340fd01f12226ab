/**
 * Checks that one certificate's signature was made by another's key
 * (RFC 5280 §6.1.3 (a)(1)), on node:crypto.
 *
 * Accepted algorithms: RSA PKCS#1 v1.5 and ECDSA with SHA-1/224/256/384/512,
 * RSASSA-PSS (RFC 4055 §3.1, MGF1 with the same hash, trailer 1) and Ed25519
 * (RFC 8410). SHA-1 is accepted because CT logs log what CAs issued,
 * including the SHA-1 certificates of 2013–2016 (the real entries in our
 * test vectors are sha1WithRSA); MD2/MD5 and DSA are not.
 *
 * Pure: no I/O, no clock.
 */
import { constants, type KeyObject, verify } from 'node:crypto';
import type { AlgorithmId, ParsedCertificate } from './certificate.ts';
import { children, context, type Element, oidText, readWhole, smallUint, TAG } from './der.ts';
import { X509Error } from './errors.ts';
import { type KeyKind, PublicKeyCache } from './keys.ts';

interface Scheme {
  readonly digest: string | null;
  readonly key: KeyKind;
  readonly pss?: { readonly saltLength: number };
}

const DER_NULL_HEX = '0500';

const HASHES: Readonly<Record<string, string>> = {
  '1.3.14.3.2.26': 'sha1',
  '2.16.840.1.101.3.4.2.4': 'sha224',
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
};

/** Algorithms whose parameters must be absent (ECDSA, Ed25519) or NULL/absent (RSA PKCS#1, RFC 4055 §5). */
const FIXED: Readonly<Record<string, Scheme & { params: 'null-or-absent' | 'absent' }>> = {
  '1.2.840.113549.1.1.5': { digest: 'sha1', key: 'rsa', params: 'null-or-absent' },
  '1.2.840.113549.1.1.14': { digest: 'sha224', key: 'rsa', params: 'null-or-absent' },
  '1.2.840.113549.1.1.11': { digest: 'sha256', key: 'rsa', params: 'null-or-absent' },
  '1.2.840.113549.1.1.12': { digest: 'sha384', key: 'rsa', params: 'null-or-absent' },
  '1.2.840.113549.1.1.13': { digest: 'sha512', key: 'rsa', params: 'null-or-absent' },
  '1.2.840.10045.4.1': { digest: 'sha1', key: 'ec', params: 'absent' },
  '1.2.840.10045.4.3.1': { digest: 'sha224', key: 'ec', params: 'absent' },
  '1.2.840.10045.4.3.2': { digest: 'sha256', key: 'ec', params: 'absent' },
  '1.2.840.10045.4.3.3': { digest: 'sha384', key: 'ec', params: 'absent' },
  '1.2.840.10045.4.3.4': { digest: 'sha512', key: 'ec', params: 'absent' },
  '1.3.101.112': { digest: null, key: 'ed25519', params: 'absent' },
};

const OID_RSASSA_PSS = '1.2.840.113549.1.1.10';
const OID_MGF1 = '1.2.840.113549.1.1.8';

/** How to verify a signature made with `alg`; X509Error UNSUPPORTED_ALGORITHM when we do not. */
export function signatureScheme(alg: AlgorithmId): Scheme {
  const fixed = FIXED[alg.oid];
  if (fixed) {
    const p = alg.parameters?.toString('hex');
    const ok = p === undefined || (fixed.params === 'null-or-absent' && p === DER_NULL_HEX);
    if (!ok) throw new X509Error('UNSUPPORTED_ALGORITHM', `signature algorithm ${alg.oid}: unexpected parameters ${p}`);
    return { digest: fixed.digest, key: fixed.key };
  }
  if (alg.oid === OID_RSASSA_PSS) return pssScheme(alg);
  throw new X509Error('UNSUPPORTED_ALGORITHM', `signature algorithm ${alg.oid} is not supported`);
}

/**
 * RFC 4055 §3.1: RSASSA-PSS-params ::= SEQUENCE { hashAlgorithm [0] DEFAULT sha1, maskGenAlgorithm [1] DEFAULT
 * mgf1SHA1, saltLength [2] INTEGER DEFAULT 20, trailerField [3] INTEGER DEFAULT 1 }, each EXPLICIT.
 */
function pssScheme(alg: AlgorithmId): Scheme {
  const p = alg.parameters;
  if (!p) throw new X509Error('UNSUPPORTED_ALGORITHM', 'RSASSA-PSS without parameters');
  let digest = 'sha1';
  let mgfHash = 'sha1';
  let saltLength = 20;
  let trailer = 1;
  try {
    const top = readWhole(p, 'RSASSA-PSS-params');
    if (top.tag !== TAG.SEQUENCE) throw new X509Error('MALFORMED', 'not a SEQUENCE');
    for (const f of children(p, top)) {
      const inner = only(p, f);
      if (f.tag === context(0, true)) digest = hashOf(p, inner, 'hash');
      else if (f.tag === context(1, true)) mgfHash = mgf1Hash(p, inner);
      else if (f.tag === context(2, true)) saltLength = smallUint(p, inner, 'saltLength');
      else if (f.tag === context(3, true)) trailer = smallUint(p, inner, 'trailerField');
      else throw new X509Error('MALFORMED', `unexpected tag 0x${f.tag.toString(16)}`);
    }
  } catch (err) {
    if (err instanceof X509Error && err.code === 'UNSUPPORTED_ALGORITHM') throw err;
    throw new X509Error('UNSUPPORTED_ALGORITHM', `RSASSA-PSS parameters do not parse: ${(err as Error).message}`, { cause: err });
  }
  // RFC 4055 §3.1: MGF1 parameterised by a hash; node uses the signature hash for MGF1, so they must agree.
  if (mgfHash !== digest) throw new X509Error('UNSUPPORTED_ALGORITHM', `RSASSA-PSS: MGF1 hash ${mgfHash} differs from ${digest}`);
  if (trailer !== 1) throw new X509Error('UNSUPPORTED_ALGORITHM', `RSASSA-PSS trailerField ${trailer}, want 1`);
  return { digest, key: 'rsa', pss: { saltLength } };
}

/** The single element inside EXPLICIT tag `f`. */
function only(der: Buffer, f: Element): Element {
  const [inner, ...more] = children(der, f);
  if (!inner || more.length > 0)
    throw new X509Error('MALFORMED', `[${f.tag & 0x1f}] holds ${more.length + (inner ? 1 : 0)} elements, want 1`);
  return inner;
}

/** AlgorithmIdentifier → (OID, parameters element). */
function algorithm(der: Buffer, e: Element): [string, Element | undefined] {
  const [id, params, ...more] = e.tag === TAG.SEQUENCE ? children(der, e) : [];
  if (!id || id.tag !== TAG.OID || more.length > 0)
    throw new X509Error('MALFORMED', 'AlgorithmIdentifier is not SEQUENCE { OID, parameters }');
  return [oidText(der, id), params];
}

function hashOf(der: Buffer, e: Element, what: string): string {
  const [oid] = algorithm(der, e);
  const digest = HASHES[oid];
  if (!digest) throw new X509Error('UNSUPPORTED_ALGORITHM', `RSASSA-PSS ${what} ${oid} is not supported`);
  return digest;
}

function mgf1Hash(der: Buffer, e: Element): string {
  const [oid, params] = algorithm(der, e);
  if (oid !== OID_MGF1 || !params) throw new X509Error('UNSUPPORTED_ALGORITHM', `RSASSA-PSS mask generation ${oid} is not MGF1`);
  return hashOf(der, params, 'MGF1 hash');
}

const defaultKeys = new PublicKeyCache();

function kindOf(key: KeyObject): KeyKind | undefined {
  const t = key.asymmetricKeyType;
  if (t === 'rsa' || t === 'rsa-pss') return 'rsa';
  if (t === 'ec') return 'ec';
  if (t === 'ed25519') return 'ed25519';
  return undefined;
}

/**
 * Throws unless `issuer`'s key verifies `child`'s signature over its
 * TBSCertificate: X509Error UNSUPPORTED_ALGORITHM for algorithms we do not
 * check, UNSUPPORTED_KEY for issuer keys outside keys.ts's limits (checked
 * before any verification), BAD_SIGNATURE when the key type does not fit the algorithm or the
 * signature is wrong.
 */
export function verifyIssuedBy(child: ParsedCertificate, issuer: ParsedCertificate, keys: PublicKeyCache = defaultKeys): void {
  const scheme = signatureScheme(child.signatureAlgorithm);
  const key = keys.get(issuer.spki);
  const kind = kindOf(key);
  if (kind !== scheme.key) {
    throw new X509Error(
      'BAD_SIGNATURE',
      `signature algorithm ${child.signatureAlgorithm.oid} needs a ${scheme.key} key, the issuer has ${key.asymmetricKeyType}`,
    );
  }
  let ok: boolean;
  try {
    ok = scheme.pss
      ? verify(
          scheme.digest,
          child.tbs,
          { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: scheme.pss.saltLength },
          child.signature,
        )
      : verify(scheme.digest, child.tbs, key, child.signature);
  } catch (err) {
    // OpenSSL reports some malformed signatures as errors rather than `false`.
    throw new X509Error('BAD_SIGNATURE', `signature does not verify: ${(err as Error).message}`, { cause: err });
  }
  if (!ok)
    throw new X509Error('BAD_SIGNATURE', `the signature of "${child.subjectText}" does not verify with the key of "${issuer.subjectText}"`);
}
