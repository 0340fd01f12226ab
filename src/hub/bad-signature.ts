/**
 * Why a source signature did not verify (specs/gossip-hub.md §1.1 step 2,
 * answered 400 BAD_SIGNATURE): which key was tried and, where the bytes
 * tell, why it failed — the origin a type-0x05 key cannot sign, a bare DER
 * signature sent for an RFC 6962 note signature, a whole DigitallySigned
 * sent for the signature inside it, a key of the wrong log. Operators
 * configuring real logs (issue 8 §3) read these lines.
 *
 * Runs only after a verification failed, and does no cryptography: the
 * reasons are read from the structure of the bytes, and "does not verify
 * under this key" is what is left when the structure is right. Never throws.
 * Pure.
 */
import { createHash } from 'node:crypto';
import { decodeTreeHeadSignature, TREE_HEAD_SIGNATURE_SIZE } from '../codec/index.ts';
import { digitallySignedAlgorithm, type PublicKey } from '../crypto/index.ts';
import { ecdsaKeyId, formatKeyId, parseRfc6962NoteSignature, parseVkey, SignatureType, type Vkey } from '../note/index.ts';
import type { SourceKind } from './source-kind.ts';

/** What the explanation needs to know of a source (a TrackedSource has it all). */
export interface SignedBy {
  readonly kind: SourceKind;
  readonly publicKey: PublicKey;
  readonly vkey?: string;
}

const TYPE_NAMES: Readonly<Record<number, string>> = {
  [SignatureType.Ed25519]: 'Ed25519 note signature, type 0x01',
  [SignatureType.ECDSA]: 'ECDSA note signature, type 0x02',
  [SignatureType.LegacyWitness]: 'timestamped witness signature, type 0x03',
  [SignatureType.CosignatureV1]: 'cosignature/v1, type 0x04',
  [SignatureType.RFC6962]: 'RFC 6962 note signature, type 0x05',
};

const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest();

/** One line: the key tried, then the reason. */
export function explainBadSignature(src: SignedBy, blob: Buffer, signature: Buffer): string {
  try {
    const v = src.vkey !== undefined ? parseVkey(src.vkey) : null;
    const key = v
      ? `key ${v.name}+${formatKeyId(v.keyId)} (${TYPE_NAMES[v.type] ?? `type 0x${v.type.toString(16)}`})`
      : `the source's ${src.publicKey.type} key (SPKI SHA-256 ${b64(sha256(src.publicKey.spki))})`;
    return `${key}: ${reason(src, v, blob, signature)}`;
  } catch {
    return 'src_signature does not verify over blob_data with the source key';
  }
}

function reason(src: SignedBy, v: Vkey | null, blob: Buffer, sig: Buffer): string {
  if (sig.length === 0) return 'src_signature is empty';
  if (v?.type === SignatureType.RFC6962) return rfc6962Reason(src, v, blob, sig);
  if (v) {
    const hint = looksLikeRfc6962NoteSignature(sig)
      ? `; src_signature has the shape of an RFC 6962 note signature (type 0x05, static-ct-api): give this log's 0x05 vkey, or its RFC 6962 public key as publicKey with its origin`
      : '';
    return `does not verify over the note text (is it this log's key?)${hint}`;
  }
  if (src.kind === 'RFC6962STH') {
    if (looksLikeDigitallySigned(sig)) {
      return 'src_signature is a whole TLS DigitallySigned: send the signature bytes inside it (§3.3, as gosmin does)';
    }
    if (blob.length === TREE_HEAD_SIGNATURE_SIZE) {
      const th = decodeTreeHeadSignature(blob);
      return `does not verify over the TreeHeadSignature of size ${th.treeSize}, timestamp ${th.timestamp} (is it this log's key?)`;
    }
  }
  return "does not verify over blob_data (is it this source's key?)";
}

/** c2sp.org/static-ct-api §Checkpoints and c2sp.org/signed-note: what a type-0x05 signature can and cannot cover. */
function rfc6962Reason(src: SignedBy, v: Vkey, blob: Buffer, sig: Buffer): string {
  const lines = blob.toString('utf8').split('\n');
  if (lines.length !== 4 || lines[3] !== '') {
    return `a type 0x05 signature covers only the tree size and root, so the checkpoint must be exactly its origin, size and root lines; got ${Math.max(lines.length - 1, 0)} lines`;
  }
  if (lines[0] !== v.name) {
    return `the checkpoint's origin ${JSON.stringify(lines[0].slice(0, 200))} is not the key's name ${JSON.stringify(v.name)} (a type 0x05 signature does not cover the origin, so the key signs only checkpoints named after it)`;
  }
  const parsed = parseRfc6962NoteSignature(sig);
  if (!parsed) {
    if (sig[0] === 0x30) {
      return `src_signature is a bare DER ECDSA signature, not an RFC 6962 note signature (uint64 timestamp ‖ TLS DigitallySigned); if this log signs ECDSA note signatures (type 0x02, as Rekor does), configure its vkey, e.g. ${v.name}+${formatKeyId(ecdsaKeyId(v.key))}+${b64(Buffer.concat([Buffer.of(SignatureType.ECDSA), v.key]))}`;
    }
    return "src_signature is not an RFC 6962 note signature (uint64 timestamp ‖ TLS DigitallySigned): send the bytes of the log's note signature after its 4-byte key ID";
  }
  const want = digitallySignedAlgorithm(src.publicKey.type);
  const ds = parsed.treeHeadSignature;
  if (ds.hashAlgorithm !== want.hashAlgorithm || ds.signatureAlgorithm !== want.signatureAlgorithm) {
    return `the DigitallySigned names hash ${ds.hashAlgorithm}/signature ${ds.signatureAlgorithm}, but the key is ${src.publicKey.type} (want ${want.hashAlgorithm}/${want.signatureAlgorithm})`;
  }
  return `the TreeHeadSignature (timestamp ${parsed.timestampMs}, size ${lines[1]}, root ${lines[2]}) does not verify under this key (log ID ${b64(sha256(v.key))}): is it this log's RFC 6962 key?`;
}

/** TLS DigitallySigned: hash sha256 (4), signature rsa (1) or ecdsa (3), a u16 length equal to the rest. */
function looksLikeDigitallySigned(b: Buffer): boolean {
  return b.length >= 4 && b[0] === 4 && (b[1] === 1 || b[1] === 3) && b.readUInt16BE(2) === b.length - 4;
}

function looksLikeRfc6962NoteSignature(b: Buffer): boolean {
  return b.length > 12 && looksLikeDigitallySigned(b.subarray(8));
}
