/**
 * The hub's audit of its log core (trillian-personalities.md,
 * "Auditability"): before a new core root is served, the hub checks that it
 * is signed by the tree key and self-consistent, then asks src/audit's
 * judge() whether it extends the last root served (RFC 6962 §2.1.2, with a
 * consistency proof from the core). A root that fails is never served: the
 * hub keeps serving the previous one and raises an alert (the `onAlert`
 * callback: the service logs at error and bumps a metric), leaving the
 * evidence — both signed LogRoots — to the operator.
 *
 * After a restart the last served head comes from the store (the audit
 * file, or a HeadStore) and is served again only once the core confirms it
 * (the same tree, or one that extends it). A core that does not — typically
 * a database deleted or replaced while the audit file remained — leaves the
 * hub with nothing it may serve: `blocked` says what happened and what to do,
 * and the service reports not-ready, instead of serving the old head (whose
 * entries and proofs the database no longer has) forever.
 *
 * Ownership and concurrency: `#current`, `#anchor`, `#blocked` and
 * `#rejected` are written only by `#refresh`, and `refresh()` is
 * single-flight (concurrent callers share one run), so two refreshes never
 * interleave. `current()` and `blocked` are synchronous reads.
 */

import { judge } from '../../audit/index.ts';
import { encodeHubTreeHead } from '../../codec/index.ts';
import type { PublicKey } from '../../crypto/index.ts';
import { msToNs } from '../../hub/time.ts';
import { checkHead, StorageError, type StoredHead } from '../../log/index.ts';
import type { ServedHead, ServedHeadStore } from './served-heads.ts';
import type { HubSigner } from './signer.ts';

/** What the auditor needs from the log core (a Log satisfies it). */
export interface CoreView {
  latestHead(): Promise<StoredHead>;
  getConsistencyProof(size1: number, size2: number): Promise<Buffer[]>;
}

export interface RootAlert {
  readonly reason: string;
  /** The last head served, still being served. */
  readonly served: ServedHead | null;
  /** The core head refused. */
  readonly rejected: StoredHead;
  readonly error?: unknown;
}

export interface HeadAuditorOptions {
  readonly core: CoreView;
  /** The core tree's key, which signs LogRoots. */
  readonly treeKey: PublicKey;
  readonly signer: HubSigner;
  readonly store: ServedHeadStore;
  readonly clock?: () => number;
  readonly onAlert?: (alert: RootAlert) => void;
  readonly onServe?: (head: ServedHead) => void;
}

/** Heads (revision, root) already refused are remembered so each is alerted once; bounded. */
const MAX_REJECTED = 1024;

export class HeadAuditor {
  readonly #o: HeadAuditorOptions;
  readonly #clock: () => number;
  #current: ServedHead | null = null;
  /** The last head served before this process started (from the store), until the core confirms it. */
  #anchor: ServedHead | null = null;
  #loaded = false;
  #blocked: string | null = null;
  #inflight: Promise<ServedHead | null> | null = null;
  readonly #rejected = new Set<string>();
  #alerting = false;

  constructor(opts: HeadAuditorOptions) {
    this.#o = opts;
    this.#clock = opts.clock ?? Date.now;
  }

  /** The head being served, or null before the first successful refresh. */
  current(): ServedHead | null {
    return this.#current;
  }

  /** True once a core root has been refused and no later root repaired the view. */
  get alerting(): boolean {
    return this.#alerting;
  }

  /**
   * Why nothing can be served although heads were served before (the core
   * does not extend the stored one), with what to do; null otherwise.
   */
  get blocked(): string | null {
    return this.#blocked;
  }

  /**
   * Looks at the core's latest root and serves it if it passes the audit.
   * Resolves to the head now served (possibly unchanged, possibly null).
   * Rejects only on I/O failures (storage), never on a failed audit.
   */
  refresh(): Promise<ServedHead | null> {
    if (!this.#inflight) {
      this.#inflight = this.#refresh().finally(() => {
        this.#inflight = null;
      });
    }
    return this.#inflight;
  }

  async #refresh(): Promise<ServedHead | null> {
    if (!this.#loaded) {
      this.#anchor = await this.#o.store.last();
      this.#loaded = true;
    }
    const cur = this.#current;
    const base = cur ?? this.#anchor;
    const head = await this.#o.core.latestHead();
    // Nothing new: the same tree (a lagging replica may even answer an older signature of it).
    if (cur && head.size === cur.size && head.rootHash.equals(cur.rootHash) && head.timestamp <= cur.timestampMs) return cur;
    const key = `${head.revision}:${head.rootHash.toString('hex')}`;
    if (this.#rejected.has(key)) return cur;

    const refuse = (reason: string, error?: unknown): ServedHead | null => {
      this.#rejected.add(key);
      if (this.#rejected.size > MAX_REJECTED) this.#rejected.delete(this.#rejected.values().next().value as string);
      this.#alerting = true;
      if (!cur && base) this.#blocked = lostDatabase(base, head, reason);
      this.#o.onAlert?.({ reason, served: base, rejected: head, error });
      return cur;
    };

    try {
      checkHead(head, this.#o.treeKey);
    } catch (err) {
      return refuse(`core root ${head.revision} fails its own checks: ${(err as Error).message}`, err);
    }
    if (base) {
      if (head.size < base.size)
        return refuse(`core root ${head.revision} has size ${head.size}, smaller than the served size ${base.size}`);
      if (head.timestamp < base.timestampMs) {
        return refuse(`core root ${head.revision} has timestamp ${head.timestamp}, before the served ${base.timestampMs}`);
      }
      let verdict = judge(base, head);
      // RFC 6962 §2.1.2: the served tree must be a prefix of the new one.
      if (verdict.verdict === 'needs-proof') verdict = judge(base, head, await this.#o.core.getConsistencyProof(base.size, head.size));
      if (verdict.verdict === 'fork')
        return refuse(`core root ${head.revision} has size ${head.size} like the served root but another hash`);
      if (verdict.verdict === 'inconsistent') {
        return refuse(
          `core root ${head.revision} (size ${head.size}) is not consistent with served root ${base.revision} (size ${base.size}): ${verdict.why}`,
          verdict.cause,
        );
      }
      if (verdict.verdict === 'same' && head.timestamp <= base.timestampMs) {
        // The core confirms the stored head: serve it again (re-signed: the hub key may have been rotated).
        return this.#serve({ ...base, hubSignature: this.#o.signer.signTreeHead(base.headData) }, false);
      }
    }
    const headData = encodeHubTreeHead({ treeSize: head.size, timestamp: msToNs(head.timestamp), rootHash: head.rootHash });
    return this.#serve(
      {
        revision: head.revision,
        size: head.size,
        rootHash: head.rootHash,
        timestampMs: head.timestamp,
        logRoot: head.logRoot,
        logRootSignature: head.signature,
        headData,
        hubSignature: this.#o.signer.signTreeHead(headData),
        servedAt: this.#clock(),
      },
      true,
    );
  }

  async #serve(served: ServedHead, store: boolean): Promise<ServedHead> {
    if (store) {
      try {
        await this.#o.store.append(served);
      } catch (err) {
        // Another frontend served a head first (a shared HeadStore): read the store again before deciding.
        if (err instanceof StorageError && err.code === 'CONFLICT') this.#loaded = false;
        throw err;
      }
    }
    this.#current = served;
    this.#anchor = null;
    this.#blocked = null;
    this.#alerting = false;
    this.#o.onServe?.(served);
    return served;
  }
}

/** What happened, and what to do, when the core does not extend the head served before this process started. */
function lostDatabase(stored: ServedHead, head: StoredHead, reason: string): string {
  return (
    `the core's tree (size ${head.size}) does not extend the head this hub served before (size ${stored.size}, ` +
    `root ${stored.rootHash.toString('hex')}, from its served-head store): ${reason}. ` +
    'The database was probably lost or replaced while the audit file remained. Nothing is served: clients hold ' +
    'proofs of the old tree. Restore the database; or, if this hub really starts anew, move the audit file away and ' +
    'use a new hub key, so the new tree cannot be mistaken for the old one'
  );
}
