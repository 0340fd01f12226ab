/**
 * The log core: what Trillian is to its personalities. Depends on merkle and
 * crypto; declares the storage contract that src/storage/* implements; and
 * wires a tree once for every personality (tree.ts: open-or-create, timing
 * from the MMD, sequencer, merge watchdog).
 */
export { LogError, type LogErrorCode, QuotaError, StorageError, type StorageErrorCode } from './errors.ts';
export { checkHead, signHead } from './head.ts';
export { type LeafInput, Log, type LogOptions } from './log.ts';
export { decodeLogRoot, encodeLogRoot, LOG_ROOT_DOMAIN, type LogRoot, logRootSigningInput } from './log-root.ts';
export { LogMetrics } from './metrics.ts';
export { type BucketSpec, type QuotaKind, QuotaManager, type QuotaSpec } from './quota.ts';
export { type ClientInfo, INTERNAL_CLIENT, type QuotaLimits, RequestQuotas } from './request-quotas.ts';
export { Sequencer, type SequencerOptions } from './sequencer.ts';
export type {
  Integration,
  LogStorage,
  NewLeaf,
  PendingLeaf,
  QueueResult,
  StoredHead,
  StoredLeaf,
  TileWrite,
  TreeInfo,
} from './storage.ts';
export { MAX_LABEL_RANK_BYTES } from './storage.ts';
export { TileCache } from './tile-cache.ts';
export {
  checkTiming,
  LEASE_RENEWALS_PER_TTL,
  MAX_DEFAULT_LEASE_TTL_MS,
  minimumMmdMs,
  TAKEOVER_RUN_ALLOWANCE_MS,
  type TimingKey,
  type TimingOverrides,
  type TimingProblem,
  type TreeTiming,
  treeTiming,
} from './timing.ts';
export { OpenedTree, openTree, type TreeDeps, type TreeSpec } from './tree.ts';
export { type BacklogProbe, backlogProbe, MergeWatchdog, type Refusal, type WatchdogOptions } from './watchdog.ts';
