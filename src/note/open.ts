/**
 * Note verification: the verdict rules of c2sp.org/signed-note §Signatures,
 * in the shape of golang.org/x/mod/sumdb/note.Open.
 *
 * - A signature whose (name, key ID) pair matches no verifier is ignored
 *   ("Verifiers MUST ignore signatures from unknown keys, even if they share a
 *   name or ID (but not both) with a known key") and reported as unverified.
 * - A signature from a known key MUST be verified; if it fails, the whole note
 *   is rejected (the spec's SHOULD, Go's InvalidSignatureError): BAD_SIGNATURE.
 * - If no known key's signature verified, the note is rejected (MUST):
 *   NO_VERIFIED_SIGNATURE.
 *
 * One deliberate difference from Go: Go verifies only the first of several
 * signatures by one known key and skips the rest unchecked; we verify every
 * one (the spec's "MUST verify"), so a bad duplicate rejects the note.
 * Duplicates are still reported once.
 */
import { NoteError } from './errors.ts';
import type { SignatureType } from './keys.ts';
import { keyLabel, type Note, type NoteSignature, parseNote } from './note.ts';
import type { NoteVerifier, SignatureInfo } from './verifier.ts';

/** A signature that a configured key verified. */
export interface VerifiedSignature extends NoteSignature, SignatureInfo {
  readonly type: SignatureType;
  readonly verifier: NoteVerifier;
}

/** A note whose signatures were checked and which passed the verdict rules. */
export interface VerifiedNote {
  readonly text: string;
  /** In note order, one per key. Never empty. */
  readonly verified: readonly VerifiedSignature[];
  /** Signatures from unknown keys, in note order, identical lines once. */
  readonly unverified: readonly NoteSignature[];
}

const mapKey = (name: string, keyId: number) => `${name}\n${keyId}`;

/**
 * A set of trusted verifiers, looked up by (name, key ID). Construction
 * rejects two different keys with the same pair (AMBIGUOUS_KEY), which Go
 * only reports when such a signature shows up; the same vkey twice is fine.
 */
export class VerifierSet {
  readonly #byKey = new Map<string, NoteVerifier>();

  constructor(verifiers: Iterable<NoteVerifier> = []) {
    for (const v of verifiers) {
      const k = mapKey(v.name, v.keyId);
      const have = this.#byKey.get(k);
      if (have && have.vkey !== v.vkey) {
        throw new NoteError('AMBIGUOUS_KEY', `two verifiers for key ${keyLabel(v.name, v.keyId)}: ${have.vkey} and ${v.vkey}`);
      }
      this.#byKey.set(k, v);
    }
    Object.freeze(this);
  }

  get size(): number {
    return this.#byKey.size;
  }

  get(name: string, keyId: number): NoteVerifier | undefined {
    return this.#byKey.get(mapKey(name, keyId));
  }

  [Symbol.iterator](): IterableIterator<NoteVerifier> {
    return this.#byKey.values();
  }
}

function asSet(verifiers: VerifierSet | Iterable<NoteVerifier>): VerifierSet {
  return verifiers instanceof VerifierSet ? verifiers : new VerifierSet(verifiers);
}

/**
 * Checks one signature against the note text. Unlike `openNote`, an unknown
 * key is an error here (UNKNOWN_KEY): use it for signatures that must come
 * from a known key, such as cosignature lines returned by a witness.
 */
export function verifyNoteSignature(
  text: string | Buffer,
  sig: NoteSignature,
  verifiers: VerifierSet | Iterable<NoteVerifier>,
): VerifiedSignature {
  const v = asSet(verifiers).get(sig.name, sig.keyId);
  if (!v) throw new NoteError('UNKNOWN_KEY', `no verifier for key ${keyLabel(sig.name, sig.keyId)}`);
  return check(typeof text === 'string' ? Buffer.from(text, 'utf8') : text, sig, v);
}

function check(text: Buffer, sig: NoteSignature, v: NoteVerifier): VerifiedSignature {
  const info = v.verify(text, sig.signature);
  if (!info) throw new NoteError('BAD_SIGNATURE', `invalid signature for key ${keyLabel(sig.name, sig.keyId)}`);
  return Object.freeze({ ...sig, ...info, type: v.type, verifier: v });
}

/** Applies the verdict rules to an already parsed note. */
export function verifyNote(note: Note, verifiers: VerifierSet | Iterable<NoteVerifier>): VerifiedNote {
  const set = asSet(verifiers);
  const text = Buffer.from(note.text, 'utf8');
  const verified: VerifiedSignature[] = [];
  const unverified: NoteSignature[] = [];
  const seenKnown = new Set<string>();
  const seenUnknown = new Set<string>();
  for (const sig of note.signatures) {
    const v = set.get(sig.name, sig.keyId);
    if (!v) {
      const line = `${mapKey(sig.name, sig.keyId)}\n${sig.signature.toString('base64')}`;
      if (!seenUnknown.has(line)) unverified.push(sig);
      seenUnknown.add(line);
      continue;
    }
    const ok = check(text, sig, v);
    const k = mapKey(sig.name, sig.keyId);
    if (!seenKnown.has(k)) verified.push(ok);
    seenKnown.add(k);
  }
  if (verified.length === 0) {
    const names = note.signatures.map((s) => keyLabel(s.name, s.keyId)).join(', ');
    throw new NoteError('NO_VERIFIED_SIGNATURE', `note has no signature from a known key (signed by: ${names})`);
  }
  return Object.freeze({ text: note.text, verified: Object.freeze(verified), unverified: Object.freeze(unverified) });
}

/**
 * Parses and verifies a signed note (Go's `note.Open`). Throws NoteError:
 * MALFORMED (syntax), BAD_SIGNATURE (a known key's signature fails),
 * NO_VERIFIED_SIGNATURE (no known key signed), AMBIGUOUS_KEY (bad verifier list).
 */
export function openNote(msg: string | Uint8Array, verifiers: VerifierSet | Iterable<NoteVerifier>): VerifiedNote {
  return verifyNote(parseNote(msg), verifiers);
}
