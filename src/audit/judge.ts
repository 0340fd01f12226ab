/**
 * The one decision every observer makes: given the head it already accepted
 * and a new head of the same log, does the new one extend it?
 *
 *   same          equal size and equal root (and no proof, or an empty one).
 *   extends       larger, and the consistency proof from the accepted head verifies
 *                 (RFC 6962 §2.1.2, verified by merkle/verify.ts, RFC 9162 §2.1.4.2).
 *   precedes      smaller, and the consistency proof from the new head to the accepted
 *                 one verifies: an older head, consistent (a rollback only if the log
 *                 claims it as its latest; the caller decides).
 *   fork          equal size and different roots. Both heads signed by the log are
 *                 proof of misbehaviour by themselves: no proof can reconcile them.
 *   inconsistent  a proof was given and it fails, or a size-0 head has a root other
 *                 than the empty-tree hash.
 *   needs-proof   sizes differ and no proof was given: fetch the consistency proof
 *                 `from` → `to` and ask again.
 *
 * Size 0: the tree of no leaves is a prefix of every tree, so from size 0 the
 * only proof is the empty one (c2sp.org/tlog-witness: "If the old size is zero,
 * the consistency proof MUST be empty"), provided the size-0 root is the
 * RFC 6962 §2.1 empty hash SHA-256(""). merkle/verify.ts refuses size1 = 0
 * (transparency-dev semantics), so size 0 is decided here, before calling it.
 *
 * Pure: no I/O, no clock. The caller has verified both heads' signatures.
 */
import { EMPTY_ROOT, ProofError, verifyConsistency } from '../merkle/index.ts';
import { AuditError } from './errors.ts';
import { checkHeadPoint, type HeadPoint } from './observed-head.ts';

export type Judgement =
  | { readonly verdict: 'same' }
  | { readonly verdict: 'extends' }
  | { readonly verdict: 'precedes' }
  | { readonly verdict: 'fork'; readonly why: string }
  | { readonly verdict: 'inconsistent'; readonly why: string; readonly cause?: ProofError }
  | { readonly verdict: 'needs-proof'; readonly from: number; readonly to: number };

const eq = (a: Uint8Array, b: Uint8Array) => a.length === b.length && Buffer.compare(a, b) === 0;
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/**
 * Judges `next` against `accepted` (both of one log). `proof` is the
 * consistency proof between them, from the smaller to the larger, when the
 * caller has it. Throws AuditError BAD_HEAD for a malformed head; a failed
 * proof is a verdict, never an exception.
 */
export function judge(accepted: HeadPoint, next: HeadPoint, proof?: readonly Uint8Array[]): Judgement {
  checkHeadPoint('accepted head', accepted);
  checkHeadPoint('new head', next);
  for (const [what, h] of [
    ['accepted head', accepted],
    ['new head', next],
  ] as const) {
    if (h.size === 0 && !eq(h.rootHash, EMPTY_ROOT)) {
      return { verdict: 'inconsistent', why: `${what} of size 0 has root ${hex(h.rootHash)}, want the empty-tree hash ${hex(EMPTY_ROOT)}` };
    }
  }
  if (accepted.size === next.size) {
    if (!eq(accepted.rootHash, next.rootHash)) {
      return {
        verdict: 'fork',
        why: `two heads of size ${next.size} with different roots: ${hex(accepted.rootHash)} and ${hex(next.rootHash)}`,
      };
    }
    // RFC 9162 §2.1.4.2 step 1: between equal sizes the proof is empty.
    if (proof !== undefined && proof.length > 0) {
      return { verdict: 'inconsistent', why: `got a ${proof.length}-hash consistency proof between equal sizes, want an empty one` };
    }
    return { verdict: 'same' };
  }
  const [small, large] = accepted.size < next.size ? [accepted, next] : [next, accepted];
  const ok = accepted.size < next.size ? ({ verdict: 'extends' } as const) : ({ verdict: 'precedes' } as const);
  if (small.size === 0) {
    if (proof !== undefined && proof.length > 0) {
      return { verdict: 'inconsistent', why: `got a ${proof.length}-hash consistency proof from size 0, want an empty one` };
    }
    return ok;
  }
  if (proof === undefined) return { verdict: 'needs-proof', from: small.size, to: large.size };
  try {
    verifyConsistency(small.size, large.size, proof, small.rootHash, large.rootHash);
    return ok;
  } catch (err) {
    if (err instanceof ProofError) {
      return { verdict: 'inconsistent', why: `consistency proof ${small.size} → ${large.size} fails: ${err.message}`, cause: err };
    }
    throw err;
  }
}

/** AuditError DIFFERENT_LOGS unless both heads are of one log. */
export function checkSameLog(a: { readonly log: string }, b: { readonly log: string }): void {
  if (a.log !== b.log) throw new AuditError('DIFFERENT_LOGS', `got heads of logs ${a.log} and ${b.log}, want one log`);
}
