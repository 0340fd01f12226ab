/**
 * Hub traffic control (specs/gossip-hub.md §4, improved) in the one quota
 * model of the personalities (src/log/request-quotas.ts): per client (IP)
 * a read token per request and per entry of a get-entries page, a write
 * token per add-signed-blob; per source a write token per new entry.
 *
 * Charging order in add-signed-blob (hub.ts): the client's write bucket
 * before any signature is verified (so a flood costs no crypto), the
 * source's bucket only after the source signature verified and only for a
 * new entry (so nobody can spend a source's quota with junk signatures or
 * replays, which the original allowed since it charged "@source <id>" for
 * any well-formed request).
 *
 * One set of buckets may be shared by every hub instance of a process, so a
 * client's budget is per process, not per prefix.
 */
import { type BucketSpec, RequestQuotas } from '../../log/index.ts';

export interface HubQuotaSpec {
  /** Per client (IP, IPv6 per /64): `read` for every GET (get-entries: per entry), `write` for add-signed-blob. Omitted: unlimited. */
  readonly perClient?: { readonly read?: BucketSpec; readonly write?: BucketSpec };
  /** Per source id, charged once per new entry after its signature verified. Omitted: unlimited. */
  readonly perSource?: { readonly write?: BucketSpec };
  /** Cap on remembered buckets per kind (least recently used are dropped). */
  readonly maxUsers?: number;
}

/** The hub's quotas in the shared model: sources are the submitters (`src:<id>`). */
export function hubQuotas(spec: HubQuotaSpec = {}, clock: () => number = Date.now): RequestQuotas {
  return new RequestQuotas({ perClient: spec.perClient, perSubmitter: spec.perSource, maxUsers: spec.maxUsers }, clock);
}

/** The submitter a hub source's new entries are charged to. */
export function sourceQuotaUser(sourceId: string): string {
  return `src:${sourceId}`;
}
