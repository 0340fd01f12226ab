/**
 * Keys and signatures on node:crypto (issue #2, item 4). Pure: no I/O, no clock.
 *
 * Keys are parsed and validated once (keys.ts) into objects holding a
 * KeyObject; signing (sign.ts), TLS DigitallySigned (digitally-signed.ts),
 * RFC 6962 log IDs (logid.ts) and STH verification (sth.ts) reuse them.
 */
export {
  digitallySignedAlgorithm,
  type SignatureAndHashAlgorithm,
  signDigitallySigned,
  verifyDigitallySigned,
} from './digitally-signed.ts';
export { KeyError, type KeyErrorCode, SignatureError, type SignatureErrorCode } from './errors.ts';
export {
  ed25519PublicKeyBytes,
  ed25519PublicKeyFromBytes,
  exportPrivateKeyDer,
  exportPrivateKeyPem,
  exportPublicKeyPem,
  generatePrivateKey,
  keyTypeOf,
  parsePrivateKey,
  parsePublicKey,
  privateKeyFromKeyObject,
  publicKeyFromKeyObject,
} from './keys.ts';
export { rfc6962LogId } from './logid.ts';
export { decodePem, encodePem, type PemBlock } from './pem.ts';
export { signerFromPrivateKey, verifySignature } from './sign.ts';
export { signSth, verifySth } from './sth.ts';
export type { KeyType, PrivateKey, PublicKey, Signer } from './types.ts';
