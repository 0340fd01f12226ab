/**
 * Transparency log checkpoints (c2sp.org/tlog-checkpoint), the Go sumdb tree
 * note, origin-derived identifiers, and c2sp.org/tlog-proof@v1. Pure: no I/O,
 * no clock. Signature rules come from src/note (see its index.ts).
 */
export {
  type Checkpoint,
  formatCheckpoint,
  type ParseOptions,
  parseCheckpoint,
  parseDecimal,
  SHA256_SIZE,
} from './checkpoint.ts';
export { CheckpointError, type CheckpointErrorCode } from './errors.ts';
export { logIdForOrigin, originHash } from './log-id.ts';
export { checkPolicy, type Policy, type PolicyGroup, type PolicyVerdict, parsePolicy } from './policy.ts';
export { type OpenCheckpointOptions, openCheckpoint, type SignedCheckpoint } from './signed.ts';
export { formatSumdbTree, parseSumdbTree, SUMDB_ORIGIN, type SumdbTree } from './sumdb.ts';
export {
  formatTlogProof,
  MAX_PROOF_HASHES,
  MAX_PROOF_LINE,
  type ProvenEntry,
  parseTlogProof,
  TLOG_PROOF_HEADER,
  type TlogProof,
  type VerifiedTlogProof,
  verifyTlogProof,
} from './tlog-proof.ts';
