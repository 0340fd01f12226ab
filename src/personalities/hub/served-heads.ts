/**
 * Where a hub keeps the tree heads it has served (the "auditability" duty of
 * trillian-personalities.md: keep the core's signed roots, so that a later
 * inconsistency can be blamed on the right party).
 *
 * Each record carries the core's own signed LogRoot and signature next to the
 * hub's signed HubTreeHead: together they show who said what.
 */
import { appendFileSync, closeSync, fsyncSync, openSync, readFileSync } from 'node:fs';
import { decodeBase64, encodeBase64 } from '../../codec/index.ts';

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

/**
 * Appends one JSON line per served head to a file, fsynced, so the audit
 * survives restarts: after a restart the hub only serves a root consistent
 * with the last one it served before. Reading takes the last complete line
 * (a torn final line from a crash is ignored).
 */
export class FileServedHeads implements ServedHeadStore {
  readonly #path: string;

  constructor(path: string) {
    this.#path = path;
  }

  async last(): Promise<ServedHead | null> {
    let text: string;
    try {
      text = readFileSync(this.#path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
    const lines = text.split('\n');
    for (let i = lines.length - 1; i >= 0; i--) {
      if (lines[i] === '') continue;
      try {
        return fromJson(JSON.parse(lines[i]));
      } catch {
        // A torn write at the end; an earlier line is the last complete one.
      }
    }
    return null;
  }

  async append(head: ServedHead): Promise<void> {
    const fd = openSync(this.#path, 'a');
    try {
      appendFileSync(fd, `${JSON.stringify(toJson(head))}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }
}

function toJson(h: ServedHead): Record<string, unknown> {
  return {
    revision: h.revision,
    size: h.size,
    root_hash: encodeBase64(h.rootHash),
    timestamp_ms: h.timestampMs,
    log_root: encodeBase64(h.logRoot),
    log_root_signature: encodeBase64(h.logRootSignature),
    head_data: encodeBase64(h.headData),
    hub_signature: encodeBase64(h.hubSignature),
    served_at: h.servedAt,
  };
}

function fromJson(o: Record<string, unknown>): ServedHead {
  const num = (k: string) => {
    const v = o[k];
    if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw new Error(`${k}: not an integer`);
    return v;
  };
  const bytes = (k: string) => decodeBase64(String(o[k]));
  return {
    revision: num('revision'),
    size: num('size'),
    rootHash: bytes('root_hash'),
    timestampMs: num('timestamp_ms'),
    logRoot: bytes('log_root'),
    logRootSignature: bytes('log_root_signature'),
    headData: bytes('head_data'),
    hubSignature: bytes('hub_signature'),
    servedAt: num('served_at'),
  };
}
