/**
 * The witness's decision on a verified checkpoint against the latest one it
 * cosigned for the origin (c2sp.org/tlog-witness §add-checkpoint), in the
 * spec's order, after the 404 (origin) and 403 (signatures) checks:
 *
 *   old > checkpoint size                                   400 OLD_SIZE_TOO_LARGE
 *   old ≠ latest cosigned size (0 when none)                409 STALE (size)
 *   old = 0 and a non-empty proof                           422 BAD_PROOF
 *   size 0 and root ≠ SHA-256("")                           422 BAD_PROOF
 *   same size, different root                               422 ROOT_MISMATCH (C2SP #280)
 *   same size, non-empty proof                              422 BAD_PROOF (RFC 9162 §2.1.4.2: the proof is empty)
 *   proof old → size fails (RFC 6962 §2.1.2)                422 BAD_PROOF
 *   same size, same root                                    cosign again, fresh timestamp (transparency-dev/witness #278)
 *   proof verifies                                          cosign
 *
 * The consistency decision itself is audit/judge.ts; size 0 follows the
 * tlog-witness rule there (from the empty tree the proof MUST be empty).
 *
 * Pure: no I/O, no clock. Signatures were verified by the caller.
 */
import { type HeadPoint, judge } from '../audit/index.ts';
import { EMPTY_ROOT } from '../merkle/index.ts';
import { WitnessError } from './errors.ts';

/** What the witness does with a checkpoint that passed every check. */
export type Decision = { readonly verdict: 'same' } | { readonly verdict: 'extends' };

/** The state the witness keeps per origin before any cosignature: the empty tree. */
export const EMPTY_HEAD: HeadPoint = Object.freeze({ size: 0, rootHash: EMPTY_ROOT });

/**
 * Decides on `next` (a checkpoint whose log signature verified), submitted
 * with `oldSize` and `proof`, against `latest`, the latest checkpoint cosigned
 * for the origin (null when none). Throws WitnessError OLD_SIZE_TOO_LARGE,
 * STALE, BAD_PROOF or ROOT_MISMATCH.
 */
export function decideAddCheckpoint(oldSize: number, proof: readonly Uint8Array[], next: HeadPoint, latest: HeadPoint | null): Decision {
  if (oldSize > next.size) {
    throw new WitnessError('OLD_SIZE_TOO_LARGE', `got old size ${oldSize}, want at most the checkpoint size ${next.size}`);
  }
  const accepted = latest ?? EMPTY_HEAD;
  if (oldSize !== accepted.size) {
    throw new WitnessError('STALE', `got old size ${oldSize}, want ${accepted.size}, the size of the latest cosigned checkpoint`, {
      size: accepted.size,
    });
  }
  const j = judge(accepted, next, proof);
  switch (j.verdict) {
    case 'same':
    case 'extends':
      return { verdict: j.verdict };
    case 'fork':
      throw new WitnessError('ROOT_MISMATCH', j.why);
    case 'inconsistent':
      throw new WitnessError('BAD_PROOF', j.why, j.cause ? { cause: j.cause } : undefined);
    case 'precedes':
    case 'needs-proof':
      // Unreachable: oldSize = accepted.size ≤ next.size, and a proof (maybe empty) is always given.
      throw new Error(`witness decision: judge answered ${j.verdict} for ${accepted.size} → ${next.size}`);
  }
}
