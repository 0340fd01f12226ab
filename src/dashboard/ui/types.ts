/**
 * The API's answers as the page reads them (docs/dashboard.md). Type-only
 * imports of the server's own shapes: erased from the bundle, so the page
 * loads no server code, yet cannot drift from what the server sends.
 */
import type { ServiceStatus, SourceObservation } from '../../http/status.ts';
import type { ActivityEvent } from '../activity.ts';
import type { IncidentDetail, IncidentSummary } from '../incidents.ts';
import type { PlotsAnswer } from '../samples.ts';
import type { SourceRow } from '../sources.ts';

export type { ActivityEvent, IncidentDetail, IncidentSummary, ServiceStatus, SourceObservation, SourceRow };

interface Versioned {
  readonly api: 1;
}

export interface Overview extends Versioned {
  readonly now: number;
  readonly takenAt: number;
  readonly services: readonly ServiceStatus[];
  readonly incidents: { readonly total: number; readonly proofs: number };
  readonly events: readonly ActivityEvent[];
}

export interface Sources extends Versioned {
  readonly now: number;
  readonly sources: readonly SourceRow[];
}

export interface Plots extends Versioned, PlotsAnswer {
  readonly now: number;
  readonly windowMs: number;
  readonly historyMs: number;
  readonly sampleIntervalMs: number;
}

export interface Incidents extends Versioned {
  readonly total: number;
  readonly proofs: number;
  readonly incidents: readonly IncidentSummary[];
}

export interface IncidentAnswer extends Versioned {
  readonly incident: IncidentDetail;
}
