/**
 * Go's signer key encoding (golang.org/x/mod/sumdb/note `NewSigner`,
 * `GenerateKey`), which witness and log tooling exchange:
 *
 *   PRIVATE+KEY+<name>+<8 hex digits: key ID of the PUBLIC key>+base64(<type> || 32-byte Ed25519 seed)
 *
 * Type 0x01 makes an Ed25519 note signer; a 0x01 or 0x04 key can also make a
 * cosignature/v1 cosigner (as transparency-dev/formats
 * `NewSignerForCosignatureV1` allows). The key ID is checked against the
 * public key derived from the seed. Error messages never echo the secret.
 */
import { decodeBase64, encodeBase64 } from '../codec/index.ts';
import { parsePrivateKey, type Signer, signerFromPrivateKey } from '../crypto/index.ts';
import { type CosignerV1, cosignatureV1Signer } from './cosignature.ts';
import { ed25519NoteSigner, rawEd25519Key } from './ed25519.ts';
import { NoteError } from './errors.ts';
import { formatKeyId, isValidKeyName, keyIdFor, SignatureType } from './keys.ts';
import type { NoteSigner } from './verifier.ts';

const HEX8 = /^[0-9a-fA-F]{8}$/;
const SEED_SIZE = 32;
// PKCS#8 PrivateKeyInfo prefix for an Ed25519 seed (RFC 8410 §7): version 0, OID 1.3.101.112, OCTET STRING { OCTET STRING seed }.
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

export interface Skey {
  readonly name: string;
  readonly keyId: number;
  readonly type: SignatureType;
  /** A crypto Signer over the seed's Ed25519 key. */
  readonly signer: Signer;
}

function bad(why: string, cause?: unknown): NoteError {
  return new NoteError('BAD_KEY', `signer key: ${why}`, cause === undefined ? undefined : { cause });
}

/** A crypto Signer for the Ed25519 key with this 32-byte RFC 8032 seed. */
export function ed25519SignerFromSeed(seed: Uint8Array): Signer {
  if (seed.length !== SEED_SIZE) throw bad(`got a ${seed.length}-byte seed, want ${SEED_SIZE}`);
  try {
    return signerFromPrivateKey(parsePrivateKey(Buffer.concat([PKCS8_PREFIX, seed])));
  } catch (err) {
    throw bad('seed does not make an Ed25519 key', err);
  }
}

/** Parses a Go signer key and checks its key ID. Throws NoteError BAD_KEY (UNSUPPORTED_ALGORITHM for other types). */
export function parseSkey(skey: string): Skey {
  const parts: string[] = [];
  let rest = skey;
  for (let i = 0; i < 4; i++) {
    const p = rest.indexOf('+');
    if (p < 0) throw bad('want PRIVATE+KEY+<name>+<key ID>+<base64 key>');
    parts.push(rest.slice(0, p));
    rest = rest.slice(p + 1);
  }
  const [priv, key, name, hex] = parts;
  if (priv !== 'PRIVATE' || key !== 'KEY') throw bad('does not start with PRIVATE+KEY+');
  if (!isValidKeyName(name)) throw bad(`invalid key name ${JSON.stringify(name)}`);
  if (!HEX8.test(hex)) throw bad('key ID is not 8 hex digits');
  let material: Buffer;
  try {
    material = decodeBase64(rest);
  } catch (err) {
    throw bad('key is not canonical padded base64', err);
  }
  const type = material[0] as SignatureType;
  if (type !== SignatureType.Ed25519 && type !== SignatureType.CosignatureV1) {
    throw new NoteError('UNSUPPORTED_ALGORITHM', `signer key ${name}: type ${type} is not supported`);
  }
  const signer = ed25519SignerFromSeed(material.subarray(1));
  const keyId = Number.parseInt(hex, 16);
  const want = keyIdFor(name, type, rawEd25519Key(signer.publicKey));
  if (keyId !== want) throw bad(`got key ID ${formatKeyId(keyId)}, want ${formatKeyId(want)} computed from the key`);
  return Object.freeze({ name, keyId, type, signer });
}

/** An Ed25519 note signer (type 0x01) from a Go signer key. */
export function noteSignerFromSkey(skey: string): NoteSigner & { readonly vkey: string } {
  const k = parseSkey(skey);
  if (k.type !== SignatureType.Ed25519) throw bad(`got type ${k.type}, want an Ed25519 (0x01) key`);
  return ed25519NoteSigner(k.name, k.signer);
}

/** A cosignature/v1 cosigner from a Go signer key of type 0x01 or 0x04 (the key ID of the result is the 0x04 one). */
export function cosignerFromSkey(skey: string): CosignerV1 {
  const k = parseSkey(skey);
  return cosignatureV1Signer(k.name, k.signer);
}

/** Formats a Go signer key for `name` from a 32-byte Ed25519 seed; `type` is 0x01 (default) or 0x04. */
export function formatSkey(name: string, seed: Uint8Array, type: SignatureType = SignatureType.Ed25519): string {
  if (!isValidKeyName(name)) throw bad(`invalid key name ${JSON.stringify(name)}`);
  const id = keyIdFor(name, type, rawEd25519Key(ed25519SignerFromSeed(seed).publicKey));
  return `PRIVATE+KEY+${name}+${formatKeyId(id)}+${encodeBase64(Buffer.concat([Buffer.of(type), seed]))}`;
}
