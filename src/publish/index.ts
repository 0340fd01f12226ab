/**
 * Publishing Grapevine's own logs the C2SP way (issue 12): a signed
 * `checkpoint`, the tlog-tiles read API (hash tiles, entry bundles; for the
 * CT log static-ct-api data tiles and issuers), immutable and cacheable, and
 * the log's side of witnessing (its checkpoints taken to the witnesses of a
 * tlog-policy, the cosigned checkpoint served once the quorum is reached).
 * Personalities implement `PublishedTree`; `PublishPart` serves it.
 */
export { encodeEntryBundle, MAX_BUNDLE_ENTRY } from './bundle.ts';
export { PUBLISH_ERROR_STATUS, PublishError, type PublishErrorCode } from './errors.ts';
export { PublishPart, type PublishPartOptions } from './part.ts';
export { type PublishRoutesOptions, publishRoutes } from './routes.ts';
export type { PublishedCheckpoint, PublishedTree } from './tree.ts';
export { CheckpointWitnessing, type WitnessingOptions, type WitnessingRound } from './witnessing.ts';
