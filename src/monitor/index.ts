/**
 * Watching logs and hubs (issue 13): the collector (polls sources, verifies
 * heads, hands them to hubs and witnesses) and the auditor (audits hubs'
 * entries and heads, checks every head of a log against every other, holds
 * SCTs and SGTs to their MMD, raises incidents with verifiable evidence).
 * The decisions are pure (source-view.ts, consistency.ts, promises.ts,
 * hub-tree.ts, schedule.ts); the I/O is at the edges (fetch.ts, observe.ts,
 * tree-reader.ts, destinations.ts).
 */
export { Auditor, type AuditorOptions } from './auditor.ts';
export { Collector, type CollectorOptions, type PollSpec } from './collector.ts';
export { judgeByInclusion, judgeConsistency, type PairJudgement } from './consistency.ts';
export { type Destination, HubDestination, WitnessDestination } from './destinations.ts';
export { MonitorError, type MonitorErrorCode } from './errors.ts';
export { boundedFetch, DEFAULT_LIMITS, type FetchLimits } from './fetch.ts';
export { GossipDestination, GossipFeed, gossipDataOf } from './gossip.ts';
export { checkEntry, type EntryCheck, HubTree } from './hub-tree.ts';
export { type HubSpec, type LogSpec, type MonitoredHub, type MonitoredLog, monitoredHub, monitoredLog } from './logs.ts';
export { MonitorMetrics } from './metrics.ts';
export { type ObserveContext, pollHubLatest, pollLog } from './observe.ts';
export { type PendingPromise, PromiseBook } from './promises.ts';
export { nextDelayMs, type PollTiming } from './schedule.ts';
export type { Seen } from './seen.ts';
export { type Assessment, type Finding, SourceView } from './source-view.ts';
export { JsonFileHeadStore } from './state-file.ts';
export { checkpointNoteOf, hubSubmissionOf } from './submission.ts';
