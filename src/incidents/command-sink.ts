/**
 * Runs a command per incident: the argv given (no shell, so no quoting
 * surprises), the JSON record (record.ts) on stdin, and
 * GRAPEVINE_INCIDENT_{ID,CATEGORY,CLASS,SUMMARY,EVIDENCE} in its environment.
 * One command at a time, from a bounded queue (a full queue drops and
 * counts); a command that exits non-zero, or runs past `timeoutMs` (then it
 * is killed), is counted and logged, not retried — the command owns its own
 * retries. Its stdout is discarded and its stderr's first KiB logged.
 */
import { spawn } from 'node:child_process';
import type { Incident } from '../evidence/index.ts';
import { incidentRecord } from './record.ts';
import { type IncidentLogger, type IncidentSink, NO_FAILURE_COUNT, type ReportContext, type SinkFailures } from './sink.ts';

export interface CommandSinkOptions {
  /** Program and arguments, e.g. ["/usr/local/bin/page-oncall", "--team", "ct"]. */
  readonly argv: readonly string[];
  /** Per command, ms (default 30 s). */
  readonly timeoutMs?: number;
  /** Incidents waiting at most (default 100). */
  readonly queueSize?: number;
  readonly failures?: SinkFailures;
  readonly log?: IncidentLogger;
}

const STDERR_KEEP = 1024;

export class CommandIncidentSink implements IncidentSink {
  readonly name = 'command';
  readonly #o: CommandSinkOptions;
  readonly #failures: SinkFailures;
  #pending = 0;
  #chain: Promise<void> = Promise.resolve();
  #closing = false;

  constructor(o: CommandSinkOptions) {
    if (o.argv.length === 0 || o.argv[0] === '') throw new TypeError('command sink: argv is empty');
    this.#o = o;
    this.#failures = o.failures ?? NO_FAILURE_COUNT;
  }

  async report(i: Incident, ctx: ReportContext): Promise<void> {
    if (this.#closing) return;
    if (this.#pending >= (this.#o.queueSize ?? 100)) {
      this.#failures.failed(this.name, 'dropped');
      this.#o.log?.error({ incident: i.id }, 'command sink queue full: incident dropped');
      return;
    }
    this.#pending++;
    this.#chain = this.#chain.then(() => this.#run(i, ctx)).finally(() => this.#pending--);
  }

  /** Resolves when every queued command has finished (for tests and close). */
  idle(): Promise<void> {
    return this.#chain;
  }

  #run(i: Incident, ctx: ReportContext): Promise<void> {
    const [cmd, ...args] = this.#o.argv;
    return new Promise<void>((resolve) => {
      const child = spawn(cmd, args, {
        stdio: ['pipe', 'ignore', 'pipe'],
        env: {
          ...process.env,
          GRAPEVINE_INCIDENT_ID: i.id,
          GRAPEVINE_INCIDENT_CATEGORY: i.category,
          GRAPEVINE_INCIDENT_CLASS: i.class,
          GRAPEVINE_INCIDENT_SUMMARY: i.summary,
          GRAPEVINE_INCIDENT_EVIDENCE: ctx.evidencePath ?? '',
        },
      });
      let stderr = '';
      let timedOut = false;
      child.stderr?.on('data', (b: Buffer) => {
        if (stderr.length < STDERR_KEEP) stderr += b.toString('utf8').slice(0, STDERR_KEEP - stderr.length);
      });
      const timer = setTimeout(() => {
        timedOut = true;
        child.kill('SIGKILL');
      }, this.#o.timeoutMs ?? 30_000);
      // A command that does not read its stdin gets EPIPE: that is its business, not a crash of ours.
      child.stdin?.on('error', () => {});
      child.stdin?.end(`${JSON.stringify(incidentRecord(i, ctx))}\n`);
      let finished = false;
      const done = (code: number | null, err?: Error) => {
        // 'error' (spawn failed) may be followed by 'close': count once.
        if (finished) return;
        finished = true;
        clearTimeout(timer);
        if (code !== 0 || err !== undefined) {
          this.#failures.failed(this.name, timedOut ? 'timeout' : 'error');
          const outcome = err?.message ?? (timedOut ? `killed after ${this.#o.timeoutMs ?? 30_000} ms` : `exit ${code}`);
          this.#o.log?.error({ incident: i.id, command: cmd, outcome, stderr: stderr.trim() }, 'incident command failed');
        }
        resolve();
      };
      child.once('error', (err) => done(null, err));
      child.once('close', (code) => done(code));
    });
  }

  async close(): Promise<void> {
    this.#closing = true;
    await this.#chain;
  }
}
