/**
 * Builds an IncidentReporter from a validated incidents section
 * (src/config/incidents.ts): the composition root (cli/) calls this with the
 * process's logger and metrics registry.
 */
import type { Registry } from 'prom-client';
import { CommandIncidentSink } from './command-sink.ts';
import { EvidenceDir } from './evidence-dir.ts';
import { JsonLinesIncidentSink } from './jsonl-sink.ts';
import { LogIncidentSink } from './log-sink.ts';
import { IncidentMetrics } from './metrics.ts';
import { IncidentReporter } from './reporter.ts';
import type { IncidentLogger, IncidentSink } from './sink.ts';
import { WebhookIncidentSink } from './webhook-sink.ts';

/** One sink, as the config describes it (durations in ms, paths absolute). */
export type IncidentSinkSpec =
  | { readonly type: 'log' }
  | { readonly type: 'jsonl'; readonly path: string }
  | {
      readonly type: 'webhook';
      readonly url: string;
      readonly headers?: Readonly<Record<string, string>>;
      readonly timeoutMs?: number;
      readonly maxAttempts?: number;
      readonly backoffMs?: number;
      readonly maxBackoffMs?: number;
      readonly queueSize?: number;
    }
  | { readonly type: 'command'; readonly argv: readonly string[]; readonly timeoutMs?: number; readonly queueSize?: number };

export interface IncidentsSpec {
  /** Directory for evidence files `<id>.json`; absent: none written. */
  readonly evidenceDir?: string;
  readonly sinks: readonly IncidentSinkSpec[];
}

export interface IncidentDeps {
  readonly observer: string;
  readonly log: IncidentLogger;
  readonly registry?: Registry;
  readonly fetch?: typeof fetch;
  readonly now?: () => number;
}

export function buildIncidentReporter(spec: IncidentsSpec, deps: IncidentDeps): IncidentReporter {
  const metrics = deps.registry !== undefined ? new IncidentMetrics(deps.registry) : undefined;
  const common = { log: deps.log, ...(metrics !== undefined ? { failures: metrics } : {}) };
  const sinks: IncidentSink[] = spec.sinks.map((s) => {
    switch (s.type) {
      case 'log':
        return new LogIncidentSink(deps.log);
      case 'jsonl':
        return new JsonLinesIncidentSink(s.path);
      case 'webhook': {
        const { type: _, ...o } = s;
        return new WebhookIncidentSink({ ...o, ...common, ...(deps.fetch !== undefined ? { fetch: deps.fetch } : {}) });
      }
      default:
        return new CommandIncidentSink({
          argv: s.argv,
          ...(s.timeoutMs !== undefined ? { timeoutMs: s.timeoutMs } : {}),
          ...(s.queueSize !== undefined ? { queueSize: s.queueSize } : {}),
          ...common,
        });
    }
  });
  return new IncidentReporter({
    observer: deps.observer,
    sinks,
    log: deps.log,
    ...(spec.evidenceDir !== undefined ? { evidenceDir: new EvidenceDir(spec.evidenceDir) } : {}),
    ...(metrics !== undefined ? { metrics } : {}),
    ...(deps.now !== undefined ? { now: deps.now } : {}),
  });
}
