/**
 * A C2SP witness (c2sp.org/tlog-witness, c2sp.org/tlog-cosignature): it
 * cosigns a log's checkpoint once it has verified that the checkpoint
 * extends the latest one it cosigned for that log, and never cosigns two
 * inconsistent checkpoints of one origin.
 *
 * - Pure: `parseAddCheckpointRequest` (request.ts), `decideAddCheckpoint`
 *   (decide.ts, the status table), `LogList` (log-list.ts), incidents.
 * - `WitnessService`: processAddCheckpoint / processGetCheckpoint on a
 *   HeadStore (compare-and-swap per origin).
 * - `witnessRoutes`: the fastify plugin.
 */
export {
  type AddCheckpointAnswer,
  WitnessClient,
  WitnessClientError,
  type WitnessClientErrorCode,
  type WitnessClientOptions,
} from './client.ts';
export { type Decision, decideAddCheckpoint, EMPTY_HEAD } from './decide.ts';
export { WITNESS_ERROR_STATUS, WitnessConfigError, WitnessError, type WitnessErrorCode } from './errors.ts';
export { type FeederOptions, type FeedResult, WitnessFeeder } from './feeder.ts';
export { type EvidenceRaiser, type RefusedCheckpoint, refusedCheckpointEvidence } from './incident.ts';
export { LogList, mergeLogSpecs, type WitnessLog, type WitnessLogSpec, witnessLog } from './log-list.ts';
export { WitnessMetrics } from './metrics.ts';
export { NETWORK_LIST_HEADER, parseNetworkLogList } from './network-list.ts';
export { WitnessPart, type WitnessPartOptions } from './part.ts';
export {
  type AddCheckpointRequest,
  formatAddCheckpointRequest,
  formatTlogSize,
  MAX_PROOF_LINES,
  parseAddCheckpointRequest,
  parseTlogSize,
  TLOG_SIZE_CONTENT_TYPE,
} from './request.ts';
export { MAX_ADD_CHECKPOINT_BYTES, type WitnessRoutesOptions, witnessRoutes } from './routes.ts';
export { type AddCheckpointResult, WitnessService, type WitnessServiceOptions, witnessStateKey } from './service.ts';
export { FEEDER_KINDS, type FeederKind, type FeedSource, feedSourceOf, rfc6962Source, type SourceOptions, tiledSource } from './sources.ts';
export { type ProofSource, type SubmitResult, submitCheckpoint } from './submit.ts';
