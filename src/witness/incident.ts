/**
 * Evidence the witness raises when a checkpoint that carries a valid
 * signature of its log fails the consistency checks (c2sp.org/tlog-witness:
 * the witness MAY log such a request as evidence of log misbehaviour and
 * MUST NOT cosign it; torchwood #72: keep the signed artifacts, not just size
 * and root). The documents are src/evidence's, so any holder checks them
 * with `grapevine evidence verify` without trusting the witness:
 *
 *   same size, another root        fork (proof): the cosigned note and the submitted one
 *   size 0, not the empty root     empty-root (proof): the submitted note
 *   proof fails, old m < size n    inconsistent (proof) when the submitted proof computes the signed n-root
 *                                  and another m-root than the cosigned one (its nodes are then the
 *                                  n-tree's: RFC 6962 §2.1.2); otherwise proof-refused (suspicion): a
 *                                  proof that does not verify may be the submitter's mistake
 *
 * Pure: the time comes in.
 */
import { logIdOfOrigin } from '../audit/index.ts';
import {
  attempt,
  checkpointHead,
  checkpointLog,
  derivationFromConsistencyProof,
  type EvidenceDocument,
  emptyRootEvidence,
  forkEvidence,
  inconsistentEvidence,
  proofRefusedEvidence,
} from '../evidence/index.ts';

/** Where the witness raises evidence: src/incidents' IncidentReporter in servers. */
export interface EvidenceRaiser {
  /** Resolves once delivered as far as the reporter goes; failures of sinks are the reporter's to log. */
  raise(doc: EvidenceDocument): Promise<unknown>;
}

export interface RefusedCheckpoint {
  /** Why the witness refused: ROOT_MISMATCH or BAD_PROOF. */
  readonly code: 'ROOT_MISMATCH' | 'BAD_PROOF';
  readonly origin: string;
  /** The vkey of the log key that verified the submitted note. */
  readonly vkey: string;
  readonly url?: string;
  /** The witness's name: who observed and wrote the evidence. */
  readonly witness: string;
  /** The cosigned checkpoint (log signature and cosignatures), and when the witness cosigned it, POSIX seconds; null when none. */
  readonly accepted: { readonly note: string; readonly time: number } | null;
  /** The submitted note exactly as received. */
  readonly submitted: string;
  readonly oldSize: number;
  readonly size: number;
  readonly rootHash: Uint8Array;
  readonly proof: readonly Uint8Array[];
  /** Why the check failed, one line. */
  readonly detail: string;
  readonly atMs: number;
}

/**
 * The evidence document of a refused checkpoint. Throws EvidenceError
 * BAD_INPUT when the material does not verify as the kind it should be (for
 * example the cosigned note was signed by a key the log has since dropped):
 * the caller logs it rather than raise what a third party would reject.
 */
export function refusedCheckpointEvidence(r: RefusedCheckpoint): EvidenceDocument {
  const base = {
    log: checkpointLog({ origin: r.origin, vkey: r.vkey, logId: logIdOfOrigin(r.origin), ...(r.url !== undefined ? { url: r.url } : {}) }),
    by: r.witness,
    atMs: r.atMs,
  };
  const submitted = checkpointHead(r.submitted, { by: r.witness, from: 'add-checkpoint', atMs: r.atMs });
  if (r.size === 0) return emptyRootEvidence({ ...base, head: submitted });
  if (r.accepted === null) throw new Error('refusedCheckpointEvidence: a consistency refusal needs the cosigned checkpoint');
  const accepted = checkpointHead(r.accepted.note, { by: r.witness, from: 'add-checkpoint', atMs: r.accepted.time * 1000 });
  if (r.code === 'ROOT_MISMATCH') return forkEvidence({ ...base, heads: [accepted, submitted] });
  const derivation = derivationFromConsistencyProof(r.oldSize, r.size, r.proof, r.rootHash);
  if (derivation !== null) return inconsistentEvidence({ ...base, older: accepted, newer: submitted, consistency: derivation });
  return proofRefusedEvidence({
    ...base,
    older: accepted,
    newer: submitted,
    attempts: [
      attempt(
        `add-checkpoint old ${r.oldSize} with a ${r.proof.length}-hash consistency proof to size ${r.size}`,
        r.atMs,
        r.detail,
        r.witness,
      ),
    ],
  });
}
