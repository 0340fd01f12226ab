/**
 * Submitting a checkpoint to a witness the way a log does
 * (c2sp.org/tlog-witness §add-checkpoint): from the size the submitter last
 * saw cosigned (0 when it knows nothing: the spec's probe), with the
 * consistency proof from there; on 409 the witness answers its size, and the
 * submitter retries once from it with a proof from that size. Used by the
 * feeder (feeder.ts) and by Grapevine's own logs pushing their checkpoints.
 */
import type { NoteSignature, VerifiedSignature } from '../note/index.ts';
import type { WitnessClient } from './client.ts';
import { WitnessClientError } from './client.ts';

/** The consistency proof of the log from `from` to `to` (0 < from < to). */
export type ProofSource = (from: number, to: number) => Promise<readonly Uint8Array[]>;

export type SubmitResult =
  | {
      readonly kind: 'cosigned';
      /** The size the witness now holds (the checkpoint's). */
      readonly size: number;
      readonly cosignatures: readonly NoteSignature[];
      readonly verified: readonly VerifiedSignature[];
    }
  /** The witness holds a larger tree than this checkpoint: nothing to do until the log grows. */
  | { readonly kind: 'behind'; readonly size: number };

/** Rounds of 409 recovery before giving up (the witness's size moved under us each time). */
const MAX_ROUNDS = 3;

/**
 * Submits `checkpoint` (a signed note of `size` leaves) starting from
 * `knownSize` (the witness's size as last seen; 0 if unknown). Throws
 * WitnessClientError (REFUSED for 4xx: a 422 means the witness holds a tree
 * this checkpoint does not extend).
 */
export async function submitCheckpoint(
  client: WitnessClient,
  checkpoint: string,
  size: number,
  proofs: ProofSource,
  knownSize = 0,
): Promise<SubmitResult> {
  let old = knownSize;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    if (old > size) return { kind: 'behind', size: old };
    const proof = old === 0 || old === size ? [] : await proofs(old, size);
    const ans = await client.addCheckpoint(old, proof, checkpoint);
    if (ans.kind === 'cosigned') return { kind: 'cosigned', size, cosignatures: ans.cosignatures, verified: ans.verified };
    old = ans.size;
  }
  throw new WitnessClientError('HTTP', `${client.url}: the witness's size moved ${MAX_ROUNDS} times during one submission`);
}
