/**
 * The one way a personality charges quotas (Trillian's "Traffic Control",
 * one model for the CT log and the hub), on QuotaManager's token buckets.
 *
 * One unit, a token:
 * - a read costs one token per request, and a page of entries (get-entries)
 *   one token per entry returned, the work it costs (issue 9 #9: the hub
 *   charged one token per call of up to 1000 entries, CT none for get-roots);
 * - a submission costs the client one write token per request, charged
 *   before anything is parsed or verified, so a flood costs no crypto;
 * - a new entry costs its submitter (the CT issuing CA `ca:<sha256>`, the
 *   hub source `src:<id>`) one write token, charged by the personality only
 *   once the entry is known to be new and its signature verified, so junk or
 *   replays cannot spend a submitter's quota.
 * Buckets: global (all clients together), per client (IP, IPv6 per /64),
 * per submitter. A client of null is the process itself (the gossip loop):
 * never charged. A page is never larger than the smallest read burst, so
 * every page can be paid for.
 *
 * Buckets live in process memory: with N frontends each enforces its own
 * share (ARCHITECTURE.md). Concurrency: every method is synchronous.
 */
import { type BucketSpec, QuotaManager } from './quota.ts';

/**
 * Who is asking, as a personality's processX sees it (CT log and hub alike). `quotaUser` null means "do not
 * charge" (the process's own reads); a getter may work it out only when a quota applies.
 */
export interface ClientInfo {
  readonly quotaUser: string | null;
}

/** The process itself (gossip loop, publishing): never charged. */
export const INTERNAL_CLIENT: ClientInfo = Object.freeze({ quotaUser: null });

export interface QuotaLimits {
  /** All clients together. */
  readonly global?: { readonly read?: BucketSpec; readonly write?: BucketSpec };
  /** Per client (quota user such as `ip:192.0.2.1`). */
  readonly perClient?: { readonly read?: BucketSpec; readonly write?: BucketSpec };
  /** Per submitter of a new entry (`ca:<sha256 hex>`, `src:<id>`). */
  readonly perSubmitter?: { readonly write?: BucketSpec };
  /** Cap on remembered buckets (least recently used dropped: they refill to full anyway). */
  readonly maxUsers?: number;
}

export class RequestQuotas {
  readonly #clients: QuotaManager;
  readonly #submitters: QuotaManager | null;
  readonly #maxRead: number;
  /** Which client kinds are limited at all: an unlimited kind is not charged (no bucket names, no map look-ups on a hot path). */
  readonly limitsReads: boolean;
  readonly limitsWrites: boolean;

  constructor(limits: QuotaLimits = {}, clock: () => number = Date.now) {
    const maxUsers = limits.maxUsers !== undefined ? { maxUsers: limits.maxUsers } : {};
    this.#clients = new QuotaManager({ global: limits.global, perUser: limits.perClient, ...maxUsers }, clock);
    this.#submitters = limits.perSubmitter?.write
      ? new QuotaManager({ perUser: { write: limits.perSubmitter.write }, ...maxUsers }, clock)
      : null;
    this.limitsReads = limits.global?.read !== undefined || limits.perClient?.read !== undefined;
    this.limitsWrites = limits.global?.write !== undefined || limits.perClient?.write !== undefined;
    const bursts = [limits.global?.read?.burst, limits.perClient?.read?.burst].filter((b): b is number => b !== undefined);
    this.#maxRead = bursts.length > 0 ? Math.max(1, Math.floor(Math.min(...bursts))) : Number.POSITIVE_INFINITY;
  }

  /** One read request of `client` (`tokens` entries for a page). Throws QuotaError when a bucket is short. */
  chargeRead(client: string | null, tokens = 1): void {
    if (client !== null && this.limitsReads) this.#clients.charge('read', 0, [client], tokens);
  }

  /** Most entries one page may hold so that every page can be paid for (the smallest read burst). */
  get maxPage(): number {
    return this.#maxRead;
  }

  /** One submission request of `client`, before anything is parsed. */
  chargeWrite(client: string | null): void {
    if (client !== null && this.limitsWrites) this.#clients.charge('write', 0, [client]);
  }

  /** Whether submitters are limited at all (when not, a personality need not look an entry up to charge it). */
  get limitsSubmitters(): boolean {
    return this.#submitters !== null;
  }

  /** One new entry of each submitter (all or none charged). Throws QuotaError when a bucket is short. */
  chargeSubmitters(submitters: readonly string[]): void {
    this.#submitters?.charge('write', 0, submitters);
  }
}
