/**
 * What a server prints while it runs: `--log-format human` (the default on a
 * terminal) shows a person one readable line per notable event — the
 * dashboard's activity lines (a certificate logged, a hub recording a head,
 * a head gossiped, a cosignature, an incident; src/dashboard/activity.ts, the
 * pino records with an `event` field) — and every warning and error, on
 * stderr; `--log-format json` (the default otherwise) writes pino's JSON
 * lines to stdout for machines. `--log-file FILE` appends the JSON lines to
 * FILE in either mode, so a file always has everything.
 *
 * Human lines are escaped with terminalLine: a name or message from outside
 * cannot steer the terminal.
 */
import { type DestinationStream, type Level, type Logger, pino } from 'pino';
import type { LogLevel } from '../config/fields.ts';
import { terminalLine } from './output.ts';

export type LogFormat = 'human' | 'json';

export const LOG_FORMATS: readonly LogFormat[] = ['human', 'json'];

/** pino's numeric levels. */
const WARN = 40;
const ERROR = 50;

/** Fields not repeated after a warning's message (pino's own, and what the message already says). */
const QUIET = new Set(['level', 'time', 'pid', 'hostname', 'msg', 'event', 'reqId', 'req', 'res', 'responseTime']);

/** A record's extra fields as `k=v`, short. */
function extras(rec: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(rec)) {
    if (QUIET.has(k) || v === undefined || v === null) continue;
    const text = typeof v === 'object' ? ((v as { message?: unknown }).message ?? JSON.stringify(v)) : v;
    parts.push(`${k}=${String(text).slice(0, 200)}`);
  }
  return parts.length > 0 ? ` (${parts.join(', ')})` : '';
}

const clock = (ms: unknown) => (typeof ms === 'number' ? new Date(ms).toTimeString().slice(0, 8) : '--:--:--');

/**
 * The human line of one pino record, or null for records a person need not
 * see (info and below without an `event`). An incident is printed once even
 * when both its event and its log sink line arrive: `printedIncidents` holds
 * the ids already shown.
 */
export function humanLine(rec: Record<string, unknown>, printedIncidents: Set<string>): string | null {
  const level = typeof rec.level === 'number' ? rec.level : 30;
  const msg = String(rec.msg ?? '');
  const incident = typeof rec.incident === 'string' ? rec.incident : undefined;
  if (incident !== undefined && (rec.event === 'incident' || rec.category !== undefined)) {
    if (printedIncidents.has(incident)) return null;
    printedIncidents.add(incident);
    const evidence = typeof rec.evidence === 'string' ? `; evidence ${rec.evidence}` : '';
    const text = msg.startsWith('INCIDENT') ? msg : `INCIDENT ${incident}: ${msg.replace(/^incident \(suspicion\) /, '(suspicion) ')}`;
    return terminalLine(`${clock(rec.time)}  ${text}${evidence}`);
  }
  if (rec.event !== undefined) return terminalLine(`${clock(rec.time)}  ${msg}`);
  if (level >= ERROR) return terminalLine(`${clock(rec.time)}  error: ${msg}${extras(rec)}`);
  if (level >= WARN) return terminalLine(`${clock(rec.time)}  warning: ${msg}${extras(rec)}`);
  return null;
}

/** A pino destination that writes human lines to `out`. */
export function humanStream(out: { write(s: string): unknown }): DestinationStream {
  const printed = new Set<string>();
  return {
    write(line: string) {
      let rec: Record<string, unknown>;
      try {
        rec = JSON.parse(line) as Record<string, unknown>;
      } catch {
        return;
      }
      const text = humanLine(rec, printed);
      if (text !== null) out.write(`${text}\n`);
    },
  };
}

/** The default format: human when a person is watching both outputs, JSON otherwise. */
export function defaultLogFormat(): LogFormat {
  return process.stdout.isTTY && process.stderr.isTTY ? 'human' : 'json';
}

/** The server's logger for a format, with `file` (JSON, appended) beside it when given. */
export function serverLogger(o: { level: LogLevel; format: LogFormat; file?: string }): Logger {
  const main: DestinationStream = o.format === 'human' ? humanStream(process.stderr) : pino.destination({ dest: 1, sync: true });
  if (o.file === undefined) return pino({ level: o.level }, main);
  const file = pino.destination({ dest: o.file, append: true, mkdir: true, sync: true });
  const level = o.level as Level;
  return pino(
    { level: o.level },
    pino.multistream([
      { level, stream: main },
      { level, stream: file },
    ]),
  );
}
