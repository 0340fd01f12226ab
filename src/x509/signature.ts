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
import { constants, createPublicKey, type KeyObject, verify } from 'node:crypto';
import { RsaSaPssParams } from '@peculiar/asn1-rsa';
import { AsnConvert } from '@peculiar/asn1-schema';
import { AlgorithmIdentifier } from '@peculiar/asn1-x509';
import type { AlgorithmId, ParsedCertificate } from './certificate.ts';
import { X509Error } from './errors.ts';

type KeyKind = 'rsa' | 'ec' | 'ed25519';

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

function pssScheme(alg: AlgorithmId): Scheme {
  if (!alg.parameters) throw new X509Error('UNSUPPORTED_ALGORITHM', 'RSASSA-PSS without parameters');
  let p: RsaSaPssParams;
  try {
    p = AsnConvert.parse(alg.parameters, RsaSaPssParams);
  } catch (err) {
    throw new X509Error('UNSUPPORTED_ALGORITHM', 'RSASSA-PSS parameters do not parse', { cause: err });
  }
  const digest = HASHES[p.hashAlgorithm.algorithm];
  if (!digest) throw new X509Error('UNSUPPORTED_ALGORITHM', `RSASSA-PSS hash ${p.hashAlgorithm.algorithm} is not supported`);
  // RFC 4055 §3.1: MGF1 parameterised by a hash; node uses the signature hash for MGF1, so they must agree.
  if (p.maskGenAlgorithm.algorithm !== OID_MGF1 || !p.maskGenAlgorithm.parameters) {
    throw new X509Error('UNSUPPORTED_ALGORITHM', `RSASSA-PSS mask generation ${p.maskGenAlgorithm.algorithm} is not MGF1`);
  }
  let mgfHash: string | undefined;
  try {
    mgfHash = HASHES[AsnConvert.parse(p.maskGenAlgorithm.parameters, AlgorithmIdentifier).algorithm];
  } catch (err) {
    throw new X509Error('UNSUPPORTED_ALGORITHM', 'RSASSA-PSS MGF1 parameters do not parse', { cause: err });
  }
  if (mgfHash !== digest) throw new X509Error('UNSUPPORTED_ALGORITHM', `RSASSA-PSS: MGF1 hash ${mgfHash} differs from ${digest}`);
  if (p.trailerField !== 1) throw new X509Error('UNSUPPORTED_ALGORITHM', `RSASSA-PSS trailerField ${p.trailerField}, want 1`);
  return { digest, key: 'rsa', pss: { saltLength: p.saltLength } };
}

/**
 * A cache of issuer public keys by SPKI, so a busy intermediate's key is
 * parsed once. Bounded; evicts the oldest entry. Not shared across threads
 * (there are none); safe to share between concurrent requests.
 */
export class PublicKeyCache {
  readonly #max: number;
  readonly #keys = new Map<string, KeyObject>();
  constructor(max = 1024) {
    this.#max = max;
  }
  get(spki: Buffer): KeyObject {
    const id = spki.toString('base64');
    let k = this.#keys.get(id);
    if (!k) {
      try {
        k = createPublicKey({ key: spki, format: 'der', type: 'spki' });
      } catch (err) {
        throw new X509Error('UNSUPPORTED_ALGORITHM', `issuer public key does not load: ${(err as Error).message}`, { cause: err });
      }
      this.#keys.set(id, k);
      if (this.#keys.size > this.#max) this.#keys.delete(this.#keys.keys().next().value as string);
    }
    return k;
  }
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
 * check, BAD_SIGNATURE when the key type does not fit the algorithm or the
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
