/**
 * c2sp.org/tlog-proof@v1 (§Format): an offline-verifiable proof that an entry
 * is in a log, as a sequence of "\n"-terminated lines:
 *
 *   c2sp.org/tlog-proof@v1
 *   [extra <base64>]                 optional, opaque, NOT authenticated
 *   index <decimal, no leading zeroes>
 *   <base64 SHA-256 hash>            zero or more: RFC 6962 §2.1.1 inclusion path, leaf's sibling first
 *   <empty line>
 *   <checkpoint, verbatim>           a signed note (c2sp.org/tlog-checkpoint), with cosignatures
 *
 * Limits (ours, following transparency-dev/formats' bufio.Scanner): every line
 * shorter than 64 KiB; at most 64 proof hashes (a path in a tree of < 2^64 leaves).
 */
import { decodeBase64, encodeBase64 } from '../codec/index.ts';
import { hashLeaf, verifyInclusion } from '../merkle/index.ts';
import { parseDecimal, SHA256_SIZE } from './checkpoint.ts';
import { CheckpointError } from './errors.ts';
import { type OpenCheckpointOptions, openCheckpoint, type SignedCheckpoint } from './signed.ts';

export const TLOG_PROOF_HEADER = 'c2sp.org/tlog-proof@v1';
export const MAX_PROOF_LINE = 64 * 1024 - 1;
export const MAX_PROOF_HASHES = 64;
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export interface TlogProof {
  /** Zero-based index of the entry. */
  readonly index: number;
  /** Inclusion path, 32-byte hashes. */
  readonly hashes: readonly Buffer[];
  /** The signed checkpoint note, verbatim (not parsed or verified by `parseTlogProof`). */
  readonly checkpoint: string;
  /** Opaque extra data, or undefined when the `extra` line is absent. Unauthenticated. */
  readonly extra?: Buffer;
}

function bad(why: string, cause?: unknown): CheckpointError {
  return new CheckpointError('BAD_PROOF_FORMAT', `tlog-proof: ${why}`, cause === undefined ? undefined : { cause });
}

/** Parses the proof syntax; the checkpoint is kept as text. Throws CheckpointError. */
export function parseTlogProof(input: string | Uint8Array): TlogProof {
  let text: string;
  try {
    text = typeof input === 'string' ? input : UTF8.decode(input);
  } catch (err) {
    throw bad('not valid UTF-8', err);
  }
  let pos = 0;
  const nextLine = (what: string): string => {
    const nl = text.indexOf('\n', pos);
    if (nl < 0) throw bad(`missing ${what} (or its newline)`);
    if (nl - pos > MAX_PROOF_LINE) throw bad(`${what}: line of ${nl - pos} characters, want < 64 KiB`);
    const line = text.slice(pos, nl);
    pos = nl + 1;
    return line;
  };
  const header = nextLine('header line');
  if (header !== TLOG_PROOF_HEADER) throw bad(`got header ${JSON.stringify(header.slice(0, 40))}, want ${TLOG_PROOF_HEADER}`);
  let line = nextLine('index line');
  let extra: Buffer | undefined;
  if (line.startsWith('extra ')) {
    try {
      extra = decodeBase64(line.slice('extra '.length));
    } catch (err) {
      throw bad('extra data is not base64', err);
    }
    line = nextLine('index line');
  }
  if (!line.startsWith('index ')) throw bad(`got ${JSON.stringify(line.slice(0, 40))}, want "index <n>"`);
  const index = parseDecimal(line.slice('index '.length), (why, cause) => bad(`index: ${why}`, cause));
  const hashes: Buffer[] = [];
  for (line = nextLine('blank line'); line !== ''; line = nextLine('blank line')) {
    if (hashes.length === MAX_PROOF_HASHES) throw bad(`more than ${MAX_PROOF_HASHES} proof hashes`);
    let h: Buffer;
    try {
      h = decodeBase64(line);
    } catch (err) {
      throw new CheckpointError('BAD_PROOF_HASH', `tlog-proof: hash ${hashes.length} is not base64`, { cause: err });
    }
    if (h.length !== SHA256_SIZE) {
      throw new CheckpointError('BAD_PROOF_HASH', `tlog-proof: hash ${hashes.length}: got ${h.length} bytes, want ${SHA256_SIZE}`);
    }
    hashes.push(h);
  }
  const checkpoint = text.slice(pos);
  if (checkpoint === '') throw bad('missing checkpoint');
  for (const l of checkpoint.split('\n')) if (l.length > MAX_PROOF_LINE) throw bad('checkpoint line of 64 KiB or more');
  return Object.freeze({ index, hashes: Object.freeze(hashes), checkpoint, ...(extra ? { extra } : {}) });
}

/** Serializes a proof; the inverse of `parseTlogProof`. */
export function formatTlogProof(p: TlogProof): string {
  if (!Number.isSafeInteger(p.index) || p.index < 0) throw bad(`got index ${p.index}, want an integer in 0..2^53-1`);
  for (const [i, h] of p.hashes.entries()) {
    if (h.length !== SHA256_SIZE) throw new CheckpointError('BAD_PROOF_HASH', `hash ${i}: got ${h.length} bytes, want 32`);
  }
  if (p.checkpoint === '') throw bad('missing checkpoint');
  const extra = p.extra === undefined ? '' : `extra ${encodeBase64(p.extra)}\n`;
  const hashes = p.hashes.map((h) => `${encodeBase64(h)}\n`).join('');
  return `${TLOG_PROOF_HEADER}\n${extra}index ${p.index}\n${hashes}\n${p.checkpoint}`;
}

export interface VerifiedTlogProof {
  readonly proof: TlogProof;
  readonly checkpoint: SignedCheckpoint;
}

/** The entry a proof is about: its RFC 6962 leaf hash, or the leaf data to hash (SHA-256(0x00 || data)). */
export type ProvenEntry = { readonly leafHash: Uint8Array } | { readonly leafData: Uint8Array };

/**
 * Verifies a tlog-proof (§Verification in gossip-protocols.md §3.6): the
 * checkpoint is signed by the log (and any cosignatures by `opts.witnesses`
 * verify), and the inclusion path leads from the entry's leaf hash at `index`
 * to the checkpoint root. Throws CheckpointError, NoteError, or ProofError
 * (src/merkle: BAD_INDEX, BAD_PROOF_SIZE, INCLUSION_MISMATCH).
 */
export function verifyTlogProof(input: string | Uint8Array, entry: ProvenEntry, opts: OpenCheckpointOptions): VerifiedTlogProof {
  const proof = parseTlogProof(input);
  const checkpoint = openCheckpoint(proof.checkpoint, opts);
  const leafHash = 'leafHash' in entry ? entry.leafHash : hashLeaf(entry.leafData);
  const { size, rootHash } = checkpoint.checkpoint;
  verifyInclusion(proof.index, size, leafHash, proof.hashes, rootHash);
  return Object.freeze({ proof, checkpoint });
}
