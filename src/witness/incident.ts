/**
 * Incidents the witness raises: a checkpoint that carries a valid signature
 * of its log but fails the consistency checks, kept whole as evidence
 * (c2sp.org/tlog-witness: the witness MAY log such a request as evidence of
 * log misbehaviour and MUST NOT cosign it; torchwood #72: keep the signed
 * artifacts, not just size and root). The record format is documented in
 * docs/incidents.md (version 1, one JSON object per line, fields stable);
 * the split-view issue can adopt it. Pure: no I/O, the time comes in.
 */
import { createHash } from 'node:crypto';
import { encodeBase64 } from '../codec/index.ts';

/**
 * Stable categories:
 * - `witness.root-mismatch` (class proof): the log signed two checkpoints of one size with different roots;
 *   both signed notes are in the record and prove the fork on their own.
 * - `witness.bad-empty-root` (class proof): the log signed a size-0 checkpoint whose root is not SHA-256("")
 *   (RFC 6962 §2.1: the hash of the empty tree is fixed).
 * - `witness.bad-consistency-proof` (class suspicion): the proof from the latest cosigned checkpoint does not
 *   verify. A bad proof may be the submitter's mistake; a monitor confirms by fetching the log's own proof
 *   (gossip draft §10.5.7: a failed proof alone proves nothing).
 */
export type IncidentCategory = 'witness.root-mismatch' | 'witness.bad-empty-root' | 'witness.bad-consistency-proof';

export interface Incident {
  /** Record format version: 1. */
  readonly v: 1;
  /** Lowercase hex SHA-256 over the category and the evidence: equal incidents have equal ids (dedup). */
  readonly id: string;
  readonly category: IncidentCategory;
  /** `proof`: the evidence proves misbehaviour by itself; `suspicion`: it needs confirming. */
  readonly class: 'proof' | 'suspicion';
  /** When it was observed, RFC 3339 UTC with milliseconds. */
  readonly time: string;
  /** Who observed it: the witness's name (its first key's name). */
  readonly observer: string;
  readonly log: { readonly origin: string; readonly originHash: string };
  /** One line, stable wording per category (group incidents on it). */
  readonly summary: string;
  /** One line, the specific reason (sizes, roots). */
  readonly detail: string;
  readonly evidence: {
    /** The latest checkpoint the witness had cosigned: the log's signature and the witness's cosignature(s). */
    readonly accepted: string | null;
    /** The refused checkpoint exactly as received, every signature line included. */
    readonly submitted: string;
    /** The request's old size and consistency proof (base64 hashes). */
    readonly oldSize: number;
    readonly proof: readonly string[];
  };
}

export interface WitnessIncidentInput {
  readonly category: IncidentCategory;
  readonly timeMs: number;
  readonly observer: string;
  readonly origin: string;
  readonly originHash: string;
  readonly detail: string;
  readonly accepted: string | null;
  readonly submitted: string;
  readonly oldSize: number;
  readonly proof: readonly Uint8Array[];
}

const SUMMARY: Record<IncidentCategory, string> = {
  'witness.root-mismatch': 'log signed two checkpoints of the same size with different roots',
  'witness.bad-empty-root': 'log signed a checkpoint of size 0 whose root is not the empty-tree hash',
  'witness.bad-consistency-proof': 'checkpoint signed by the log is not proven consistent with the latest cosigned one',
};

/** Builds an incident record. */
export function witnessIncident(i: WitnessIncidentInput): Incident {
  const proof = i.proof.map(encodeBase64);
  const evidence = { accepted: i.accepted, submitted: i.submitted, oldSize: i.oldSize, proof };
  const id = createHash('sha256')
    .update(JSON.stringify([i.category, i.origin, evidence.accepted, evidence.submitted, evidence.oldSize, proof]))
    .digest('hex');
  return Object.freeze({
    v: 1,
    id,
    category: i.category,
    class: i.category === 'witness.bad-consistency-proof' ? 'suspicion' : 'proof',
    time: new Date(i.timeMs).toISOString(),
    observer: i.observer,
    log: Object.freeze({ origin: i.origin, originHash: i.originHash }),
    summary: SUMMARY[i.category],
    detail: i.detail,
    evidence: Object.freeze(evidence),
  });
}

/**
 * Where incidents go. `report` resolves once the incident is recorded
 * (durably, for file sinks). It may be called concurrently; implementations
 * serialize as they need. A failure is the caller's to log: the witness's
 * refusal stands whatever the sink does.
 */
export interface IncidentSink {
  report(incident: Incident): Promise<void>;
}
