/**
 * The public keys a CT log verifies certificate signatures with, and the
 * limits that bound what one verification can cost. Checked on the DER
 * SubjectPublicKeyInfo (RFC 5280 §4.1.2.7) before OpenSSL sees the key:
 *
 * - RSA (rsaEncryption, RFC 3279 §2.3.1, or id-RSASSA-PSS, RFC 4055 §1.2):
 *   modulus of 1024 to 8192 bits, public exponent odd and at most 2^31 − 1.
 *   The exponent cap is Go's (crypto/rsa checkPub): a verification costs
 *   about one modular squaring per exponent bit, so a ~3072-bit exponent
 *   makes one verify cost as much as a private-key operation. The modulus cap
 *   is Go crypto/tls's 8192 bits. The floor is 1024, not 2048: a log records
 *   what CAs issued, and real 2013 entries (test vectors from Google Pilot)
 *   chain through 1024-bit RSA CAs; a small key only makes a verify cheaper.
 * - ECDSA (id-ecPublicKey, RFC 5480 §2.1.1): named curves P-224, P-256,
 *   P-384, P-521 only (Go's set); explicit curve parameters are refused.
 * - Ed25519 (RFC 8410 §3).
 *
 * Anything else is X509Error UNSUPPORTED_KEY.
 *
 * Pure: no I/O, no clock.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { children, contents, type Element, oidText, readWhole, TAG } from './der.ts';
import { X509Error } from './errors.ts';

export const RSA_MIN_BITS = 1024;
export const RSA_MAX_BITS = 8192;
export const RSA_MAX_EXPONENT = 2 ** 31 - 1;

const OID_RSA = '1.2.840.113549.1.1.1';
const OID_RSASSA_PSS = '1.2.840.113549.1.1.10';
const OID_EC = '1.2.840.10045.2.1';
const OID_ED25519 = '1.3.101.112';
/** RFC 5480 §2.1.1.1 namedCurve OIDs (and SEC 2 for P-224). */
const CURVES: Readonly<Record<string, string>> = {
  '1.3.132.0.33': 'P-224',
  '1.2.840.10045.3.1.7': 'P-256',
  '1.3.132.0.34': 'P-384',
  '1.3.132.0.35': 'P-521',
};

/** The kind of a key we verify with. */
export type KeyKind = 'rsa' | 'ec' | 'ed25519';

const bad = (msg: string) => new X509Error('UNSUPPORTED_KEY', msg);

/** Unsigned magnitude of a DER INTEGER's contents; UNSUPPORTED_KEY when negative. */
function magnitude(der: Buffer, e: Element, what: string): Buffer {
  if (e.tag !== TAG.INTEGER || e.end === e.body) throw bad(`${what} is not an INTEGER`);
  const v = contents(der, e);
  if (v[0] & 0x80) throw bad(`${what} is negative`);
  let i = 0;
  while (i < v.length - 1 && v[i] === 0) i++;
  return v.subarray(i);
}

const bitLength = (m: Buffer) => (m.length === 0 || (m.length === 1 && m[0] === 0) ? 0 : (m.length - 1) * 8 + (32 - Math.clz32(m[0])));

function checkRsa(bits: Buffer): void {
  let n: Buffer;
  let e: Buffer;
  try {
    const top = readWhole(bits, 'RSAPublicKey');
    const items = children(bits, top);
    if (top.tag !== TAG.SEQUENCE || items.length !== 2) throw bad('RSAPublicKey is not SEQUENCE { modulus, publicExponent }');
    n = magnitude(bits, items[0], 'RSA modulus');
    e = magnitude(bits, items[1], 'RSA public exponent');
  } catch (err) {
    throw bad(`RSA key does not parse: ${(err as Error).message}`);
  }
  const nBits = bitLength(n);
  if (nBits < RSA_MIN_BITS || nBits > RSA_MAX_BITS) {
    throw bad(`got a ${nBits}-bit RSA modulus, want ${RSA_MIN_BITS} to ${RSA_MAX_BITS} bits`);
  }
  const eBits = bitLength(e);
  const eValue = eBits <= 31 ? e.readUIntBE(0, e.length) : Number.POSITIVE_INFINITY;
  if (eValue > RSA_MAX_EXPONENT || eValue < 3 || eValue % 2 === 0) {
    const shown = eBits <= 31 ? String(eValue) : `a ${eBits}-bit number`;
    throw bad(`got RSA public exponent ${shown}, want an odd number from 3 to 2^31-1 (as Go's crypto/rsa)`);
  }
}

/**
 * Checks `spki` (DER SubjectPublicKeyInfo) against the limits above without
 * loading it; returns the key kind. Throws X509Error UNSUPPORTED_KEY.
 */
export function checkVerificationKey(spki: Buffer): KeyKind {
  let oid: string;
  let params: Element | undefined;
  let key: Buffer;
  try {
    const top = readWhole(spki, 'SubjectPublicKeyInfo');
    const [alg, bitString, ...rest] = children(spki, top);
    if (!alg || alg.tag !== TAG.SEQUENCE || !bitString || bitString.tag !== TAG.BIT_STRING || rest.length > 0) {
      throw bad('not SEQUENCE { AlgorithmIdentifier, BIT STRING }');
    }
    const [id, p, ...more] = children(spki, alg);
    if (!id || id.tag !== TAG.OID || more.length > 0) throw bad('AlgorithmIdentifier is not SEQUENCE { OID, parameters }');
    oid = oidText(spki, id);
    params = p;
    const b = contents(spki, bitString);
    if (b.length < 1 || b[0] !== 0) throw bad('subjectPublicKey has unused bits');
    key = b.subarray(1);
  } catch (err) {
    if (err instanceof X509Error && err.code === 'UNSUPPORTED_KEY') throw err;
    throw bad(`SubjectPublicKeyInfo does not parse: ${(err as Error).message}`);
  }
  switch (oid) {
    case OID_RSA:
    case OID_RSASSA_PSS:
      checkRsa(key);
      return 'rsa';
    case OID_EC: {
      const curve = params?.tag === TAG.OID ? CURVES[oidText(spki, params)] : undefined;
      if (!curve) throw bad('got an EC key that is not on P-224, P-256, P-384 or P-521 by name, want a named curve (RFC 5480 §2.1.1)');
      return 'ec';
    }
    case OID_ED25519:
      if (params) throw bad('Ed25519 key with parameters, want none (RFC 8410 §3)');
      return 'ed25519';
    default:
      throw bad(`public key algorithm ${oid} is not supported, want RSA, ECDSA or Ed25519`);
  }
}

/**
 * Issuer public keys by SPKI, each checked (checkVerificationKey) and loaded
 * once, so a busy intermediate's key is parsed once. Bounded; evicts the
 * oldest entry. Safe to share between concurrent requests (synchronous).
 */
export class PublicKeyCache {
  readonly #max: number;
  readonly #keys = new Map<string, KeyObject>();
  constructor(max = 1024) {
    this.#max = max;
  }

  /** The loaded key; X509Error UNSUPPORTED_KEY when it is outside the limits or does not load. */
  get(spki: Buffer): KeyObject {
    const id = spki.toString('base64');
    let k = this.#keys.get(id);
    if (!k) {
      checkVerificationKey(spki);
      try {
        k = createPublicKey({ key: spki, format: 'der', type: 'spki' });
      } catch (err) {
        throw new X509Error('UNSUPPORTED_KEY', `public key does not load: ${(err as Error).message}`, { cause: err });
      }
      this.#keys.set(id, k);
      if (this.#keys.size > this.#max) this.#keys.delete(this.#keys.keys().next().value as string);
    }
    return k;
  }
}
