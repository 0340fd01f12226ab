/**
 * An IncidentSink that appends one JSON line per incident to a file and
 * fsyncs it before `report` resolves (format: docs/incidents.md). A torn last
 * line after a crash is the reader's to skip: every complete line is one
 * record.
 *
 * Deduplication: an incident whose id this sink already wrote (since the
 * process started, the last `DEDUP_IDS` ids) is not written again, so a log
 * that keeps resubmitting one forked checkpoint makes one record.
 *
 * Concurrency: `report` calls are chained, so lines never interleave.
 */
import { open } from 'node:fs/promises';
import type { Incident, IncidentSink } from './incident.ts';

const DEDUP_IDS = 10_000;

export class JsonLinesIncidentSink implements IncidentSink {
  readonly #path: string;
  readonly #seen = new Set<string>();
  #tail: Promise<void> = Promise.resolve();

  constructor(path: string) {
    this.#path = path;
  }

  report(incident: Incident): Promise<void> {
    const run = this.#tail.then(() => this.#append(incident));
    // The chain goes on after a failed write; the failure reaches this caller only.
    this.#tail = run.catch(() => {});
    return run;
  }

  async #append(incident: Incident): Promise<void> {
    if (this.#seen.has(incident.id)) return;
    const fh = await open(this.#path, 'a', 0o644);
    try {
      await fh.appendFile(`${JSON.stringify(incident)}\n`, 'utf8');
      await fh.datasync();
    } finally {
      await fh.close();
    }
    this.#seen.add(incident.id);
    if (this.#seen.size > DEDUP_IDS) this.#seen.delete(this.#seen.values().next().value as string);
  }
}
