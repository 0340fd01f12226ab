/**
 * The observer side's pure core: one normalized head type, the decision
 * whether a new head extends an accepted one, and the HeadStore contract
 * (compare-and-swap per key) that observers persist accepted heads through.
 * Used by the hub's audit of its own core, the gossip service, the witness
 * and the auditor. No I/O, no clock.
 */
export { AuditError, type AuditErrorCode } from './errors.ts';
export { type HeadRecord, type HeadStore, MAX_HEAD_BODY_BYTES, type StoredHeadRecord } from './head-store.ts';
export { checkSameLog, type Judgement, judge } from './judge.ts';
export { checkHeadPoint, type HeadFormat, type HeadPoint, logIdOfKey, logIdOfOrigin, type ObservedHead } from './observed-head.ts';
