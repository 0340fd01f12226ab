/**
 * The hub's audit of its log core (trillian-personalities.md,
 * "Auditability"): before a new core root is served, the hub checks that it
 * is signed by the tree key, self-consistent, and consistent (RFC 6962
 * §2.1.2, verified with src/merkle) with the last root it served. A root
 * that fails is never served: the hub keeps serving the previous one and
 * raises an alert (the `onAlert` callback: the service logs at error and
 * bumps a metric), leaving the evidence — both signed LogRoots — to the
 * operator.
 *
 * Ownership and concurrency: `#current` and `#rejected` are written only by
 * `#refresh`, and `refresh()` is single-flight (concurrent callers share one
 * run), so two refreshes never interleave. `current()` is a synchronous read.
 */
import { encodeHubTreeHead } from '../../codec/index.ts';
import type { PublicKey } from '../../crypto/index.ts';
import { msToNs } from '../../hub/entry.ts';
import { checkHead, type TreeHead } from '../../log/index.ts';
import { ProofError, verifyConsistency } from '../../merkle/index.ts';
import type { ServedHead, ServedHeadStore } from './served-heads.ts';
import type { HubSigner } from './signer.ts';

/** What the auditor needs from the log core (a Log satisfies it). */
export interface CoreView {
  latestHead(): Promise<TreeHead>;
  getConsistencyProof(size1: number, size2: number): Promise<Buffer[]>;
}

export interface RootAlert {
  readonly reason: string;
  /** The last head served, still being served. */
  readonly served: ServedHead | null;
  /** The core head refused. */
  readonly rejected: TreeHead;
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
  #loaded = false;
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
      const last = await this.#o.store.last();
      // Re-sign rather than replay the stored signature: the hub key may have been rotated.
      if (last) this.#current = { ...last, hubSignature: this.#o.signer.signTreeHead(last.headData) };
      this.#loaded = true;
    }
    const cur = this.#current;
    const head = await this.#o.core.latestHead();
    // Nothing new: the same tree (a lagging replica may even answer an older signature of it).
    if (cur && head.size === cur.size && head.rootHash.equals(cur.rootHash) && head.timestamp <= cur.timestampMs) return cur;
    const key = `${head.revision}:${head.rootHash.toString('hex')}`;
    if (this.#rejected.has(key)) return cur;

    const refuse = (reason: string, error?: unknown): ServedHead | null => {
      this.#rejected.add(key);
      if (this.#rejected.size > MAX_REJECTED) this.#rejected.delete(this.#rejected.values().next().value as string);
      this.#alerting = true;
      this.#o.onAlert?.({ reason, served: cur, rejected: head, error });
      return cur;
    };

    try {
      checkHead(head, this.#o.treeKey);
    } catch (err) {
      return refuse(`core root ${head.revision} fails its own checks: ${(err as Error).message}`, err);
    }
    if (cur) {
      if (head.size < cur.size) return refuse(`core root ${head.revision} has size ${head.size}, smaller than the served size ${cur.size}`);
      if (head.timestamp < cur.timestampMs) {
        return refuse(`core root ${head.revision} has timestamp ${head.timestamp}, before the served ${cur.timestampMs}`);
      }
      if (head.size === cur.size) {
        if (!head.rootHash.equals(cur.rootHash))
          return refuse(`core root ${head.revision} has size ${head.size} like the served root but another hash`);
      } else if (cur.size > 0) {
        // RFC 6962 §2.1.2: the served tree must be a prefix of the new one. (The empty tree is a prefix of every tree.)
        const proof = await this.#o.core.getConsistencyProof(cur.size, head.size);
        try {
          verifyConsistency(cur.size, head.size, proof, cur.rootHash, head.rootHash);
        } catch (err) {
          if (!(err instanceof ProofError)) throw err;
          return refuse(
            `core root ${head.revision} (size ${head.size}) is not consistent with served root ${cur.revision} (size ${cur.size}): ${err.message}`,
            err,
          );
        }
      }
    }

    const headData = encodeHubTreeHead({ treeSize: head.size, timestamp: msToNs(head.timestamp), rootHash: head.rootHash });
    const served: ServedHead = {
      revision: head.revision,
      size: head.size,
      rootHash: head.rootHash,
      timestampMs: head.timestamp,
      logRoot: head.logRoot,
      logRootSignature: head.signature,
      headData,
      hubSignature: this.#o.signer.signTreeHead(headData),
      servedAt: this.#clock(),
    };
    await this.#o.store.append(served);
    this.#current = served;
    this.#alerting = false;
    this.#o.onServe?.(served);
    return served;
  }
}
