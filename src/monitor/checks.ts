/**
 * The auditor's questions to a log's own API, answered only with what
 * verifies against signed roots:
 * - resolvePair: is the smaller head a prefix of the larger? (consistency
 *   proof; when it fails and the smaller size is a power of two, the
 *   inclusion proof of its last leaf in the larger tree).
 * - promiseStatus: is a promised leaf in a head signed after its deadline?
 *   An inclusion proof that verifies says kept; otherwise the leaves after
 *   a head signed before the promise (its compact range from the inclusion
 *   of its last leaf) are read and folded to the later root — only then is
 *   an absent leaf called absent.
 */

import { compactRangeFromInclusion } from '../evidence/index.ts';
import { CompactRange, ProofError, verifyInclusion } from '../merkle/index.ts';
import { judgeByInclusion, judgeConsistency, type PairJudgement } from './consistency.ts';
import type { MonitorError } from './errors.ts';
import { asMonitorError } from './observe.ts';
import type { PendingPromise } from './promises.ts';
import type { Seen } from './seen.ts';
import type { SourceView } from './source-view.ts';
import type { TreeReader } from './tree-reader.ts';

/** Requires 0 < from.size < to.size. */
export async function resolvePair(from: Seen, to: Seen, reader: TreeReader): Promise<PairJudgement> {
  let first: PairJudgement;
  try {
    first = judgeConsistency(from, to, await reader.consistency(from.size, to.size));
  } catch (err) {
    first = { verdict: 'unproven', why: asMonitorError(err, 'consistency').message, needInclusion: true };
  }
  if (first.verdict !== 'unproven' || !first.needInclusion) return first;
  try {
    const { leafHash, path } = await reader.inclusionAt(from.size - 1, to.size);
    const second = judgeByInclusion(from, to, leafHash, path);
    return second.verdict === 'unproven' ? { ...second, why: `${first.why}; ${second.why}` } : second;
  } catch (err) {
    return { verdict: 'unproven', why: `${first.why}; ${asMonitorError(err, 'inclusion').message}`, needInclusion: false };
  }
}

export type PromiseStatus =
  | { readonly status: 'kept' }
  | { readonly status: 'absent'; readonly leafHashes: Buffer[]; readonly before?: { readonly head: Seen; readonly rangeHashes: Buffer[] } }
  | { readonly status: 'unknown'; readonly why: string };

/** The compact range of [0, m) of `head` (size m ≥ 1), from the inclusion proof of leaf m - 1, verified against its root. */
async function rangeOf(head: Seen, reader: TreeReader): Promise<Buffer[] | null> {
  const { leafHash, path } = await reader.inclusionAt(head.size - 1, head.size);
  try {
    verifyInclusion(head.size - 1, head.size, leafHash, path, head.root);
  } catch (err) {
    if (err instanceof ProofError) return null;
    throw err;
  }
  const range = compactRangeFromInclusion(head.size - 1, head.size, leafHash, path);
  if (range === null || !CompactRange.fromHashes(head.size, range).root().equals(head.root)) return null;
  return range;
}

/**
 * Whether `last` (signed after the promise's deadline) holds the promised
 * leaf. Reads at most `maxLeaves` leaf hashes.
 */
export async function promiseStatus(
  p: PendingPromise,
  last: Seen,
  view: SourceView,
  reader: TreeReader,
  maxLeaves: number,
): Promise<PromiseStatus> {
  try {
    const proof = await reader.proveByHash(p.leafHash, last.size);
    if (proof !== null) {
      try {
        verifyInclusion(proof.index, last.size, p.leafHash, proof.path, last.root);
        return { status: 'kept' };
      } catch (err) {
        if (!(err instanceof ProofError)) throw err;
        // A proof that does not verify shows nothing: read the leaves.
      }
    }
    const before = view.signedBefore(p.timeNs);
    let start = 0;
    let range: Buffer[] = [];
    if (before !== undefined && before.size > 0 && before.size <= last.size) {
      const r = await rangeOf(before, reader);
      if (r !== null) {
        start = before.size;
        range = r;
      }
    }
    if (last.size - start > maxLeaves) return { status: 'unknown', why: `${last.size - start} leaves to read, more than ${maxLeaves}` };
    const leaves = await reader.leafHashes(start, last.size);
    const folded = CompactRange.fromHashes(start, range);
    for (const l of leaves) folded.append(l);
    if (!folded.root().equals(last.root))
      return { status: 'unknown', why: `the leaves [${start}, ${last.size}) the log served do not hash to its signed root` };
    if (leaves.some((l) => l.equals(p.leafHash))) return { status: 'kept' };
    return start > 0 && before
      ? { status: 'absent', leafHashes: leaves, before: { head: before, rangeHashes: range } }
      : { status: 'absent', leafHashes: leaves };
  } catch (err) {
    return { status: 'unknown', why: (asMonitorError(err, 'promise check') as MonitorError).message };
  }
}
