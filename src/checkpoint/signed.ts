/**
 * Verified checkpoints: a signed note (c2sp.org/signed-note) whose text is a
 * checkpoint (c2sp.org/tlog-checkpoint §Signatures) signed by the log.
 *
 * Signatures are checked before the text is interpreted (signed-note: "The
 * text MUST be ignored unless the note is signed by a trusted key and the
 * signature has been verified"). Cosignatures from the given witness keys are
 * verified with the same rules (a known key with a bad signature rejects the
 * note) and reported; quorum policy is the caller's.
 */
import { type NoteVerifier, openNote, type VerifiedNote, type VerifiedSignature, VerifierSet } from '../note/index.ts';
import { type Checkpoint, type ParseOptions, parseCheckpoint } from './checkpoint.ts';
import { CheckpointError } from './errors.ts';

export interface OpenCheckpointOptions extends ParseOptions {
  /** The log's keys: at least one of them must have signed. */
  readonly log: VerifierSet | Iterable<NoteVerifier>;
  /** Cosigner (witness) keys whose signatures are verified and reported. */
  readonly witnesses?: VerifierSet | Iterable<NoteVerifier>;
}

export interface SignedCheckpoint {
  readonly checkpoint: Checkpoint;
  readonly note: VerifiedNote;
  /** Verified signatures by the log's keys (at least one). */
  readonly logSignatures: readonly VerifiedSignature[];
  /** Verified signatures by witness keys. */
  readonly cosignatures: readonly VerifiedSignature[];
}

/**
 * Parses and verifies a signed checkpoint. Throws NoteError (MALFORMED,
 * BAD_SIGNATURE, NO_VERIFIED_SIGNATURE, AMBIGUOUS_KEY) or CheckpointError
 * (MISSING_LOG_SIGNATURE when only witnesses signed, or a body error).
 */
export function openCheckpoint(msg: string | Uint8Array, opts: OpenCheckpointOptions): SignedCheckpoint {
  const log = opts.log instanceof VerifierSet ? opts.log : new VerifierSet(opts.log);
  const witnesses = [...(opts.witnesses ?? [])];
  // One set, so a key listed both as log and witness is rejected as ambiguous only if the vkeys differ.
  const note = openNote(msg, new VerifierSet([...log, ...witnesses]));
  const isLog = (s: VerifiedSignature) => log.get(s.name, s.keyId) !== undefined;
  const logSignatures = note.verified.filter(isLog);
  if (logSignatures.length === 0) {
    throw new CheckpointError('MISSING_LOG_SIGNATURE', 'checkpoint has no verified signature from the log key');
  }
  const checkpoint = parseCheckpoint(note.text, opts);
  return Object.freeze({
    checkpoint,
    note,
    logSignatures: Object.freeze(logSignatures),
    cosignatures: Object.freeze(note.verified.filter((s) => !isLog(s))),
  });
}
