/**
 * The incidents the dashboard lists: those the server's parts raise while it
 * runs (their IncidentFeeds), and those of earlier runs, read once from the
 * parts' evidence directories. Newest first, at most `max` kept (the oldest
 * are dropped from the list; their files stay). Each one's verdict is what
 * `verifyEvidence` says of its document alone, computed once.
 *
 * Concurrency: feeds call `add` on the event loop; `load` awaits file reads
 * and adds each document as it is read, so the two interleave safely (an id
 * is kept once, whichever came first).
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import {
  type EvidenceDocument,
  formatEvidence,
  type Incident,
  MAX_EVIDENCE_BYTES,
  makeIncident,
  parseEvidence,
  type Verdict,
  verifyEvidence,
} from '../evidence/index.ts';
import type { IncidentFeed } from '../http/index.ts';

export const DEFAULT_MAX_INCIDENTS = 1000;

/** What the list shows of an incident (no evidence). */
export interface IncidentSummary {
  readonly id: string;
  readonly category: string;
  readonly class: 'proof' | 'suspicion';
  readonly raisedAtMs: number;
  readonly raisedBy: string;
  readonly log: Incident['log'];
  readonly summary: string;
}

export interface IncidentDetail extends IncidentSummary {
  readonly verdict: { readonly proves: boolean; readonly line: string; readonly keySource: Verdict['keySource'] };
  readonly evidence: EvidenceDocument;
}

function summaryOf(i: Incident): IncidentSummary {
  return { id: i.id, category: i.category, class: i.class, raisedAtMs: i.raisedAtMs, raisedBy: i.raisedBy, log: i.log, summary: i.summary };
}

export class IncidentBook {
  readonly #max: number;
  readonly #logger?: Logger;
  /** Newest first. */
  #list: Incident[] = [];
  readonly #ids = new Set<string>();
  readonly #verdicts = new Map<string, IncidentDetail['verdict']>();
  readonly #unsubscribe: (() => void)[] = [];
  readonly #listeners = new Set<(i: Incident) => void>();

  constructor(o: { max?: number; logger?: Logger } = {}) {
    this.#max = o.max ?? DEFAULT_MAX_INCIDENTS;
    this.#logger = o.logger;
  }

  /** Follows the feeds' fresh incidents until `close`. */
  follow(feeds: readonly IncidentFeed[]): void {
    for (const f of feeds) this.#unsubscribe.push(f.onRaised((i) => this.add(i)));
  }

  /** Calls `f` with each incident added after now (followed or loaded). */
  onAdded(f: (i: Incident) => void): () => void {
    this.#listeners.add(f);
    return () => this.#listeners.delete(f);
  }

  /** Adds an incident unless its id is known; keeps the list newest first and bounded. */
  add(i: Incident): void {
    if (this.#ids.has(i.id)) return;
    this.#ids.add(i.id);
    const at = this.#list.findIndex((x) => x.raisedAtMs < i.raisedAtMs);
    if (at < 0) this.#list.push(i);
    else this.#list.splice(at, 0, i);
    while (this.#list.length > this.#max) {
      const gone = this.#list.pop() as Incident;
      this.#ids.delete(gone.id);
      this.#verdicts.delete(gone.id);
    }
    for (const l of this.#listeners) l(i);
  }

  /**
   * Reads the evidence files `<id>.json` of `dirs` (missing directories are
   * skipped): the newest `max` by modification time. A file that does not
   * parse is logged and skipped.
   */
  async load(dirs: readonly string[]): Promise<void> {
    const files: { path: string; mtimeMs: number }[] = [];
    for (const dir of new Set(dirs)) {
      let names: string[];
      try {
        names = await readdir(dir);
      } catch {
        continue;
      }
      for (const n of names.filter((x) => x.endsWith('.json') && !x.startsWith('.'))) {
        const path = join(dir, n);
        try {
          const st = await stat(path);
          if (st.isFile() && st.size <= MAX_EVIDENCE_BYTES) files.push({ path, mtimeMs: st.mtimeMs });
        } catch {}
      }
    }
    files.sort((a, b) => b.mtimeMs - a.mtimeMs);
    for (const f of files.slice(0, this.#max)) {
      try {
        const doc = parseEvidence(await readFile(f.path));
        const at = Date.parse(doc.createdAt);
        this.add(makeIncident(doc, doc.createdBy, Number.isFinite(at) ? at : f.mtimeMs));
      } catch (err) {
        this.#logger?.warn({ file: f.path, err: (err as Error).message }, 'dashboard: an evidence file does not parse; not listed');
      }
    }
  }

  /** Newest first; `cls` keeps one class; at most `limit`. */
  list(o: { cls?: 'proof' | 'suspicion'; limit: number }): { total: number; proofs: number; incidents: IncidentSummary[] } {
    const kept = o.cls ? this.#list.filter((i) => i.class === o.cls) : this.#list;
    return { total: this.#list.length, proofs: this.proofs(), incidents: kept.slice(0, o.limit).map(summaryOf) };
  }

  /** How many listed incidents are proofs (the dashboard's banner). */
  proofs(): number {
    let n = 0;
    for (const i of this.#list) if (i.class === 'proof') n++;
    return n;
  }

  get(id: string): IncidentDetail | null {
    const i = this.#list.find((x) => x.id === id);
    if (!i) return null;
    let verdict = this.#verdicts.get(id);
    if (!verdict) {
      try {
        const v = verifyEvidence(i.evidence);
        verdict = { proves: v.proves, line: v.line, keySource: v.keySource };
      } catch (err) {
        verdict = { proves: false, line: (err as Error).message, keySource: null };
      }
      this.#verdicts.set(id, verdict);
    }
    return { ...summaryOf(i), verdict, evidence: i.evidence };
  }

  /** The evidence file of an incident, as `grapevine evidence verify` takes it. */
  evidenceFile(id: string): string | null {
    const i = this.#list.find((x) => x.id === id);
    return i ? formatEvidence(i.evidence) : null;
  }

  close(): void {
    for (const u of this.#unsubscribe.splice(0)) u();
    this.#listeners.clear();
  }
}
