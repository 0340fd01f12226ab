import { GrapevineError } from '../errors.ts';

/**
 * Codes for Gossip Hub failures. Each code's HTTP status is fixed in
 * HUB_ERROR_STATUS below (the one place the hub maps codes to statuses);
 * the statuses follow specs/gossip-hub.md §1.1–§1.7. An instance or source
 * that cannot work as configured is a SetupError (src/errors.ts), raised at
 * start-up only.
 */
export type HubErrorCode =
  | 'UNKNOWN_SOURCE' // source_id / src_id names no configured source (§1.1 step 1, §1.7): 404
  | 'BAD_SIGNATURE' // src_signature does not verify over blob_data with the source key (§1.1 step 2): 400
  | 'BAD_STRUCTURE' // blob_data is not what the source's kind requires (§3.3): 400
  | 'DOMAIN_COLLISION' // the entry would also parse as a HubTreeHead; refused (ARCHITECTURE.md, "Hub domain separation"): 400
  | 'BAD_REQUEST' // a body or query parameter that does not parse, or is out of range (§1.3–§1.5): 400
  | 'TREE_TOO_SMALL' // get-proof-by-hash tree_size beyond the served tree (§1.4 answers 404): 404
  | 'LEAF_NOT_FOUND' // no leaf with that hash inside the requested tree size: 404
  | 'NOT_SERVING' // no audited tree head to serve yet: 503
  | 'BACKLOG' // the sequencer is so far behind that a new SGT could break the MMD promise: 503
  | 'UNAVAILABLE' // the sequencer stopped on a fatal error: no new SGT is issued at all: 503
  | 'CORRUPT_ENTRY'; // a stored leaf does not parse as a TimestampedEntry (§1.5: the original answers 500)

/** A Gossip Hub failure; `code` decides the HTTP status (HUB_ERROR_STATUS). */
export class HubError extends GrapevineError<HubErrorCode> {}

/** The hub's code → HTTP status table, registered with src/http's error mapper. */
export const HUB_ERROR_STATUS: Readonly<Record<HubErrorCode, number>> = Object.freeze({
  UNKNOWN_SOURCE: 404,
  BAD_SIGNATURE: 400,
  BAD_STRUCTURE: 400,
  DOMAIN_COLLISION: 400,
  BAD_REQUEST: 400,
  TREE_TOO_SMALL: 404,
  LEAF_NOT_FOUND: 404,
  NOT_SERVING: 503,
  BACKLOG: 503,
  UNAVAILABLE: 503,
  CORRUPT_ENTRY: 500,
});
