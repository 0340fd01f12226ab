/**
 * Signing notes (Go `note.Sign`): new signatures go after the existing ones,
 * and an existing signature by the same (name, key ID) as a new signer is
 * replaced rather than duplicated.
 */
import { checkKeyName } from './keys.ts';
import { checkNoteText, formatNote, type Note, type NoteSignature } from './note.ts';
import type { NoteSigner } from './verifier.ts';

const sameKey = (a: { name: string; keyId: number }, b: { name: string; keyId: number }) => a.name === b.name && a.keyId === b.keyId;

/**
 * Returns `note` with the signatures in `extra` added. Existing signatures by
 * a key that appears in `extra` are dropped; within `extra`, the last one per
 * key wins. Useful for merging cosignatures a witness returned.
 */
export function addSignatures(note: Note, extra: readonly NoteSignature[]): Note {
  const fresh = extra.filter((s, i) => !extra.slice(i + 1).some((t) => sameKey(s, t)));
  const kept = note.signatures.filter((s) => !fresh.some((t) => sameKey(s, t)));
  return Object.freeze({ text: note.text, signatures: Object.freeze([...kept, ...fresh]) });
}

/** The signatures of `signers` over `text` (which must be valid note text: ends in "\n", no control characters). */
export function signText(text: string, signers: readonly NoteSigner[]): NoteSignature[] {
  checkNoteText(text);
  const bytes = Buffer.from(text, 'utf8');
  return signers.map((s) => {
    checkKeyName(s.name);
    return Object.freeze({ name: s.name, keyId: s.keyId, signature: s.sign(bytes) });
  });
}

/**
 * Signs `note` (or bare note text) with `signers` and returns the serialized
 * signed note. Throws NoteError MALFORMED for bad text, BAD_KEY_NAME for a
 * signer with an invalid name.
 */
export function signNote(note: Note | string, ...signers: NoteSigner[]): string {
  const n: Note = typeof note === 'string' ? { text: note, signatures: [] } : note;
  return formatNote(addSignatures(n, signText(n.text, signers)));
}
