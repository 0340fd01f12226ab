/**
 * Tracked sources: the logs whose signed material a hub instance accepts
 * (specs/gossip-hub.md §3.1 `TrackedSource`). A source is an id (the
 * `source_id` of the API, compared byte for byte), a key, a hash setting and
 * a kind that fixes what the signed blob must look like (§3.3).
 *
 * Pure: keys arrive parsed; nothing here reads files.
 */
import { decodeBase64, encodeBase64 } from '../codec/index.ts';
import { ed25519PublicKeyFromBytes, type PublicKey, parsePublicKey, verifySignature } from '../crypto/index.ts';
import { SetupError } from '../errors.ts';
import {
  ecdsaKeyId,
  formatKeyId,
  isValidKeyName,
  type NoteVerifier,
  parseVkey,
  rfc6962Verifier,
  SignatureType,
  verifierFromVkey,
} from '../note/index.ts';
import { explainBadSignature } from './bad-signature.ts';
import { SOURCE_KINDS, type SourceKind } from './source-kind.ts';

export { SOURCE_KINDS, type SourceKind } from './source-kind.ts';

/**
 * §3.1 `hash_algorithm`: SHA256 for ECDSA and RSA keys; NONE is only
 * meaningful for Ed25519, which hashes internally (§3.2: NONE with ECDSA/RSA
 * made the original panic, so we refuse it at start-up).
 */
export type SourceHash = 'SHA256' | 'NONE';

export interface TrackedSource {
  /** The API `source_id`, e.g. a CT log URL with `https://` and trailing `/` (gosmin sends exactly that). */
  readonly id: string;
  /** Human label, for logs and metrics only. */
  readonly name: string;
  readonly kind: SourceKind;
  readonly hash: SourceHash;
  /** The source's key. For a vkey source, the SPKI form of the vkey's key (what get-source-keys shows). */
  readonly publicKey: PublicKey;
  /** Set when the source was configured with a signed-note vkey (CHECKPOINT, GONOTARY). */
  readonly vkey?: string;
  /** CHECKPOINT only: when set, the checkpoint origin line must equal it. */
  readonly origin?: string;
  /** True when `signature` is the source's signature over `blob` (§3.2). Never throws on hostile input. */
  verify(blob: Buffer, signature: Buffer): boolean;
  /** After `verify` said false: one line naming the key tried and why it failed (bad-signature.ts). Never throws. */
  explain(blob: Buffer, signature: Buffer): string;
}

export interface SourceSpec {
  readonly id: string;
  readonly name?: string;
  readonly kind: SourceKind;
  readonly hash?: SourceHash;
  /** Exactly one of `publicKey` (PEM, DER or base64 DER SPKI, or a parsed key) and `vkey`. */
  readonly publicKey?: PublicKey | string | Uint8Array;
  readonly vkey?: string;
  readonly origin?: string;
}

/** Longest source id accepted. Keeps every TimestampedEntry's first two bytes below "gr" (0x6772), see domain.ts. */
export const MAX_SOURCE_ID_BYTES = 1024;

/**
 * Builds a TrackedSource, checking what the original checked at start-up
 * (§3.1 Validation) plus the kind/key combinations that cannot work.
 * Throws SetupError BAD_CONFIG naming the source.
 */
export function makeSource(spec: SourceSpec): TrackedSource {
  const bad = (why: string, cause?: unknown) =>
    new SetupError('BAD_CONFIG', `source ${JSON.stringify(spec.id)}: ${why}`, cause === undefined ? undefined : { cause });
  const idBytes = Buffer.byteLength(spec.id, 'utf8');
  if (idBytes === 0 || idBytes > MAX_SOURCE_ID_BYTES) throw bad(`got a ${idBytes}-byte id, want 1..${MAX_SOURCE_ID_BYTES}`);
  if (/\p{Cs}/u.test(spec.id)) throw bad('id is not valid Unicode');
  if (!(SOURCE_KINDS as readonly string[]).includes(spec.kind)) throw bad(`unknown kind ${JSON.stringify(spec.kind)}`);
  if ((spec.publicKey === undefined) === (spec.vkey === undefined)) throw bad('give exactly one of publicKey and vkey');
  if (spec.origin !== undefined && spec.kind !== 'CHECKPOINT') throw bad('origin is only meaningful for kind CHECKPOINT');

  let publicKey: PublicKey;
  let verify: (blob: Buffer, sig: Buffer) => boolean;
  let vkey: string | undefined;
  if (spec.vkey !== undefined) {
    if (spec.kind !== 'CHECKPOINT' && spec.kind !== 'GONOTARY')
      throw bad(`a vkey is only meaningful for kinds CHECKPOINT and GONOTARY, not ${spec.kind}`);
    let verifier: NoteVerifier;
    try {
      const k = parseVkey(spec.vkey);
      // Log signatures (0x01 Ed25519, 0x02 ECDSA, 0x05 RFC 6962) and witness cosignatures (0x03 legacy,
      // 0x04 cosignature/v1): a witness's cosigned view of a checkpoint is gossip worth keeping too.
      if (k.type === SignatureType.Ed25519 || k.type === SignatureType.LegacyWitness || k.type === SignatureType.CosignatureV1) {
        publicKey = ed25519PublicKeyFromBytes(k.key);
      } else if (k.type === SignatureType.ECDSA || k.type === SignatureType.RFC6962) {
        publicKey = parsePublicKey(k.key);
      } else {
        throw bad(`vkey type 0x${k.type.toString(16).padStart(2, '0')} cannot be verified here (want 0x01-0x05)`);
      }
      verifier = verifierFromVkey(spec.vkey);
    } catch (err) {
      if (err instanceof SetupError) throw err;
      throw bad(`bad vkey: ${(err as Error).message}${publicKeyInVkeyHint(spec)}`, err);
    }
    if (spec.kind === 'GONOTARY' && verifier.type !== SignatureType.Ed25519)
      throw bad('GONOTARY sources sign with Ed25519 (vkey type 0x01)');
    vkey = spec.vkey;
    // The signature the submitter sends is the note signature without its 4-byte key ID (§3.3 GONOTARY).
    verify = (blob, sig) => {
      try {
        return verifier.verify(blob, sig) !== null;
      } catch {
        return false;
      }
    };
  } else {
    try {
      publicKey =
        typeof spec.publicKey === 'object' && 'spki' in spec.publicKey
          ? spec.publicKey
          : parsePublicKey(spec.publicKey as string | Uint8Array);
    } catch (err) {
      throw bad(`bad public key: ${(err as Error).message}`, err);
    }
    if (spec.kind === 'GONOTARY' && publicKey.type !== 'ed25519')
      throw bad(`GONOTARY sources sign with Ed25519, got a ${publicKey.type} key`);
    const key = publicKey;
    if (spec.kind === 'CHECKPOINT' && key.type !== 'ed25519') {
      // A CT log's RFC 6962 key (the "key" of a CT log list) on a checkpoint source: a static-ct-api log, whose
      // checkpoints carry RFC 6962 note signatures (type 0x05) under its origin (c2sp.org/static-ct-api §Checkpoints).
      const verifier = rfc6962SourceVerifier(spec, key, bad);
      vkey = verifier.vkey;
      verify = (blob, sig) => verifier.verify(blob, sig) !== null;
    } else {
      verify = (blob, sig) => sig.length > 0 && verifySignature(key, blob, sig);
    }
  }

  const hash: SourceHash = spec.hash ?? (publicKey.type === 'ed25519' ? 'NONE' : 'SHA256');
  if (hash === 'NONE' && publicKey.type !== 'ed25519') throw bad(`hash NONE needs an Ed25519 key, got ${publicKey.type}`);
  if (spec.kind === 'RFC6962STH' && publicKey.type === 'ed25519')
    throw bad('RFC 6962 §2.1.4 logs sign with ECDSA P-256 or RSA, not Ed25519');

  const source: TrackedSource = Object.freeze({
    id: spec.id,
    name: spec.name ?? spec.id,
    kind: spec.kind,
    hash,
    publicKey,
    ...(vkey !== undefined ? { vkey } : {}),
    ...(spec.origin !== undefined ? { origin: spec.origin } : {}),
    verify,
    explain: (blob: Buffer, signature: Buffer) => explainBadSignature(source, blob, signature),
  });
  return source;
}

/**
 * The type-0x05 verifier of a CHECKPOINT source given an ECDSA or RSA public
 * key: named by its origin, since a 0x05 signature does not cover the origin
 * line and the key therefore signs only checkpoints named after it
 * (c2sp.org/static-ct-api §Checkpoints). A source without a usable origin is
 * refused: the key alone cannot say which log it speaks for.
 */
function rfc6962SourceVerifier(spec: SourceSpec, key: PublicKey, bad: (why: string) => SetupError): NoteVerifier {
  const ecdsa = `${formatKeyId(ecdsaKeyId(key.spki))}+${encodeBase64(Buffer.concat([Buffer.of(SignatureType.ECDSA), key.spki]))}`;
  const other =
    key.type === 'ecdsa-p256' ? `; for a log that signs ECDSA note signatures (type 0x02, as Rekor does) give vkey: NAME+${ecdsa}` : '';
  if (spec.origin === undefined || !isValidKeyName(spec.origin)) {
    throw bad(
      `an ${key.type} publicKey on a CHECKPOINT source is taken as a CT log's RFC 6962 key (static-ct-api, type 0x05 note signatures), which signs only checkpoints whose origin is its key name; ${spec.origin === undefined ? 'give origin: the submission prefix without https://' : `origin ${JSON.stringify(spec.origin)} cannot be a key name (no spaces or '+')`}, or give the log's vkey instead${other}`,
    );
  }
  return rfc6962Verifier(spec.origin, key.spki);
}

/** When a vkey that does not parse is a base64 SPKI (a CT log list's "key"), says how to give it. */
function publicKeyInVkeyHint(spec: SourceSpec): string {
  let key: PublicKey;
  try {
    key = parsePublicKey(decodeBase64(spec.vkey ?? ''));
  } catch {
    return '';
  }
  const as0x05 =
    key.type !== 'ed25519' && spec.origin !== undefined && isValidKeyName(spec.origin)
      ? `, or as vkey: ${rfc6962Verifier(spec.origin, key.spki).vkey} (its RFC 6962 note key under origin ${spec.origin})`
      : '';
  return ` (this is a public key, base64 SPKI as in a CT log list, not a vkey: give it as publicKey with the log's origin${as0x05})`;
}
