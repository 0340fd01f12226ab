/**
 * `verifyEvidence(doc, opts)`: re-checks every signature and proof of an
 * evidence document from the document alone (plus keys the caller trusts)
 * and says in one line what it shows. What counts as proof follows
 * specs/gossip-protocols.md §5:
 *
 * - fork: two validly signed heads of one size with different roots —
 *   "cryptographic proof on its own".
 * - inconsistent: heads of sizes m < n, and the root the n-tree has at m,
 *   recomputed and bound to the signed n-root by a proof that verifies
 *   (a consistency proof, an inclusion proof of leaf m - 1, or every leaf),
 *   differs from the signed m-root. c2sp.org/tlog-checkpoint: "a log MUST NOT
 *   sign two checkpoints that are inconsistent".
 * - empty-root: a signed head of size 0 whose root is not SHA-256("")
 *   (RFC 6962 §2.1 fixes the hash of the empty tree).
 * - rollback: a head signed with a later timestamp than another, and
 *   smaller. Trees only grow (RFC 6962 §3.5: the STH describes the tree "at
 *   the time" of its timestamp; our strict reading, since the RFC states no
 *   such MUST, is that a later head of a smaller tree contradicts an
 *   append-only log). Needs signed timestamps: plain checkpoints have none.
 * - broken-promise: a promise (SCT, SGT) with timestamp t, and a head signed
 *   strictly after t + MMD whose leaves — given in full, or after an earlier
 *   head signed before t whose compact range is given — do not include the
 *   promised leaf (RFC 6962 §3: "incorporate … within the MMD"). With the
 *   earlier head the argument also rests on RFC 6962 §3.5 as
 *   ARCHITECTURE.md reads it (a head is never older than an SCT in its
 *   tree): the entry cannot be in a tree signed before its promise.
 * - suspicion kinds (proof-refused, unresponsive, promise-unconfirmed,
 *   regression): the signed parts are checked, but they prove nothing —
 *   a failed fetch looks the same as a network error (gossip draft §10.5.7).
 *
 * Never throws for a document that is well formed but shows nothing (the
 * verdict says why); throws EvidenceError MALFORMED / UNSUPPORTED_VERSION /
 * TOO_LARGE for one that is not. Pure.
 */

import { decodeBase64 } from '../codec/index.ts';
import { msToNs, nsToMs } from '../hub/time.ts';
import { CompactRange, EMPTY_ROOT, HASH_SIZE, ProofError, verifyConsistency, verifyInclusion } from '../merkle/index.ts';
import { EvidenceError } from './errors.ts';
import { checkEvidenceKey, type EvidenceKey, type LogKey, resolveLogKey } from './keys.ts';
import { type OpenedHead, type OpenedPromise, openHead, openPromise } from './open.ts';
import { parseEvidence } from './parse.ts';
import { foldLeafHashes, prefixRootFromInclusion } from './recompute.ts';
import { EVIDENCE_KINDS, type EvidenceClass, type EvidenceDocument, type EvidenceKind, type SignedHead } from './schema.ts';
import { Unproven } from './unproven.ts';

export interface VerifyOptions {
  /** Keys the caller trusts. When given, the document's inline key is used only if it is one of them. */
  readonly keys?: readonly EvidenceKey[];
}

export interface Verdict {
  /** True iff the document proves misbehaviour (a proof kind whose every check passed). */
  readonly proves: boolean;
  readonly kind: EvidenceKind;
  /** The most the kind can show. */
  readonly class: EvidenceClass;
  /** Hex log id. */
  readonly log: string;
  /** Where the key came from, when one was found. */
  readonly keySource: LogKey['source'] | null;
  /** One line saying what the document shows, or why it shows nothing. */
  readonly line: string;
}

const hex8 = (b: Uint8Array) => `${Buffer.from(b).toString('hex').slice(0, 16)}…`;
const ns2iso = (ns: bigint) => new Date(nsToMs(ns)).toISOString();

function hashList(what: string, list: readonly string[]): Buffer[] {
  return list.map((s, i) => {
    try {
      const b = decodeBase64(s);
      if (b.length !== HASH_SIZE) throw new Error(`got ${b.length} bytes, want ${HASH_SIZE}`);
      return b;
    } catch (err) {
      throw new EvidenceError('MALFORMED', `evidence: ${what}[${i}]: ${(err as Error).message}`, { cause: err });
    }
  });
}
const oneHash = (what: string, s: string) => hashList(what, [s])[0];

/** Parses (when given text or bytes) and verifies an evidence document. */
export function verifyEvidence(input: EvidenceDocument | Uint8Array | string, opts: VerifyOptions = {}): Verdict {
  const doc = typeof input === 'string' || input instanceof Uint8Array ? parseEvidence(input) : input;
  const supplied = opts.keys ?? [];
  for (const k of supplied) checkEvidenceKey(k);
  const base = { kind: doc.kind, class: EVIDENCE_KINDS[doc.kind], log: doc.log.id };
  const name = doc.log.name ?? doc.log.origin ?? doc.log.url ?? `${doc.log.id.slice(0, 16)}…`;
  let key: LogKey | null = null;
  try {
    key = resolveLogKey(doc.log, supplied);
    const what = check(doc, key, name);
    const keyNote =
      key.source === 'supplied'
        ? 'key given with --key'
        : `key ${key.fingerprint.slice(0, 16)}… from the document itself, not pinned with --key`;
    if (base.class === 'proof') return { ...base, proves: true, keySource: key.source, line: `PROOF of ${doc.kind}: ${what} (${keyNote})` };
    return { ...base, proves: false, keySource: key.source, line: `SUSPICION only, not proof (${doc.kind}): ${what} (${keyNote})` };
  } catch (err) {
    if (err instanceof Unproven) {
      return { ...base, proves: false, keySource: key?.source ?? null, line: `NOT PROVEN (${doc.kind}): ${err.message}` };
    }
    throw err;
  }
}

/** Runs the checks of the document's kind; returns what it shows, throws Unproven when it does not. */
function check(doc: EvidenceDocument, key: LogKey, name: string): string {
  const heads = (doc.heads as readonly SignedHead[]).map((h, i) => openHead(h, doc.log, key, `heads[${i}]`));
  switch (doc.kind) {
    case 'fork': {
      const [a, b] = heads;
      if (a.size !== b.size) throw new Unproven(`the heads have sizes ${a.size} and ${b.size}, want one size`);
      if (a.root.equals(b.root)) throw new Unproven(`both heads of size ${a.size} have root ${hex8(a.root)}: they agree`);
      return `log ${name} signed two different trees of size ${a.size}: roots ${hex8(a.root)} and ${hex8(b.root)}`;
    }
    case 'inconsistent':
      return inconsistent(doc, heads, name);
    case 'empty-root': {
      const [a] = heads;
      if (a.size !== 0) throw new Unproven(`the head has size ${a.size}, want 0`);
      // RFC 6962 §2.1: "The hash of an empty list is the hash of an empty string".
      if (a.root.equals(EMPTY_ROOT)) throw new Unproven('the head of size 0 has the empty-tree root: nothing wrong');
      return `log ${name} signed a tree of size 0 with root ${hex8(a.root)}, not the empty-tree hash SHA-256("")`;
    }
    case 'rollback': {
      const [a, b] = heads;
      if (a.timeNs === null || b.timeNs === null)
        throw new Unproven('the heads carry no signed timestamps (plain checkpoints): their order is not proven');
      if (b.size >= a.size) throw new Unproven(`heads[1] has size ${b.size}, want smaller than heads[0] (${a.size})`);
      if (b.timeNs <= a.timeNs)
        throw new Unproven(
          `heads[1] is signed at ${ns2iso(b.timeNs)}, not after heads[0] (${ns2iso(a.timeNs)}): an older head, not a rollback`,
        );
      return `log ${name} signed size ${a.size} at ${ns2iso(a.timeNs)}, then a smaller tree of size ${b.size} at ${ns2iso(b.timeNs)}`;
    }
    case 'broken-promise':
      return brokenPromise(doc, heads, openPromise(doc.promise, doc.log, key), name);
    case 'proof-refused': {
      const [a, b] = heads;
      if (a.size === b.size) throw new Unproven(`the heads have one size (${a.size}): no consistency proof is needed`);
      const last = doc.attempts[doc.attempts.length - 1];
      return `log ${name} did not serve a valid consistency proof between its heads of sizes ${a.size} and ${b.size} (${doc.attempts.length} attempt(s), last at ${last.at}: ${last.outcome})`;
    }
    case 'unresponsive': {
      const last = doc.attempts[doc.attempts.length - 1];
      const had = heads.length > 0 ? `; its last head has size ${heads[0].size}` : '';
      return `log ${name} stopped answering: ${doc.attempts.length} failed attempt(s), last at ${last.at}: ${last.outcome}${had}`;
    }
    case 'promise-unconfirmed': {
      const p = openPromise(doc.promise, doc.log, key);
      return `the promise of log ${name} made at ${ns2iso(p.timeNs)} could not be shown included or absent`;
    }
    case 'regression': {
      const [a, b] = heads;
      if (b.size >= a.size) throw new Unproven(`heads[1] has size ${b.size}, want smaller than heads[0] (${a.size})`);
      return `log ${name} showed size ${b.size} after size ${a.size}`;
    }
  }
}

function inconsistent(doc: Extract<EvidenceDocument, { kind: 'inconsistent' }>, heads: readonly OpenedHead[], name: string): string {
  const [a, b] = heads;
  if (a.size === 0 || a.size >= b.size) throw new Unproven(`the heads have sizes ${a.size} and ${b.size}, want 0 < heads[0] < heads[1]`);
  const d = doc.consistency;
  const h = oneHash('consistency.recomputedRoot', d.recomputedRoot);
  try {
    switch (d.method) {
      case 'consistency-proof':
        // RFC 6962 §2.1.2: the proof binds (m, h) to the signed (n, root).
        verifyConsistency(a.size, b.size, hashList('consistency.proof', d.proof), h, b.root);
        break;
      case 'inclusion-proof': {
        if (d.leafIndex !== a.size - 1)
          throw new Unproven(`consistency.leafIndex is ${d.leafIndex}, want heads[0].size - 1 = ${a.size - 1}`);
        const leaf = oneHash('consistency.leafHash', d.leafHash);
        const path = hashList('consistency.path', d.path);
        // RFC 6962 §2.1.1: the path binds its nodes to the signed (n, root).
        verifyInclusion(d.leafIndex, b.size, leaf, path, b.root);
        const r = prefixRootFromInclusion(d.leafIndex, b.size, leaf, path);
        if (r === null || !r.equals(h)) throw new Unproven('the inclusion proof does not recompute consistency.recomputedRoot');
        break;
      }
      case 'leaf-hashes': {
        const leaves = hashList('consistency.leafHashes', d.leafHashes);
        if (leaves.length !== b.size) throw new Unproven(`got ${leaves.length} leaf hashes, want heads[1].size = ${b.size}`);
        const prefix = foldLeafHashes(leaves.slice(0, a.size));
        if (!prefix.root().equals(h)) throw new Unproven('the first leaves do not hash to consistency.recomputedRoot');
        if (!foldLeafHashes(leaves.slice(a.size), prefix).root().equals(b.root))
          throw new Unproven("the leaf hashes do not hash to heads[1]'s root");
        break;
      }
    }
  } catch (err) {
    if (err instanceof ProofError) throw new Unproven(`consistency (${d.method}): ${err.message}`);
    throw err;
  }
  if (h.equals(a.root))
    throw new Unproven(`the tree of size ${b.size} has root ${hex8(h)} at size ${a.size}, as heads[0] says: consistent`);
  return `log ${name} signed size ${a.size} with root ${hex8(a.root)}, but its signed tree of size ${b.size} has root ${hex8(h)} at size ${a.size} (${d.method})`;
}

function brokenPromise(
  doc: Extract<EvidenceDocument, { kind: 'broken-promise' }>,
  heads: readonly OpenedHead[],
  p: OpenedPromise,
  name: string,
): string {
  if (doc.log.mmdMs === undefined) throw new EvidenceError('MALFORMED', 'evidence: log.mmdMs is required for broken-promise evidence');
  const last = heads[heads.length - 1];
  const deadline = p.timeNs + msToNs(doc.log.mmdMs);
  if (last.timeNs === null) throw new Unproven('the last head carries no signed timestamp, so it is not shown to be past the deadline');
  if (last.timeNs <= deadline)
    throw new Unproven(`the last head is signed at ${ns2iso(last.timeNs)}, not after the deadline ${ns2iso(deadline)} (promise + MMD)`);
  let start = CompactRange.empty();
  if (heads.length === 2) {
    const before = heads[0];
    const range = doc.absence.before;
    if (range === undefined) throw new Unproven('two heads but no absence.before compact range for heads[0]');
    if (before.timeNs === null || before.timeNs >= p.timeNs)
      throw new Unproven("heads[0] is not signed before the promise's timestamp, so the entry could be in its tree");
    try {
      start = CompactRange.fromHashes(before.size, hashList('absence.before.rangeHashes', range.rangeHashes));
    } catch (err) {
      if (err instanceof ProofError) throw new Unproven(`absence.before: ${err.message}`);
      throw err;
    }
    if (!start.root().equals(before.root)) throw new Unproven("absence.before.rangeHashes do not hash to heads[0]'s root");
  } else if (doc.absence.before !== undefined) {
    throw new Unproven('absence.before is given but there is no earlier head to check it against');
  }
  const leaves = hashList('absence.leafHashes', doc.absence.leafHashes);
  if (start.size + leaves.length !== last.size)
    throw new Unproven(`the leaves cover [${start.size}, ${start.size + leaves.length}), want [${start.size}, ${last.size})`);
  if (!foldLeafHashes(leaves, start).root().equals(last.root)) throw new Unproven("the leaf hashes do not hash to the last head's root");
  const at = leaves.findIndex((l) => l.equals(p.leafHash));
  if (at >= 0) throw new Unproven(`the promised entry is leaf ${start.size + at} of the last head: the promise was kept`);
  const mmd = `${doc.log.mmdMs / 1000} s`;
  const via = heads.length === 2 ? ` (nor, by RFC 6962 §3.5, in its tree of size ${start.size} signed before the promise)` : '';
  return `log ${name} promised at ${ns2iso(p.timeNs)} (MMD ${mmd}) an entry that its tree of size ${last.size}, signed at ${ns2iso(last.timeNs)}, does not contain${via}`;
}
