/**
 * The `incidents` section shared by the collector, auditor (and any
 * observer) config files: where evidence files go and which sinks deliver
 * incidents (docs/incidents.md). Validated here, built by
 * src/incidents/build.ts.
 *
 *     incidents:
 *       evidenceDir: evidence                 # relative: from the config file's folder
 *       sinks:
 *         - type: log
 *         - type: jsonl
 *           path: incidents.jsonl
 *         - type: webhook
 *           url: https://alerts.example/grapevine
 *           headers: { Authorization: "Bearer ${ALERT_TOKEN}" }
 *         - type: command
 *           argv: [/usr/local/bin/page-oncall, --team, ct]
 */
import { z } from 'zod';
import { doc, duration, positiveDuration, resolvePath } from './fields.ts';

/** The `type` of a sink, documented once for every form. */
const sinkType = <T extends string>(t: T) =>
  doc(z.literal(t), {
    description: "The kind of sink: log (the observer's log), jsonl (a file), webhook (HTTP POST) or command (a program).",
  });

const webhook = z.strictObject({
  type: sinkType('webhook'),
  url: doc(z.url({ protocol: /^https?$/ }), { description: 'Where each incident is POSTed as JSON (docs/incidents.md).' }),
  headers: doc(z.record(z.string(), z.string()).optional(), {
    description: 'Extra request headers, e.g. Authorization. Use $' + '{VAR} substitution to keep secrets out of the file.',
    trust: 'whoever reads the config file reads these headers.',
  }),
  timeout: doc(positiveDuration.prefault('10s'), { description: 'Time limit per attempt.', unit: 'duration' }),
  maxAttempts: doc(z.number().int().min(1).max(100).default(8), { description: 'Tries per incident, the first included.' }),
  backoff: doc(duration.prefault('1s'), { description: 'First wait between tries; doubles per try, with full jitter.', unit: 'duration' }),
  maxBackoff: doc(positiveDuration.prefault('5m'), {
    description: 'Longest wait between tries (also caps Retry-After).',
    unit: 'duration',
  }),
  queueSize: doc(z.number().int().min(1).max(1_000_000).default(1000), {
    description: 'Incidents waiting for delivery at most; more are dropped and counted.',
  }),
});

const command = z.strictObject({
  type: sinkType('command'),
  argv: doc(z.array(z.string().min(1)).min(1), {
    description: 'Program and arguments, run without a shell; the incident record on stdin, GRAPEVINE_INCIDENT_* in the environment.',
    trust: 'runs with the observer’s privileges for every incident.',
  }),
  timeout: doc(positiveDuration.prefault('30s'), { description: 'Time limit per run; the command is killed after it.', unit: 'duration' }),
  queueSize: doc(z.number().int().min(1).max(100_000).default(100), { description: 'Runs waiting at most; more are dropped and counted.' }),
});

export const incidentSinkSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: sinkType('log') }),
  z.strictObject({ type: sinkType('jsonl'), path: doc(z.string().min(1), { description: 'JSON-lines file, appended and fsynced.' }) }),
  webhook,
  command,
]);

export const incidentsSection = z.strictObject({
  evidenceDir: doc(z.string().min(1).optional(), {
    description: 'Directory for evidence files <incident id>.json (created if missing). Omitted: evidence only travels with the sinks.',
  }),
  sinks: doc(z.array(incidentSinkSchema).default([{ type: 'log' }]), {
    description: 'Where incidents go: log, jsonl, webhook, command. Default: the log only.',
  }),
});
export type IncidentsSection = z.output<typeof incidentsSection>;

type IncidentSinkSpecOut =
  | { readonly type: 'log' }
  | { readonly type: 'jsonl'; readonly path: string }
  | {
      readonly type: 'webhook';
      readonly url: string;
      readonly headers?: Readonly<Record<string, string>>;
      readonly timeoutMs: number;
      readonly maxAttempts: number;
      readonly backoffMs: number;
      readonly maxBackoffMs: number;
      readonly queueSize: number;
    }
  | { readonly type: 'command'; readonly argv: readonly string[]; readonly timeoutMs: number; readonly queueSize: number };

/** The section with paths resolved against the config file's folder and durations as ms (src/incidents IncidentsSpec). */
export function resolveIncidents(s: IncidentsSection, baseDir: string) {
  return {
    ...(s.evidenceDir !== undefined ? { evidenceDir: resolvePath(baseDir, s.evidenceDir) } : {}),
    sinks: s.sinks.map((k): IncidentSinkSpecOut => {
      switch (k.type) {
        case 'log':
          return { type: 'log' as const };
        case 'jsonl':
          return { type: 'jsonl' as const, path: resolvePath(baseDir, k.path) };
        case 'webhook':
          return {
            type: 'webhook' as const,
            url: k.url,
            ...(k.headers !== undefined ? { headers: k.headers } : {}),
            timeoutMs: k.timeout,
            maxAttempts: k.maxAttempts,
            backoffMs: k.backoff,
            maxBackoffMs: k.maxBackoff,
            queueSize: k.queueSize,
          };
        case 'command':
          return { type: 'command' as const, argv: k.argv, timeoutMs: k.timeout, queueSize: k.queueSize };
        default:
          throw new Error(`unreachable sink type ${(k as { type: string }).type}`);
      }
    }),
  };
}
