/**
 * Where a hub keeps the tree heads it has served (the "auditability" duty of
 * trillian-personalities.md: keep the core's signed roots, so that a later
 * inconsistency can be blamed on the right party).
 *
 * Each record carries the core's own signed LogRoot and signature next to the
 * hub's signed HubTreeHead: together they show who said what. Kept through
 * a HeadStore here (memory by default), or in a file (served-heads-file.ts).
 */
import type { HeadStore } from '../../audit/index.ts';
import { decodeBase64, encodeBase64 } from '../../codec/index.ts';
import { StorageError } from '../../log/index.ts';

/** A core head (a StoredHead without its compact range) that the hub has proven consistent and serves. */
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

/**
 * Served heads through a HeadStore (src/audit/head-store.ts): the latest one
 * under `key`, compare-and-swapped on the store's revision. Over a
 * MemoryHeadStore it is the hub's default (nothing survives a restart: the
 * first head after one is then trusted as given); over a database's
 * HeadStore the served head survives restarts and is shared by every
 * frontend, so none serves a head that does not extend one another served.
 *
 * The audit file (served-heads-file.ts) is the other store, and the one to
 * configure: it keeps every served head and lives apart from the database,
 * so a hub whose database was lost or replaced notices (auditor.ts) instead
 * of starting a new tree that contradicts what its clients saw.
 *
 * `append` throws StorageError CONFLICT when another writer swapped first;
 * the auditor then reads the store again before its next decision.
 */
export class HeadStoreServedHeads implements ServedHeadStore {
  readonly #store: HeadStore;
  readonly #key: string;
  /** The store revision of the last record read or written here (owned by last/append, which never interleave). */
  #revision = 0;

  constructor(store: HeadStore, key: string) {
    this.#store = store;
    this.#key = key;
  }

  async last(): Promise<ServedHead | null> {
    const r = await this.#store.get(this.#key);
    this.#revision = r?.revision ?? 0;
    if (!r) return null;
    try {
      return servedHeadFromJson(JSON.parse(Buffer.from(r.body).toString('utf8')));
    } catch (err) {
      throw new StorageError('CORRUPT', `served head ${this.#key}: record ${r.revision} does not decode: ${(err as Error).message}`, {
        cause: err,
      });
    }
  }

  async append(head: ServedHead): Promise<void> {
    const body = Buffer.from(JSON.stringify(servedHeadToJson(head)), 'utf8');
    const swapped = await this.#store.compareAndSwap(this.#key, this.#revision, { size: head.size, rootHash: head.rootHash, body });
    if (!swapped) {
      throw new StorageError('CONFLICT', `served head ${this.#key}: got a swap by another writer after revision ${this.#revision}`);
    }
    this.#revision++;
  }
}

/** The JSON record of a served head (one line of the audit file, the body of a HeadStore record). */
export function servedHeadToJson(h: ServedHead): Record<string, unknown> {
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

/** Reads a record written by servedHeadToJson; throws (a plain Error naming the field) on anything else. */
export function servedHeadFromJson(o: Record<string, unknown>): ServedHead {
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
