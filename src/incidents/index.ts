/**
 * Delivering incidents (issue 13): the IncidentReporter (dedup by id,
 * evidence files, metrics, fan-out) and its sinks — structured log,
 * JSON-lines file, webhook, command. The incident and its evidence are
 * src/evidence's; this folder does the I/O. docs/incidents.md.
 */

export { buildIncidentReporter, type IncidentDeps, type IncidentSinkSpec, type IncidentsSpec } from './build.ts';
export { CommandIncidentSink, type CommandSinkOptions } from './command-sink.ts';
export { EvidenceDir } from './evidence-dir.ts';
export { JsonLinesIncidentSink } from './jsonl-sink.ts';
export { LogIncidentSink } from './log-sink.ts';
export { IncidentMetrics } from './metrics.ts';
export { type IncidentRecord, incidentRecord } from './record.ts';
export { IncidentReporter, type IncidentReporterOptions, type Raised } from './reporter.ts';
export type { IncidentLogger, IncidentSink, ReportContext, SinkFailures } from './sink.ts';
export { WebhookIncidentSink, type WebhookSinkOptions } from './webhook-sink.ts';
