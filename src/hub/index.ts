/**
 * The Gossip Hub personality (specs/gossip-hub.md): a transparent log of
 * other logs' signed tree heads, wire-compatible with Google's original at
 * `/<prefix>/gossip/v0/…`, on Grapevine's log core.
 *
 * - Pure admission: `processAddSignedBlobAdmission` / `admitBlob`,
 *   `parseBlob`, `makeSource`, and the domain-separation guard (domain.ts).
 * - `HubService`: the processX functions of one instance.
 * - `hubRoutes` / `openHubs` / `mountHubs`: HTTP and wiring.
 * - `HubClient`: a client that verifies every signature and proof.
 */
export {
  type AddSignedBlobRequest,
  type AdmittedBlob,
  admitBlob,
  checkSourceSignature,
  lookupSource,
  processAddSignedBlobAdmission,
} from './admission.ts';
export { type CoreView, HeadAuditor, type HeadAuditorOptions, type RootAlert } from './auditor.ts';
export { isLater, labelRank, orderKey, type ParsedBlob, parseBlob } from './blob.ts';
export {
  checkEntrySourceSignature,
  HubClient,
  HubClientError,
  type HubClientErrorCode,
  type HubClientOptions,
  type VerifiedEntry,
  type VerifiedSgt,
  type VerifiedSth,
} from './client.ts';
export { checkEntryDomain, checkTreeHeadDomain, HubSigner, parsesAsEntry, parsesAsTreeHead } from './domain.ts';
export { type BuiltEntry, buildEntry, identityHash, msToNs } from './entry.ts';
export { HUB_ERROR_STATUS, HubError, type HubErrorCode } from './errors.ts';
export {
  type BacklogProbe,
  type ClientInfo,
  DEFAULT_MAX_GET_ENTRIES,
  DEFAULT_MMD_MS,
  HubService,
  type HubServiceOptions,
  INTERNAL_CLIENT,
  storageBacklogProbe,
} from './hub.ts';
export {
  type HubInstanceSpec,
  hubTreeName,
  mountHubs,
  type OpenedHub,
  type OpenHubsOptions,
  openHubs,
  startHubs,
  stopHubs,
} from './instance.ts';
export { HubMetrics } from './metrics.ts';
export { type HubQuotaSpec, HubQuotas } from './quota.ts';
export { type HubRoutesOptions, hubRoutes, routePrefix } from './routes.ts';
export { FileServedHeads, MemoryServedHeads, type ServedHead, type ServedHeadStore } from './served-heads.ts';
export {
  MAX_SOURCE_ID_BYTES,
  makeSource,
  SOURCE_KINDS,
  type SourceHash,
  type SourceKind,
  type SourceSpec,
  type TrackedSource,
} from './source.ts';
export {
  formatAddSignedBlobBody,
  formatAddSignedBlobResponse,
  formatConsistencyResponse,
  formatEntriesResponse,
  formatGetSthResponse,
  formatLatestResponse,
  formatProofByHashResponse,
  formatSourceKeysResponse,
  HUB_PATH_PREFIX,
  HubEndpoint,
  hashParam,
  type ProofByHash,
  parseAddSignedBlobBody,
  parseAddSignedBlobResponse,
  parseConsistencyResponse,
  parseEntriesResponse,
  parseGetSthResponse,
  parseLatestResponse,
  parseProofByHashResponse,
  parseSourceKeysResponse,
  type SignedBytes,
  type SourceKeyInfo,
  sourceKeyInfo,
  stringParam,
  uintParam,
} from './wire.ts';
