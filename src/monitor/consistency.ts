/**
 * Judging a pair of verified heads of one log (sizes m < n) on the proof the
 * log served — the step that turns a failed proof into evidence or leaves it
 * a suspicion (specs/gossip-protocols.md §5: a failed proof alone proves
 * nothing; a proof that binds another root at m to the signed n-root does).
 *
 * Pure.
 */
import { judge } from '../audit/index.ts';
import { type Derivation, derivationFromConsistencyProof, derivationFromInclusion } from '../evidence/index.ts';
import { isPowerOfTwo, ProofError, verifyInclusion } from '../merkle/index.ts';
import type { Seen } from './seen.ts';

export type PairJudgement =
  | { readonly verdict: 'consistent' }
  /** The n-tree has another root at m, bound by `derivation`: proof of an inconsistent pair. */
  | { readonly verdict: 'inconsistent'; readonly derivation: Derivation }
  /** The proof shows nothing either way; `needInclusion` when m is a power of two (ask for leaf m-1's inclusion in n). */
  | { readonly verdict: 'unproven'; readonly why: string; readonly needInclusion: boolean };

/** Requires from.size < to.size. */
export function judgeConsistency(from: Seen, to: Seen, proof: readonly Uint8Array[]): PairJudgement {
  const j = judge({ size: from.size, rootHash: from.root }, { size: to.size, rootHash: to.root }, proof);
  if (j.verdict === 'extends' || j.verdict === 'same') return { verdict: 'consistent' };
  const why = j.verdict === 'inconsistent' || j.verdict === 'fork' ? j.why : `unexpected verdict ${j.verdict}`;
  const d = derivationFromConsistencyProof(from.size, to.size, proof, to.root);
  if (d !== null && Buffer.from(d.recomputedRoot, 'base64').equals(from.root) === false) return { verdict: 'inconsistent', derivation: d };
  return { verdict: 'unproven', why, needInclusion: isPowerOfTwo(from.size) };
}

/**
 * Judges the pair on the inclusion proof of leaf m-1 in the n-tree: its left
 * siblings and the leaf fold to the n-tree's root at m (evidence/recompute.ts).
 */
export function judgeByInclusion(from: Seen, to: Seen, leafHash: Uint8Array, path: readonly Uint8Array[]): PairJudgement {
  try {
    verifyInclusion(from.size - 1, to.size, leafHash, path, to.root);
  } catch (err) {
    if (err instanceof ProofError)
      return { verdict: 'unproven', why: `inclusion of leaf ${from.size - 1} in ${to.size}: ${err.message}`, needInclusion: false };
    throw err;
  }
  const d = derivationFromInclusion(from.size, to.size, leafHash, path);
  if (d === null) return { verdict: 'unproven', why: 'the inclusion path does not recompute a root', needInclusion: false };
  return Buffer.from(d.recomputedRoot, 'base64').equals(from.root) ? { verdict: 'consistent' } : { verdict: 'inconsistent', derivation: d };
}
