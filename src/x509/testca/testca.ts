/**
 * A test certificate authority for tests and demos (never for production):
 * mints roots, intermediates, leaves, precertificates (RFC 6962 §3.1, with
 * the critical poison extension) and Precertificate Signing Certificates
 * (extended key usage 1.3.6.1.4.1.11129.2.4.4), built with @peculiar/x509
 * on node's WebCrypto.
 *
 * Every certificate gets a Subject Key Identifier, and every non-root an
 * Authority Key Identifier equal to its issuer's SKI (RFC 5280 §4.2.1.1), so
 * the precertificate TBS rewrite of RFC 6962 §3.2 has something to rewrite.
 * A precertificate and its final certificate minted from the same
 * `LeafSpec` have identical TBSCertificates apart from the poison extension
 * (and, via a signing certificate, issuer and AKI), which lets tests check
 * the rewrite against the certificate the CA would really issue.
 */
import 'reflect-metadata';
import { randomBytes, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { encodePem } from '../../crypto/index.ts';
import { DER_NULL, OID_CT_POISON, OID_CT_PRECERT_SIGNING } from '../oids.ts';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);
const subtle = webcrypto.subtle as unknown as SubtleCrypto;

export type TestKeyType = 'ecdsa-p256' | 'ecdsa-p384' | 'rsa-2048';

/** A minted certificate with its key pair. */
export interface TestCert {
  readonly cert: x509.X509Certificate;
  readonly der: Buffer;
  readonly keys: CryptoKeyPair;
  readonly keyType: TestKeyType;
  /** Hex SKI, used as the AKI of certificates this one issues. */
  readonly keyId: string;
}

export interface CertSpec {
  /** Distinguished name, e.g. "CN=Test Root, O=Grapevine". */
  readonly subject?: string;
  readonly keyType?: TestKeyType;
  /** Reuse a key pair (e.g. a precertificate and its final certificate share the leaf key). */
  readonly keys?: CryptoKeyPair;
  readonly serialNumber?: string;
  readonly notBefore?: Date;
  readonly notAfter?: Date;
  /** Appended after the standard extensions, for tests that need odd certificates. */
  readonly extraExtensions?: readonly x509.Extension[];
  /** Leave out the Authority Key Identifier. */
  readonly omitAuthorityKeyId?: boolean;
}

export interface LeafSpec extends CertSpec {
  readonly dnsNames?: readonly string[];
}

const KEY_ALGORITHMS: Record<TestKeyType, RsaHashedKeyGenParams | EcKeyGenParams> = {
  'ecdsa-p256': { name: 'ECDSA', namedCurve: 'P-256' } as EcKeyGenParams,
  'ecdsa-p384': { name: 'ECDSA', namedCurve: 'P-384' } as EcKeyGenParams,
  'rsa-2048': { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
};

const DAY = 86_400_000;

export async function generateTestKeys(type: TestKeyType = 'ecdsa-p256'): Promise<CryptoKeyPair> {
  return (await subtle.generateKey(KEY_ALGORITHMS[type], true, ['sign', 'verify'])) as CryptoKeyPair;
}

/** The WebCrypto signing algorithm for an issuer's key: SHA-256 always (RFC 6962 logs accept it everywhere). */
function signingAlgorithm(type: TestKeyType): Algorithm | EcdsaParams {
  return type === 'rsa-2048'
    ? ({ name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } as Algorithm)
    : ({ name: 'ECDSA', hash: 'SHA-256' } as EcdsaParams);
}

function serial(spec: CertSpec): string {
  if (spec.serialNumber) return spec.serialNumber;
  const b = randomBytes(16);
  b[0] &= 0x7f; // positive INTEGER (RFC 5280 §4.1.2.2)
  if (b[0] === 0) b[0] = 1;
  return b.toString('hex');
}

interface Issue {
  readonly spec: CertSpec;
  readonly subject: string;
  readonly issuer: TestCert | null;
  readonly extensions: x509.Extension[];
}

async function issue({ spec, subject, issuer, extensions }: Issue): Promise<TestCert> {
  const keyType = spec.keyType ?? 'ecdsa-p256';
  const keys = spec.keys ?? (await generateTestKeys(keyType));
  const ski = await x509.SubjectKeyIdentifierExtension.create(keys.publicKey);
  const exts: x509.Extension[] = [...extensions, ski];
  if (issuer && !spec.omitAuthorityKeyId) exts.push(new x509.AuthorityKeyIdentifierExtension(issuer.keyId));
  exts.push(...(spec.extraExtensions ?? []));
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(spec),
    subject,
    issuer: issuer ? issuer.cert.subject : subject,
    notBefore: spec.notBefore ?? new Date(now - DAY),
    notAfter: spec.notAfter ?? new Date(now + 90 * DAY),
    signingAlgorithm: signingAlgorithm(issuer ? issuer.keyType : keyType),
    publicKey: keys.publicKey,
    signingKey: issuer ? issuer.keys.privateKey : keys.privateKey,
    extensions: exts,
  });
  return { cert, der: Buffer.from(cert.rawData), keys, keyType, keyId: ski.keyId };
}

const CA_KEY_USAGE = x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature;

/** A self-signed root CA. */
export function mintRoot(spec: CertSpec = {}): Promise<TestCert> {
  return issue({
    spec,
    subject: spec.subject ?? 'CN=Grapevine Test Root, O=Grapevine Test CA',
    issuer: null,
    extensions: [new x509.BasicConstraintsExtension(true, undefined, true), new x509.KeyUsagesExtension(CA_KEY_USAGE, true)],
  });
}

/** An intermediate CA issued by `issuer`. */
export function mintIntermediate(issuer: TestCert, spec: CertSpec = {}): Promise<TestCert> {
  return issue({
    spec,
    subject: spec.subject ?? 'CN=Grapevine Test Intermediate, O=Grapevine Test CA',
    issuer,
    extensions: [new x509.BasicConstraintsExtension(true, 0, true), new x509.KeyUsagesExtension(CA_KEY_USAGE, true)],
  });
}

/**
 * A Precertificate Signing Certificate (RFC 6962 §3.1): a CA certificate,
 * issued by the CA that will issue the final certificates, whose extended
 * key usage is exactly the CT precertificate signing purpose.
 */
export function mintPrecertSigner(issuer: TestCert, spec: CertSpec = {}): Promise<TestCert> {
  return issue({
    spec,
    subject: spec.subject ?? 'CN=Grapevine Test Precertificate Signer, O=Grapevine Test CA',
    issuer,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(CA_KEY_USAGE, true),
      new x509.ExtendedKeyUsageExtension([OID_CT_PRECERT_SIGNING]),
    ],
  });
}

function leafExtensions(spec: LeafSpec, subjectCn: string): x509.Extension[] {
  const names = spec.dnsNames ?? [subjectCn];
  return [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
    new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
    new x509.SubjectAlternativeNameExtension(names.map((value) => ({ type: 'dns' as const, value }))),
  ];
}

function leafSubject(spec: LeafSpec): { subject: string; cn: string } {
  const cn = spec.dnsNames?.[0] ?? 'leaf.grapevine.test';
  return { subject: spec.subject ?? `CN=${cn}`, cn };
}

/** An end-entity (server) certificate. */
export function mintLeaf(issuer: TestCert, spec: LeafSpec = {}): Promise<TestCert> {
  const { subject, cn } = leafSubject(spec);
  return issue({ spec, subject, issuer, extensions: leafExtensions(spec, cn) });
}

/**
 * A precertificate (RFC 6962 §3.1): the leaf's fields plus the critical
 * poison extension (value ASN.1 NULL), signed by `issuer` — the final CA or
 * a Precertificate Signing Certificate.
 */
export function mintPrecert(issuer: TestCert, spec: LeafSpec = {}): Promise<TestCert> {
  const { subject, cn } = leafSubject(spec);
  return issue({
    spec: {
      ...spec,
      extraExtensions: [new x509.Extension(OID_CT_POISON, true, new Uint8Array(DER_NULL)), ...(spec.extraExtensions ?? [])],
    },
    subject,
    issuer,
    extensions: leafExtensions(spec, cn),
  });
}

/** PEM of a certificate (RFC 7468 "CERTIFICATE"). */
export function certificatePem(c: TestCert): string {
  return `${c.cert.toString('pem').trim()}\n`;
}

/** PKCS#8 PEM of a minted certificate's private key. */
export async function privateKeyPem(c: TestCert): Promise<string> {
  return encodePem('PRIVATE KEY', Buffer.from(await subtle.exportKey('pkcs8', c.keys.privateKey)));
}
