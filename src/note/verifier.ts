/**
 * The two roles a key plays for notes. A verifier is identified by its
 * (name, key ID) pair, exactly as signature lines name keys
 * (c2sp.org/signed-note §Signatures).
 */
import type { SignatureType } from './keys.ts';

/** What a verified signature says beyond "valid". */
export interface SignatureInfo {
  /** POSIX seconds from a timestamped cosignature (types 0x03, 0x04). */
  readonly time?: number;
  /** Milliseconds since the epoch from an RFC 6962 TreeHeadSignature (type 0x05). */
  readonly timestampMs?: number;
}

/** Verifies the signatures of one key. Immutable; safe to share and call concurrently. */
export interface NoteVerifier {
  readonly name: string;
  /** uint32 key ID. */
  readonly keyId: number;
  /** Signature type byte (c2sp.org/signed-note §Signature types). */
  readonly type: SignatureType;
  /** The vkey that describes this key (`name+hex8+base64(type||key)`). */
  readonly vkey: string;
  /**
   * Checks `signature` (the bytes after the 4-byte key ID) over the note text
   * (UTF-8, final newline included). Returns null when it does not verify.
   * Never throws on hostile signature bytes or text.
   */
  verify(text: Buffer, signature: Buffer): SignatureInfo | null;
}

/** Produces signatures of one key over note text. Must be deterministic in its inputs (no hidden clock). */
export interface NoteSigner {
  readonly name: string;
  readonly keyId: number;
  /** Signature bytes, without the key ID, over the note text. */
  sign(text: Buffer): Buffer;
}
