/**
 * Incidents: what an observer raises when it holds evidence. The category is
 * the evidence kind (a stable name, also the metrics label); the id is
 * derived from *what* the evidence shows — the log and the heads or promise
 * involved — never from who saw it or when, so every observer that catches
 * the same misbehaviour names it the same and sinks collapse duplicates
 * (the way monologue keeps `summary` and `category` stable, specs/
 * gossip-protocols.md §4.8).
 *
 *   fork                 log, size, the two roots (sorted)
 *   inconsistent         log, size m, the signed and the recomputed root at m (sorted)
 *   empty-root           log, the root signed for size 0
 *   rollback             log, the larger head (size, root), the later smaller one
 *   regression           log, both heads (size, root)
 *   proof-refused        log, both heads (size, root)
 *   broken-promise       log, the promised leaf hash
 *   promise-unconfirmed  log, the promised leaf hash
 *   unresponsive         log, the last head it served (size, root) or none
 *
 * Pure.
 */
import { createHash } from 'node:crypto';
import { resolveLogKey } from './keys.ts';
import { openHead, openPromise } from './open.ts';
import { EVIDENCE_KINDS, type EvidenceClass, type EvidenceDocument, type EvidenceKind, type SignedHead } from './schema.ts';

/** The stable incident categories: one per evidence kind. */
export type IncidentCategory = EvidenceKind;
export const INCIDENT_CATEGORIES = Object.keys(EVIDENCE_KINDS) as readonly IncidentCategory[];

export interface Incident {
  /** `<category>-<16 hex>`, a function of the evidence's facts (see the file comment). */
  readonly id: string;
  readonly category: IncidentCategory;
  readonly class: EvidenceClass;
  readonly log: { readonly id: string; readonly name?: string; readonly url?: string };
  /** One line: what the evidence shows. */
  readonly summary: string;
  /** Who raised it. */
  readonly raisedBy: string;
  /** When, ms since the epoch. */
  readonly raisedAtMs: number;
  readonly evidence: EvidenceDocument;
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** The facts an incident id is made of, as text lines. Requires a document that verifies with its inline key (as builders make). */
function facts(doc: EvidenceDocument): string[] {
  const key = resolveLogKey(doc.log, []);
  const heads = (doc.heads as readonly SignedHead[]).map((h, i) => openHead(h, doc.log, key, `heads[${i}]`));
  const point = (h: { size: number; root: Uint8Array }) => `${h.size}:${hex(h.root)}`;
  switch (doc.kind) {
    case 'fork':
      return [String(heads[0].size), ...[hex(heads[0].root), hex(heads[1].root)].sort()];
    case 'inconsistent': {
      const r = Buffer.from(doc.consistency.recomputedRoot, 'base64');
      return [String(heads[0].size), ...[hex(heads[0].root), hex(r)].sort()];
    }
    case 'empty-root':
      return [hex(heads[0].root)];
    case 'rollback':
    case 'regression':
    case 'proof-refused':
      return heads.map(point);
    case 'broken-promise':
    case 'promise-unconfirmed':
      return [hex(openPromise(doc.promise, doc.log, key).leafHash)];
    case 'unresponsive':
      return heads.length > 0 ? [point(heads[0])] : ['none'];
  }
}

/** The incident id of a document. */
export function incidentId(doc: EvidenceDocument): string {
  const h = createHash('sha256')
    .update(['grapevine incident v1', doc.kind, doc.log.id, ...facts(doc)].join('\n'))
    .digest('hex');
  return `${doc.kind}-${h.slice(0, 16)}`;
}

/** The incident for `doc`, raised by `by` at `atMs`. */
export function makeIncident(doc: EvidenceDocument, by: string, atMs: number): Incident {
  return {
    id: incidentId(doc),
    category: doc.kind,
    class: doc.class,
    log: {
      id: doc.log.id,
      ...(doc.log.name !== undefined ? { name: doc.log.name } : {}),
      ...(doc.log.url !== undefined ? { url: doc.log.url } : {}),
    },
    summary: doc.summary,
    raisedBy: by,
    raisedAtMs: atMs,
    evidence: doc,
  };
}
