/**
 * Signed notes (c2sp.org/signed-note), the envelope of checkpoints,
 * cosignatures and CT-bridged tree heads. Pure: no I/O, no clock.
 *
 * ## Verdict rules (`openNote` / `verifyNote`)
 *
 * Modelled on golang.org/x/mod/sumdb/note.Open, with the spec's MUSTs:
 *
 * 1. MALFORMED — a syntax error anywhere: invalid UTF-8, an ASCII control
 *    character other than "\n", no blank line, a signature block that is
 *    empty or does not end in "\n", a line that is not
 *    `— <name> <base64(keyID[4] || sig)>`, an invalid key name, non-canonical
 *    base64, fewer than 5 signature bytes, or more than 100 signature lines.
 *    Nothing is verified in a malformed note.
 * 2. A signature line is matched to a configured key by the pair
 *    (key name, key ID). No match — even if the name alone or the ID alone
 *    matches — means "unknown key": the line is ignored (reported in
 *    `unverified`), never an error. This is what lets notes carry
 *    cosignatures from witnesses the verifier does not know, and obsolete
 *    formats such as the type-0x03 witness signature.
 * 3. A signature from a configured key MUST be verified; if any fails, the
 *    whole note is rejected: BAD_SIGNATURE. (Every such signature is checked,
 *    also duplicates, where Go checks only the first per key.)
 * 4. If no configured key's signature verified: NO_VERIFIED_SIGNATURE.
 * 5. Otherwise the note is valid; `verified` lists one signature per key, with
 *    the timestamp carried by cosignatures (type 0x04: `time`, POSIX seconds)
 *    and RFC 6962 signatures (type 0x05: `timestampMs`).
 *
 * Configuration errors are separate: a vkey whose key ID does not recompute
 * or whose key is malformed is BAD_KEY (at parse time, not at verify time);
 * two different keys with one (name, key ID) are AMBIGUOUS_KEY; a type we
 * cannot verify (0x06 ML-DSA-44, 0xff) is UNSUPPORTED_ALGORITHM.
 *
 * ## Signature types (c2sp.org/signed-note §Signature types)
 *
 * | type | module              | signs                                                             |
 * |------|---------------------|-------------------------------------------------------------------|
 * | 0x01 | ed25519.ts          | the note text                                                     |
 * | 0x02 | ecdsa.ts            | SHA-256 of the text (key ID = SHA-256(SPKI)[:4], Rekor)           |
 * | 0x03 | legacy-witness.ts   | 0x00 ‖ LE64(t) ‖ text (obsolete; only with an explicit 0x03 vkey) |
 * | 0x04 | cosignature.ts      | "cosignature/v1\ntime <t>\n" ‖ text (c2sp.org/tlog-cosignature)   |
 * | 0x05 | rfc6962.ts          | the RFC 6962 TreeHeadSignature; text must be exactly origin/size/root with origin = key name |
 */
export {
  COSIGNATURE_V1_SIZE,
  type CosignerV1,
  cosignatureV1Message,
  cosignatureV1Signer,
  cosignatureV1Time,
  cosignatureV1Verifier,
} from './cosignature.ts';
export { ecdsaVerifier } from './ecdsa.ts';
export { ed25519NoteSigner, ed25519PublicKey, ed25519Verifier, rawEd25519Key, recommendedVkey } from './ed25519.ts';
export { NoteError, type NoteErrorCode } from './errors.ts';
export {
  ecdsaKeyId,
  formatKeyId,
  isValidKeyName,
  keyIdFor,
  rfc6962KeyId,
  SignatureType,
} from './keys.ts';
export { legacyWitnessVerifier } from './legacy-witness.ts';
export {
  checkNoteText,
  formatNote,
  formatSignatureLine,
  keyLabel,
  MAX_SIGNATURES,
  type Note,
  type NoteSignature,
  parseNote,
  parseSignatureLine,
} from './note.ts';
export {
  openNote,
  type VerifiedNote,
  type VerifiedSignature,
  VerifierSet,
  verifyNote,
  verifyNoteSignature,
} from './open.ts';
export { parseRfc6962NoteSignature, rfc6962NoteSignature, rfc6962Verifier } from './rfc6962.ts';
export { addSignatures, signNote, signText } from './sign.ts';
export { cosignerFromSkey, ed25519SignerFromSeed, formatSkey, noteSignerFromSkey, parseSkey, type Skey } from './skey.ts';
export type { NoteSigner, NoteVerifier, SignatureInfo } from './verifier.ts';
export { formatVkey, parseVkey, type Vkey, verifierFromVkey } from './vkey.ts';
