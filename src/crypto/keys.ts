/**
 * Loading, generating and exporting keys on node:crypto.
 *
 * Accepted encodings:
 * - public: PEM `PUBLIC KEY` (SPKI, RFC 5280 §4.1) or `RSA PUBLIC KEY`
 *   (PKCS#1, RFC 8017 §A.1.1); raw DER SPKI bytes; a base64 string of DER SPKI
 *   (the form CT log lists and the Gossip Hub's get-source-keys use);
 * - private: PEM `PRIVATE KEY` (PKCS#8, RFC 5208), `EC PRIVATE KEY` (SEC1,
 *   RFC 5915, optionally after an `EC PARAMETERS` block as `openssl ecparam
 *   -genkey` writes), `RSA PRIVATE KEY` (PKCS#1); or the same as raw DER.
 *
 * Every key is checked once, here: ECDSA only on P-256 (RFC 6962 §2.1.4 names
 * "ECDSA with NIST P-256" and RSA; P-384 and friends are KeyError WRONG_CURVE),
 * Ed25519, RSA of 2048..8192 bits with an odd exponent ≥ 3. Trailing bytes after
 * the DER (which OpenSSL ignores) are KeyError MALFORMED_KEY, and a public key
 * must be canonical DER, because its exact bytes define the RFC 6962 log ID.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { decodeBase64 } from '../codec/encoding.ts';
import { KeyError } from './errors.ts';
import { decodePem, derElementLength, encodePem, looksLikePem } from './pem.ts';
import type { KeyType, PrivateKey, PublicKey } from './types.ts';

const PRIVATE_LABELS = new Set(['PRIVATE KEY', 'EC PRIVATE KEY', 'RSA PRIVATE KEY', 'ENCRYPTED PRIVATE KEY']);
const PUBLIC_LABELS = new Set(['PUBLIC KEY', 'RSA PUBLIC KEY']);
const RSA_MIN_BITS = 2048;
/** Above this, verification becomes a denial-of-service lever and no log uses such keys. */
const RSA_MAX_BITS = 8192;
/** Ed25519 SPKI is a fixed 12-byte header then the 32-byte key (RFC 8410 §4). */
const ED25519_SPKI_HEADER = Buffer.from('302a300506032b6570032100', 'hex');

/** Validates a node:crypto key's algorithm and parameters and returns Grapevine's name for it. */
export function keyTypeOf(key: KeyObject): KeyType {
  const t = key.asymmetricKeyType;
  if (t === 'ed25519') return 'ed25519';
  if (t === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    if (curve !== 'prime256v1') {
      throw new KeyError('WRONG_CURVE', `got an EC key on ${curve ?? 'explicit curve parameters'}, want P-256 (prime256v1)`);
    }
    return 'ecdsa-p256';
  }
  if (t === 'rsa') {
    const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
    const e = key.asymmetricKeyDetails?.publicExponent ?? 0n;
    if (bits < RSA_MIN_BITS) throw new KeyError('WEAK_KEY', `got a ${bits}-bit RSA key, want at least ${RSA_MIN_BITS} bits`);
    if (bits > RSA_MAX_BITS) throw new KeyError('UNSUPPORTED_KEY', `got a ${bits}-bit RSA key, want at most ${RSA_MAX_BITS} bits`);
    if (e < 3n || e % 2n === 0n) throw new KeyError('WEAK_KEY', `got RSA public exponent ${e}, want an odd exponent ≥ 3`);
    return 'rsa';
  }
  throw new KeyError('UNSUPPORTED_KEY', `got a ${t ?? 'non-asymmetric'} key, want ECDSA P-256, Ed25519 or RSA`);
}

/** Wraps an already-created node:crypto public KeyObject (validated like any other input). */
export function publicKeyFromKeyObject(key: KeyObject): PublicKey {
  if (key.type !== 'public') throw new KeyError('WRONG_KEY_KIND', `got a ${key.type} KeyObject, want a public key`);
  const type = keyTypeOf(key);
  return Object.freeze({ type, key, spki: key.export({ type: 'spki', format: 'der' }) });
}

/** Wraps an already-created node:crypto private KeyObject. */
export function privateKeyFromKeyObject(key: KeyObject): PrivateKey {
  if (key.type !== 'private') throw new KeyError('WRONG_KEY_KIND', `got a ${key.type} KeyObject, want a private key`);
  const publicKey = publicKeyFromKeyObject(createPublicKey(key));
  return Object.freeze({ type: publicKey.type, key, publicKey });
}

function checkDerFraming(der: Buffer): void {
  const len = derElementLength(der);
  if (len !== der.length) {
    throw new KeyError('MALFORMED_KEY', `DER key: got ${der.length} bytes, its header says ${len < 0 ? 'nothing valid' : len}`);
  }
}

function publicFromDer(der: Buffer, type: 'spki' | 'pkcs1'): PublicKey {
  checkDerFraming(der);
  let key: KeyObject;
  try {
    key = createPublicKey({ key: der, format: 'der', type });
  } catch (err) {
    if (privateFromDerOrUndefined(der)) throw new KeyError('WRONG_KEY_KIND', 'got a private key, want a public key');
    throw new KeyError('MALFORMED_KEY', `not a DER ${type === 'spki' ? 'SubjectPublicKeyInfo' : 'RSAPublicKey'}`, { cause: err });
  }
  const pub = publicKeyFromKeyObject(key);
  const canonical = type === 'spki' ? pub.spki : key.export({ type: 'pkcs1', format: 'der' });
  if (!canonical.equals(der)) {
    throw new KeyError('MALFORMED_KEY', 'public key DER is not canonical (it does not re-encode to the same bytes)');
  }
  return pub;
}

function privateFromDerOrUndefined(der: Buffer): KeyObject | undefined {
  for (const type of ['pkcs8', 'sec1', 'pkcs1'] as const) {
    try {
      return createPrivateKey({ key: der, format: 'der', type });
    } catch (err) {
      if ((err as { code?: string }).code === 'ERR_MISSING_PASSPHRASE') {
        throw new KeyError('ENCRYPTED_KEY', 'the private key is encrypted; decrypt it first', { cause: err });
      }
    }
  }
  return undefined;
}

function privateFromDer(der: Buffer, type?: 'pkcs8' | 'sec1' | 'pkcs1'): PrivateKey {
  checkDerFraming(der);
  let key: KeyObject | undefined;
  if (type) {
    try {
      key = createPrivateKey({ key: der, format: 'der', type });
    } catch (err) {
      throw new KeyError('MALFORMED_KEY', `not a DER ${type} private key`, { cause: err });
    }
  } else {
    key = privateFromDerOrUndefined(der);
  }
  if (key === undefined) {
    let isPublic = false;
    try {
      createPublicKey({ key: der, format: 'der', type: 'spki' });
      isPublic = true;
    } catch {
      // not a public key either
    }
    if (isPublic) throw new KeyError('WRONG_KEY_KIND', 'got a public key, want a private key');
    throw new KeyError('MALFORMED_KEY', 'not a DER PKCS#8, SEC1 or PKCS#1 private key');
  }
  return privateKeyFromKeyObject(key);
}

function asText(input: string | Uint8Array): string {
  return typeof input === 'string' ? input : Buffer.from(input).toString('utf8');
}

function fromBase64(s: string): Buffer {
  try {
    return decodeBase64(s.trim());
  } catch (err) {
    throw new KeyError('MALFORMED_KEY', 'got a string that is neither PEM nor base64 DER', { cause: err });
  }
}

function singleBlock(text: string, skip: ReadonlySet<string>): { label: string; der: Buffer } {
  const blocks = decodePem(text).filter((b) => !skip.has(b.label));
  if (blocks.length !== 1) throw new KeyError('MALFORMED_KEY', `got ${blocks.length} PEM key blocks, want 1`);
  return blocks[0];
}

/** Loads a public key from PEM, DER or base64 DER (see the file comment). Throws KeyError. */
export function parsePublicKey(input: string | Uint8Array): PublicKey {
  if (looksLikePem(input)) {
    const { label, der } = singleBlock(asText(input), new Set());
    if (label === 'PUBLIC KEY') return publicFromDer(der, 'spki');
    if (label === 'RSA PUBLIC KEY') return publicFromDer(der, 'pkcs1');
    if (PRIVATE_LABELS.has(label)) throw new KeyError('WRONG_KEY_KIND', `got PEM "${label}", want a public key`);
    throw new KeyError('UNSUPPORTED_KEY', `got PEM "${label}", want "PUBLIC KEY" or "RSA PUBLIC KEY"`);
  }
  const der = typeof input === 'string' ? fromBase64(input) : Buffer.from(input);
  return publicFromDer(der, 'spki');
}

/** Loads a private key from PEM, DER or base64 DER (see the file comment). Throws KeyError. */
export function parsePrivateKey(input: string | Uint8Array): PrivateKey {
  if (looksLikePem(input)) {
    // `openssl ecparam -genkey` writes the curve as a separate block before the key.
    const { label, der } = singleBlock(asText(input), new Set(['EC PARAMETERS']));
    if (label === 'PRIVATE KEY') return privateFromDer(der, 'pkcs8');
    if (label === 'EC PRIVATE KEY') return privateFromDer(der, 'sec1');
    if (label === 'RSA PRIVATE KEY') return privateFromDer(der, 'pkcs1');
    if (label === 'ENCRYPTED PRIVATE KEY') {
      throw new KeyError('ENCRYPTED_KEY', 'got an encrypted PKCS#8 key; decrypt it first (openssl pkey -in KEY -out PLAIN)');
    }
    if (PUBLIC_LABELS.has(label)) throw new KeyError('WRONG_KEY_KIND', `got PEM "${label}", want a private key`);
    throw new KeyError('UNSUPPORTED_KEY', `got PEM "${label}", want "PRIVATE KEY", "EC PRIVATE KEY" or "RSA PRIVATE KEY"`);
  }
  const der = typeof input === 'string' ? fromBase64(input) : Buffer.from(input);
  return privateFromDer(der);
}

/** A fresh key pair. RSA keys are 2048 bits with e = 65537. */
export function generatePrivateKey(type: KeyType): PrivateKey {
  let pair: { privateKey: KeyObject };
  if (type === 'ecdsa-p256') pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  else if (type === 'ed25519') pair = generateKeyPairSync('ed25519');
  else if (type === 'rsa') pair = generateKeyPairSync('rsa', { modulusLength: RSA_MIN_BITS });
  else throw new KeyError('UNSUPPORTED_KEY', `got key type ${String(type)}, want ecdsa-p256, ed25519 or rsa`);
  return privateKeyFromKeyObject(pair.privateKey);
}

/** PEM `PUBLIC KEY` (SPKI). */
export function exportPublicKeyPem(key: PublicKey): string {
  return encodePem('PUBLIC KEY', key.spki);
}

/** DER PKCS#8 (RFC 5208), unencrypted. */
export function exportPrivateKeyDer(key: PrivateKey): Buffer {
  return key.key.export({ type: 'pkcs8', format: 'der' });
}

/** PEM `PRIVATE KEY` (PKCS#8), unencrypted: protect the file, not the key. */
export function exportPrivateKeyPem(key: PrivateKey): string {
  return encodePem('PRIVATE KEY', exportPrivateKeyDer(key));
}

/** The raw 32-byte Ed25519 public key (RFC 8032 §5.1.5), as signed-note vkeys carry it. */
export function ed25519PublicKeyBytes(key: PublicKey): Buffer {
  if (key.type !== 'ed25519') throw new KeyError('UNSUPPORTED_KEY', `got a ${key.type} key, want ed25519`);
  if (key.spki.length !== 44 || !key.spki.subarray(0, 12).equals(ED25519_SPKI_HEADER)) {
    throw new KeyError('MALFORMED_KEY', 'Ed25519 SPKI does not have the RFC 8410 layout');
  }
  return key.spki.subarray(12);
}

/** Builds an Ed25519 public key from its raw 32 bytes. */
export function ed25519PublicKeyFromBytes(raw: Uint8Array): PublicKey {
  if (raw.length !== 32) throw new KeyError('MALFORMED_KEY', `Ed25519 public key: got ${raw.length} bytes, want 32`);
  return publicFromDer(Buffer.concat([ED25519_SPKI_HEADER, raw]), 'spki');
}
