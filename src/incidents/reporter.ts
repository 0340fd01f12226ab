/**
 * The IncidentReporter: what an observer calls when it holds evidence.
 * `raise(doc)` makes the incident (id from the evidence's facts,
 * src/evidence/incident.ts), drops it if this id was raised before (in this
 * process, or — with an evidence directory — by an earlier run), writes the
 * evidence file, counts it, and hands it to every sink. A sink that fails is
 * logged and counted; it never stops the others or the caller.
 *
 * Concurrency: `raise` may be called concurrently; the id set is checked and
 * updated synchronously before any await, so two concurrent raises of one
 * incident deliver it once.
 */
import { type EvidenceDocument, type Incident, makeIncident } from '../evidence/index.ts';
import type { EvidenceDir } from './evidence-dir.ts';
import type { IncidentMetrics } from './metrics.ts';
import type { IncidentLogger, IncidentSink } from './sink.ts';

export interface IncidentReporterOptions {
  /** Who raises incidents (the collector's, auditor's, witness's name). */
  readonly observer: string;
  readonly sinks: readonly IncidentSink[];
  readonly evidenceDir?: EvidenceDir;
  readonly metrics?: IncidentMetrics;
  readonly log?: IncidentLogger;
  /** ms since the epoch; injected for tests. */
  readonly now?: () => number;
}

export interface Raised {
  readonly incident: Incident;
  /** False when this id had been raised before: nothing was delivered. */
  readonly fresh: boolean;
  readonly evidencePath?: string;
}

export class IncidentReporter {
  readonly #o: IncidentReporterOptions;
  readonly #seen = new Set<string>();
  readonly #listeners = new Set<(i: Incident) => void>();
  #loaded: Promise<void> | null = null;

  constructor(o: IncidentReporterOptions) {
    this.#o = o;
  }

  /** The directory of the evidence files, when they are written. */
  get evidenceDir(): string | undefined {
    return this.#o.evidenceDir?.dir;
  }

  /** Loads the ids of evidence already on disk; called by the first raise if not before. */
  open(): Promise<void> {
    this.#loaded ??= (async () => {
      if (this.#o.evidenceDir !== undefined) for (const id of await this.#o.evidenceDir.ids()) this.#seen.add(id);
    })();
    return this.#loaded;
  }

  /** Raises the incident of `doc` (a document from the src/evidence builders). */
  async raise(doc: EvidenceDocument): Promise<Raised> {
    await this.open();
    const incident = makeIncident(doc, this.#o.observer, (this.#o.now ?? Date.now)());
    if (this.#seen.has(incident.id)) {
      const path = this.#o.evidenceDir?.pathOf(incident.id);
      return { incident, fresh: false, ...(path !== undefined ? { evidencePath: path } : {}) };
    }
    this.#seen.add(incident.id);
    let evidencePath: string | undefined;
    if (this.#o.evidenceDir !== undefined) {
      try {
        evidencePath = await this.#o.evidenceDir.write(incident.id, doc);
      } catch (err) {
        this.#o.log?.error({ incident: incident.id, err: (err as Error).message }, 'could not write the evidence file');
      }
    }
    this.#o.metrics?.raised(incident);
    for (const l of this.#listeners) l(incident);
    const ctx = evidencePath !== undefined ? { evidencePath } : {};
    await Promise.all(
      this.#o.sinks.map(async (s) => {
        try {
          await s.report(incident, ctx);
        } catch (err) {
          this.#o.metrics?.failed(s.name, 'error');
          this.#o.log?.error({ incident: incident.id, sink: s.name, err: (err as Error).message }, 'incident sink failed');
        }
      }),
    );
    return { incident, fresh: true, ...ctx };
  }

  /** Calls `f` with every fresh incident (after its evidence file is written); returns the unsubscribe function. */
  onRaised(f: (i: Incident) => void): () => void {
    this.#listeners.add(f);
    return () => this.#listeners.delete(f);
  }

  /** Closes every sink (each waits for its queue up to its own deadline). */
  async close(): Promise<void> {
    await Promise.all(this.#o.sinks.map((s) => s.close().catch(() => {})));
  }
}
