/**
 * What the auditor's per-log and per-hub audits share: the observation
 * context, the promise book, and `raise`, which builds evidence with the
 * src/evidence builders (they verify what they build) and hands it to the
 * incident reporter. A finding whose evidence does not verify is logged and
 * never raised: no proof incident leaves the auditor that a third party's
 * `grapevine evidence verify` would reject.
 */
import { type EvidenceDocument, EvidenceError } from '../evidence/index.ts';
import type { IncidentLogger, IncidentReporter } from '../incidents/index.ts';
import type { MonitorMetrics } from './metrics.ts';
import type { ObserveContext } from './observe.ts';
import type { PromiseBook } from './promises.ts';

export interface AuditContext {
  readonly ctx: ObserveContext;
  readonly book: PromiseBook;
  readonly metrics?: MonitorMetrics;
  readonly log?: IncidentLogger;
  /** Leaf hashes read at most to show one promise absent. */
  readonly maxLeaves: number;
  /** Rounds a consistency check may stay unproven before it is reported as proof-refused. */
  readonly proofAttempts: number;
  /** Consecutive failed polls of a log or hub before an unresponsive suspicion. */
  readonly unresponsiveAfter: number;
  /** Entries per get-entries request. */
  readonly pageSize: number;
  raise(what: string, build: () => EvidenceDocument): Promise<void>;
}

export function makeRaise(reporter: IncidentReporter, log?: IncidentLogger): AuditContext['raise'] {
  return async (what, build) => {
    let doc: EvidenceDocument;
    try {
      doc = build();
    } catch (err) {
      if (err instanceof EvidenceError) {
        log?.error({ finding: what, code: err.code }, `finding not raised: its evidence does not verify: ${err.message}`);
        return;
      }
      throw err;
    }
    await reporter.raise(doc);
  };
}
