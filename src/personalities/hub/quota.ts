/**
 * Hub traffic control (specs/gossip-hub.md §4, improved): token buckets per
 * client (IP) for reads and writes, and per source for new entries, on the
 * core's QuotaManager. Running out is QuotaError → 429 with Retry-After.
 *
 * Charging order in add-signed-blob (hub.ts): the client's write bucket
 * before any signature is verified, for every request (so a flood costs no
 * crypto); the source's bucket only after the source signature verified and
 * the entry's identity (source, blob) was found new (so nobody can spend a
 * source's quota with junk signatures, which the original allowed since it
 * charged "@source <id>" for any well-formed request, nor with replays of
 * its public heads, whatever encoding their signatures are given: issue 9
 * #1).
 *
 * Buckets live in process memory: with N frontends each enforces its own
 * share. One HubQuotas may be shared by every hub instance of a process, so a
 * client's budget is per process, not per prefix.
 */
import { type BucketSpec, QuotaManager } from '../../log/index.ts';

export interface HubQuotaSpec {
  /** Per client (IP, IPv6 per /64): `read` for every GET, `write` for add-signed-blob. Omitted: unlimited. */
  readonly perClient?: { readonly read?: BucketSpec; readonly write?: BucketSpec };
  /** Per source id, charged once per new entry (identity not stored yet) after its signature verified. Omitted: unlimited. */
  readonly perSource?: { readonly write?: BucketSpec };
  /** Cap on remembered buckets per manager (least recently used are dropped). */
  readonly maxUsers?: number;
}

export class HubQuotas {
  readonly #clients: QuotaManager;
  readonly #sources: QuotaManager;
  /** True when a per-source limit is set: add-signed-blob then looks an entry's identity up before charging. */
  readonly limitsSources: boolean;
  /** Which client buckets exist: an unlimited kind is not charged at all (no bucket names, no map look-ups). */
  readonly limitsReads: boolean;
  readonly limitsWrites: boolean;

  constructor(spec: HubQuotaSpec = {}, clock: () => number = Date.now) {
    const maxUsers = spec.maxUsers;
    this.limitsSources = spec.perSource?.write !== undefined;
    this.limitsReads = spec.perClient?.read !== undefined;
    this.limitsWrites = spec.perClient?.write !== undefined;
    this.#clients = new QuotaManager({ perUser: { ...spec.perClient }, ...(maxUsers ? { maxUsers } : {}) }, clock);
    this.#sources = new QuotaManager({ perUser: { ...spec.perSource }, ...(maxUsers ? { maxUsers } : {}) }, clock);
  }

  /** Throws QuotaError when `client` (a quota user such as `ip:1.2.3.4`) has no read token left. */
  chargeRead(client: string | null, tokens = 1): void {
    if (client !== null && this.limitsReads) this.#clients.charge('read', 0, [client], tokens);
  }

  chargeWrite(client: string | null): void {
    if (client !== null && this.limitsWrites) this.#clients.charge('write', 0, [client]);
  }

  chargeSource(sourceId: string): void {
    if (this.limitsSources) this.#sources.charge('write', 0, [`src:${sourceId}`]);
  }
}
