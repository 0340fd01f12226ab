/**
 * The obsolete pre-C2SP timestamped witness signature, type 0x03 (reserved
 * in c2sp.org/signed-note). Real notes still carry it, e.g. the 15081221
 * sum.golang.org checkpoint in testdata/signed-notes.json (Finding 5):
 *
 *   key ID    = SHA-256(name || 0x0A || 0x03 || 32-byte key)[:4]
 *   signature = LE64(timestamp) || Ed25519(0x00 || LE64(timestamp) || text)   (little-endian!)
 *
 * Notes name it only through a vkey of type 0x03, so a verifier that was not
 * given one treats such lines as unknown keys, as the spec requires. Verified
 * here only because it is cheap; nothing should require it.
 */
import { ED25519_SIGNATURE_SIZE, ed25519PublicKey, ed25519Verify, recommendedVkey } from './ed25519.ts';
import { checkKeyName, keyIdFor, SignatureType } from './keys.ts';
import type { NoteVerifier } from './verifier.ts';

const TIMESTAMP_SIZE = 8;

export function legacyWitnessVerifier(name: string, raw: Uint8Array): NoteVerifier {
  checkKeyName(name);
  const key = ed25519PublicKey(raw);
  return Object.freeze({
    name,
    keyId: keyIdFor(name, SignatureType.LegacyWitness, raw),
    type: SignatureType.LegacyWitness,
    vkey: recommendedVkey(name, SignatureType.LegacyWitness, raw),
    verify(text: Buffer, signature: Buffer) {
      if (signature.length !== TIMESTAMP_SIZE + ED25519_SIGNATURE_SIZE) return null;
      const le = signature.subarray(0, TIMESTAMP_SIZE);
      const message = Buffer.concat([Buffer.of(0x00), le, text]);
      if (!ed25519Verify(key, message, signature.subarray(TIMESTAMP_SIZE))) return null;
      const t = le.readBigUInt64LE(0);
      return t <= BigInt(Number.MAX_SAFE_INTEGER) ? Object.freeze({ time: Number(t) }) : null;
    },
  });
}
