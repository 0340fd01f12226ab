/**
 * The Gossip Hub wire and client half (specs/gossip-hub.md): the JSON and TLS
 * formats of `/gossip/v0/`, the blob kinds and source keys, the pure admission
 * rules of add-signed-blob, and `HubClient`, which verifies every signature and
 * proof a hub returns. It imports no server code (no fastify, prom-client, pino
 * or log core), so an auditor, a gossip service or a browser bundle can load it
 * alone; the hub itself is in src/personalities/hub.
 */
export {
  type AddSignedBlobRequest,
  type AdmittedBlob,
  admitBlob,
  checkSourceSignature,
  lookupSource,
  processAddSignedBlobAdmission,
} from './admission.ts';
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
export { parsesAsEntry, parsesAsTreeHead } from './domain.ts';
export { type BuiltEntry, buildEntry, identityHash, SourceEntries } from './entry.ts';
export { HUB_ERROR_STATUS, HubError, type HubErrorCode } from './errors.ts';
export {
  MAX_SOURCE_ID_BYTES,
  makeSource,
  SOURCE_KINDS,
  type SourceHash,
  type SourceKind,
  type SourceSpec,
  type TrackedSource,
} from './source.ts';
export { msToNs, nsToMs } from './time.ts';
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
