/**
 * Where incidents go: one small interface, declared here by its consumers
 * (the IncidentReporter, and through it the collector, auditor, gossip
 * service and witness).
 *
 * Contract:
 * - `report` resolves once the sink has *accepted* the incident: written and
 *   fsynced for a file, queued for a webhook or a command (delivery goes on
 *   in the background, with retries where the sink says so). It never rejects
 *   for a delivery failure — the sink counts and logs those — only for a
 *   programming error.
 * - Concurrency: `report` may be called concurrently; each sink serializes
 *   what it must (file appends, one command at a time).
 * - Deduplication is the reporter's (by incident id); a sink may also skip an
 *   id it already delivered (the JSON-lines file does, across restarts).
 * - `close` stops accepting, waits for queued deliveries up to the sink's own
 *   deadline, then gives up on the rest. Idempotent.
 */
import type { Incident } from '../evidence/index.ts';

export interface IncidentSink {
  /** A short label for logs and metrics: "log", "jsonl", "webhook", "command". */
  readonly name: string;
  report(incident: Incident, ctx: ReportContext): Promise<void>;
  close(): Promise<void>;
}

/** What the reporter knows beside the incident. */
export interface ReportContext {
  /** Where the evidence document was written, when an evidence directory is configured. */
  readonly evidencePath?: string;
}

/** The one logger shape sinks use; a pino Logger satisfies it. */
export interface IncidentLogger {
  error(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}

/** Counts what sinks cannot deliver (metrics.ts implements it on prom-client). */
export interface SinkFailures {
  /** A delivery given up on (after its retries), or an incident dropped from a full queue. */
  failed(sink: string, reason: 'error' | 'dropped' | 'timeout'): void;
}

export const NO_FAILURE_COUNT: SinkFailures = { failed() {} };
