/**
 * The JSON record of an incident, as the JSON-lines file stores it, the
 * webhook POSTs it and the command reads it on stdin (docs/incidents.md).
 * Fields are only ever added; a change in meaning bumps `v`.
 */
import type { EvidenceDocument, Incident } from '../evidence/index.ts';
import type { ReportContext } from './sink.ts';

export interface IncidentRecord {
  readonly v: 1;
  readonly id: string;
  readonly category: string;
  readonly class: 'proof' | 'suspicion';
  /** When it was raised, RFC 3339 UTC. */
  readonly time: string;
  /** Who raised it. */
  readonly observer: string;
  readonly log: Incident['log'];
  /** One line: what the evidence shows (the verifier's words). */
  readonly summary: string;
  /** Where the evidence file is, when an evidence directory is configured. */
  readonly evidencePath?: string;
  /** The evidence document (docs/evidence.md), verifiable with `grapevine evidence verify`. */
  readonly evidence: EvidenceDocument;
}

export function incidentRecord(i: Incident, ctx: ReportContext = {}): IncidentRecord {
  return {
    v: 1,
    id: i.id,
    category: i.category,
    class: i.class,
    time: new Date(i.raisedAtMs).toISOString(),
    observer: i.raisedBy,
    log: i.log,
    summary: i.summary,
    ...(ctx.evidencePath !== undefined ? { evidencePath: ctx.evidencePath } : {}),
    evidence: i.evidence,
  };
}
