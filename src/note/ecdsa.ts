/**
 * ECDSA note signatures, type 0x02, "as implemented by
 * github.com/transparency-dev/witness" (c2sp.org/signed-note §Signature
 * types), used by Rekor and the Pixel binary transparency log:
 *
 *   vkey material = 0x02 || DER SPKI
 *   key ID        = SHA-256(DER SPKI)[:4]        (the name is NOT hashed)
 *   signature     = ASN.1 DER ECDSA signature over SHA-256(note text)
 *
 * The spec allows P-256, P-384 and P-521; Grapevine verifies the curves that
 * src/crypto supports (P-256) and rejects the others as BAD_KEY.
 */
import { encodeBase64 } from '../codec/index.ts';
import { type PublicKey, parsePublicKey, verifySignature } from '../crypto/index.ts';
import { NoteError } from './errors.ts';
import { checkKeyName, ecdsaKeyId, formatKeyId, SignatureType } from './keys.ts';
import type { NoteVerifier } from './verifier.ts';

export function ecdsaVerifier(name: string, spki: Uint8Array): NoteVerifier {
  checkKeyName(name);
  let key: PublicKey;
  try {
    key = parsePublicKey(spki);
  } catch (err) {
    throw new NoteError('BAD_KEY', 'ECDSA vkey: SPKI does not parse', { cause: err });
  }
  if (key.type !== 'ecdsa-p256') throw new NoteError('BAD_KEY', `ECDSA vkey: got a ${key.type} key, want ecdsa-p256`);
  const keyId = ecdsaKeyId(spki);
  const ok = Object.freeze({});
  return Object.freeze({
    name,
    keyId,
    type: SignatureType.ECDSA,
    vkey: `${name}+${formatKeyId(keyId)}+${encodeBase64(Buffer.concat([Buffer.of(SignatureType.ECDSA), spki]))}`,
    verify(text: Buffer, signature: Buffer) {
      try {
        return verifySignature(key, text, signature) ? ok : null;
      } catch {
        return null;
      }
    },
  });
}
