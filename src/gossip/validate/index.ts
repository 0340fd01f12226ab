/**
 * What may be gossiped: the known logs (config, Google's CT log list v3,
 * checkpoint vkeys) and the validation of `gossip-data` against the log a
 * message names (draft-linus-trans-gossip-00 §5.1). Pure: no I/O, no clock.
 */
export { KnownLogError, type KnownLogErrorCode } from './errors.ts';
export { evidenceKeysOf, validateEvidence } from './evidence.ts';
export {
  DISCARD_REASONS,
  type DiscardReason,
  FRESHNESS_WINDOW_MS,
  type GossipDataKind,
  MAX_CHAIN,
  MAX_SCTS,
  type ValidatedGossip,
  type ValidatedHead,
  type Validation,
  type ValidationContext,
  validateGossipData,
} from './gossip-data.ts';
export { type KnownLog, type KnownLogSpec, LogRegistry, makeKnownLog } from './known-logs.ts';
export { originOfSubmissionUrl, parseCtLogListV3 } from './log-list.ts';
