/**
 * The Gossip Hub personality (specs/gossip-hub.md): a transparent log of
 * other logs' signed tree heads, wire-compatible with Google's original at
 * `/<prefix>/gossip/v0/…`, on Grapevine's log core.
 *
 * - `HubService`: the processX functions of one instance.
 * - `HubSigner`: the only place the hub key signs (domain separation).
 * - `HeadAuditor`: serves a core root only once it is proven consistent.
 * - `hubRoutes` / `openHubs` (→ `HubPart`, a server part): HTTP and wiring.
 *
 * The wire formats, the pure admission rules and the verifying client are in src/hub.
 */
export { type CoreView, HeadAuditor, type HeadAuditorOptions, type RootAlert } from './auditor.ts';
export { DEFAULT_MAX_GET_ENTRIES, DEFAULT_MMD_MS, HubService, type HubServiceOptions, type OpenedHub } from './hub.ts';
export { HubMetrics } from './metrics.ts';
export { HUB_PERSONALITY, type HubInstanceSpec, HubPart, hubTreeName, type OpenHubsOptions, openHubs } from './part.ts';
export { publishHub } from './published.ts';
export { type HubQuotaSpec, hubQuotas, sourceQuotaUser } from './quota.ts';
export { type HubRoutesOptions, hubRoutes } from './routes.ts';
export { HeadStoreServedHeads, type ServedHead, type ServedHeadStore, servedHeadFromJson, servedHeadToJson } from './served-heads.ts';
export {
  type AuditFileOptions,
  DEFAULT_AUDIT_FILE_KEEP,
  DEFAULT_AUDIT_FILE_MAX_BYTES,
  FileServedHeads,
} from './served-heads-file.ts';
export { checkEntryDomain, checkTreeHeadDomain, HubSigner } from './signer.ts';
