/**
 * Certificates the test CA cannot mint, built from DER parts for tests:
 * keys outside the log's limits, BER re-encodings of real certificates, and
 * ECDSA signatures rewritten as (r, n − s). Test-only.
 */
import { randomBytes } from 'node:crypto';
import { children, context, encodeElement, readWhole, TAG } from '../../src/x509/der.ts';

const seq = (...parts: Uint8Array[]) => encodeElement(TAG.SEQUENCE, ...parts);

/** DER OBJECT IDENTIFIER (X.690 §8.19) from dotted text. */
export function oid(dotted: string): Buffer {
  const [a, b, ...rest] = dotted.split('.').map(BigInt);
  const out: number[] = [];
  for (const v of [a * 40n + b, ...rest]) {
    const groups = [Number(v & 0x7fn)];
    for (let x = v >> 7n; x > 0n; x >>= 7n) groups.unshift(Number(x & 0x7fn) | 0x80);
    out.push(...groups);
  }
  return encodeElement(TAG.OID, Buffer.from(out));
}

/** DER INTEGER of a non-negative big-endian magnitude (a 0x00 in front when the top bit is set). */
export function uint(magnitude: Uint8Array): Buffer {
  let m = Buffer.from(magnitude);
  while (m.length > 1 && m[0] === 0) m = m.subarray(1);
  return encodeElement(TAG.INTEGER, m[0] & 0x80 ? Buffer.concat([Buffer.from([0]), m]) : m);
}

/** Name with one CN (UTF8String). */
export function cnName(cn: string): Buffer {
  return seq(encodeElement(TAG.SET, seq(oid('2.5.4.3'), encodeElement(TAG.UTF8_STRING, Buffer.from(cn)))));
}

/** SubjectPublicKeyInfo of an RSA key with this modulus and exponent (RFC 3279 §2.3.1), whatever their sizes. */
export function rsaSpki(modulus: Uint8Array, exponent: Uint8Array): Buffer {
  const key = seq(uint(modulus), uint(exponent));
  return seq(seq(oid('1.2.840.113549.1.1.1'), encodeElement(TAG.NULL)), encodeElement(TAG.BIT_STRING, Buffer.from([0]), key));
}

/** An odd number of exactly `bits` bits, big-endian. */
export function oddNumber(bits: number): Buffer {
  const b = randomBytes(Math.ceil(bits / 8));
  const top = bits % 8 || 8;
  b[0] = (b[0] & ((1 << top) - 1)) | (1 << (top - 1));
  b[b.length - 1] |= 1;
  return b;
}

export const SHA256_WITH_RSA = seq(oid('1.2.840.113549.1.1.11'), encodeElement(TAG.NULL));
export const ECDSA_WITH_SHA256 = seq(oid('1.2.840.10045.4.3.2'));

export interface ForgeSpec {
  /** A CN, or a whole DER Name (to name a real CA). */
  readonly issuer: string | Buffer;
  readonly subject: string | Buffer;
  readonly spki: Buffer;
  /** Adds a critical basicConstraints cA=TRUE. */
  readonly ca?: boolean;
  /** AlgorithmIdentifier DER (default sha256WithRSAEncryption). */
  readonly algorithm?: Buffer;
  /** The signature over the TBS; default: 384 random bytes (never verifies, costs a verification all the same). */
  readonly sign?: (tbs: Buffer) => Buffer;
}

/** A v3 certificate (RFC 5280 §4.1) from the spec, valid 2025–2035. */
export function forgeCertificate(spec: ForgeSpec): Buffer {
  const alg = spec.algorithm ?? SHA256_WITH_RSA;
  const time = (t: string) => encodeElement(TAG.UTC_TIME, Buffer.from(t));
  const exts = spec.ca
    ? [
        encodeElement(
          context(3, true),
          seq(
            seq(
              oid('2.5.29.19'),
              encodeElement(TAG.BOOLEAN, Buffer.from([0xff])),
              encodeElement(TAG.OCTET_STRING, seq(encodeElement(TAG.BOOLEAN, Buffer.from([0xff])))),
            ),
          ),
        ),
      ]
    : [];
  const tbs = seq(
    encodeElement(context(0, true), uint(Buffer.from([2]))),
    uint(randomBytes(12)),
    alg,
    typeof spec.issuer === 'string' ? cnName(spec.issuer) : spec.issuer,
    seq(time('250101000000Z'), time('350101000000Z')),
    typeof spec.subject === 'string' ? cnName(spec.subject) : spec.subject,
    spec.spki,
    ...exts,
  );
  const signature = spec.sign ? spec.sign(tbs) : randomBytes(384);
  return seq(tbs, alg, encodeElement(TAG.BIT_STRING, Buffer.from([0]), signature));
}

/** The certificate `der` with its TBSCertificate replaced and signed again by `sign`. */
export function withTbs(der: Buffer, tbs: Buffer, sign: (tbs: Buffer) => Buffer): Buffer {
  const [, alg] = children(der, readWhole(der, 'Certificate')).map((e) => der.subarray(e.start, e.end));
  return seq(tbs, alg, encodeElement(TAG.BIT_STRING, Buffer.from([0]), sign(tbs)));
}

/** The TBSCertificate bytes of `der`. */
export function tbsOf(der: Buffer): Buffer {
  const [tbs] = children(der, readWhole(der, 'Certificate'));
  return der.subarray(tbs.start, tbs.end);
}

/** `der` with its outer SEQUENCE length written in one octet more than needed (BER, not DER: X.690 §10.1). */
export function longFormOuterLength(der: Buffer): Buffer {
  const n = der[1] & 0x7f;
  const len = der.readUIntBE(2, n);
  const header = Buffer.alloc(3 + n);
  header[0] = 0x30;
  header[1] = 0x80 | (n + 1);
  header.writeUIntBE(len, 3, n);
  return Buffer.concat([header, der.subarray(2 + n)]);
}

/** P-256 group order n (SEC 2 §2.4.2). */
const P256_N = BigInt('0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551');

const toBytes = (v: bigint) => Buffer.from(v.toString(16).padStart(2 * Math.ceil(v.toString(16).length / 2), '0'), 'hex');

/**
 * `der` (ECDSA P-256 signed) with its signature value rewritten: ECDSA-Sig-Value (r, s) becomes (r, n − s),
 * which verifies as well (ECDSA signatures are malleable), or (r with a redundant leading 0x00, s).
 */
export function rewriteEcdsaSignature(der: Buffer, how: 'negate-s' | 'pad-r'): Buffer {
  const [tbs, alg, sig] = children(der, readWhole(der, 'Certificate'));
  const value = der.subarray(sig.body + 1, sig.end);
  const [r, s] = children(value, readWhole(value, 'ECDSA-Sig-Value'));
  const rBytes = value.subarray(r.body, r.end);
  const sBytes = value.subarray(s.body, s.end);
  const newValue =
    how === 'negate-s'
      ? seq(uint(rBytes), uint(toBytes(P256_N - BigInt(`0x${sBytes.toString('hex')}`))))
      : seq(encodeElement(TAG.INTEGER, Buffer.concat([Buffer.from([0]), rBytes])), uint(sBytes));
  return seq(der.subarray(tbs.start, tbs.end), der.subarray(alg.start, alg.end), encodeElement(TAG.BIT_STRING, Buffer.from([0]), newValue));
}
