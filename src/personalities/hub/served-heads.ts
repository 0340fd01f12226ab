/**
 * Where a hub keeps the tree heads it has served (the "auditability" duty of
 * trillian-personalities.md: keep the core's signed roots, so that a later
 * inconsistency can be blamed on the right party).
 *
 * Each record carries the core's own signed LogRoot and signature next to the
 * hub's signed HubTreeHead: together they show who said what. Kept in
 * memory here, or in a file (served-heads-file.ts).
 */
export interface ServedHead {
  readonly revision: number;
  readonly size: number;
  readonly rootHash: Buffer;
  /** Core head timestamp, ms. */
  readonly timestampMs: number;
  /** The core's encoded LogRoot and the tree key's signature over it (src/log/log-root.ts). */
  readonly logRoot: Buffer;
  readonly logRootSignature: Buffer;
  /** TLS HubTreeHead (§2.3) and the hub signature over it: the get-sth answer. */
  readonly headData: Buffer;
  readonly hubSignature: Buffer;
  /** When this process first served it, ms. */
  readonly servedAt: number;
}

/**
 * Persistence for served heads.
 * - Durability: `append` resolves once the record is persisted.
 * - Concurrency: called by one HeadAuditor, never concurrently with itself.
 * - `last` returns the most recently appended record, or null when none.
 */
export interface ServedHeadStore {
  last(): Promise<ServedHead | null>;
  append(head: ServedHead): Promise<void>;
}

/** Keeps served heads in memory (lost on restart: the first head after a restart is then trusted as given). */
export class MemoryServedHeads implements ServedHeadStore {
  readonly #heads: ServedHead[] = [];
  readonly #max: number;

  constructor(max = 1024) {
    this.#max = max;
  }

  async last(): Promise<ServedHead | null> {
    return this.#heads.at(-1) ?? null;
  }

  async append(head: ServedHead): Promise<void> {
    this.#heads.push(head);
    if (this.#heads.length > this.#max) this.#heads.shift();
  }

  /** Every kept head, oldest first (for tests and debugging). */
  all(): readonly ServedHead[] {
    return this.#heads;
  }
}
