/**
 * Incidents as structured log lines: error for proof, warn for suspicion,
 * with the id, category, log and evidence path as fields and the summary as
 * the message. The evidence itself is not logged (it can be large); it is in
 * the evidence directory or the other sinks.
 */
import type { Incident } from '../evidence/index.ts';
import type { IncidentLogger, IncidentSink, ReportContext } from './sink.ts';

export class LogIncidentSink implements IncidentSink {
  readonly name = 'log';
  readonly #log: IncidentLogger;

  constructor(log: IncidentLogger) {
    this.#log = log;
  }

  async report(i: Incident, ctx: ReportContext): Promise<void> {
    const fields = {
      incident: i.id,
      category: i.category,
      class: i.class,
      log: i.log.name ?? i.log.id,
      ...(ctx.evidencePath !== undefined ? { evidence: ctx.evidencePath } : {}),
    };
    if (i.class === 'proof') this.#log.error(fields, `INCIDENT ${i.summary}`);
    else this.#log.warn(fields, `incident (suspicion) ${i.summary}`);
  }

  async close(): Promise<void> {}
}
