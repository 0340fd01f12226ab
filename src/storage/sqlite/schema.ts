import { hashKeySql } from './hash-key.ts';

/**
 * SQLite schema, as numbered migrations. `schema_version` holds the highest
 * applied; a database from a newer binary is refused (StorageError SCHEMA).
 *
 * Layout (shared in spirit with the PostgreSQL backend):
 * - trees:  one row per tree; `revision` is the compare-and-swap guard and
 *           `sequenced_to` the highest queue_id already integrated.
 * - leaves: the queue and the sequenced leaves in one table, in queue order
 *           (queue_id = rowid). Identity hash is unique per tree (dedup).
 * - segments: where sequenced leaves sit in the tree: each row maps a run
 *           of consecutive queue_ids [first_queue_id, +count) to the leaf
 *           indexes [first_index, +count). Integrating a batch writes one
 *           row per run instead of one update per leaf.
 *
 * Why a watermark is enough here: SQLite serializes writers, and a new rowid
 * is max(rowid)+1 inside the write transaction (rows are never deleted), so
 * queue_ids are assigned in commit order. Every leaf with queue_id ≤
 * sequenced_to is therefore sequenced, and every later one is pending.
 * (PostgreSQL has no such guarantee, so its backend marks leaves instead.)
 * - tiles:  C2SP tlog-tiles bottom rows (concatenated hashes), rewritten as
 *           the right-edge tile grows.
 * - heads:  every signed head, forever (audit trail; never regresses).
 * - leases: the sequencer leader lease per tree.
 *
 * Migrations (append only; a released migration is never edited):
 * 1. the tables above.
 * 2. leaves.label_rank (LogStorage.latestLeafByLabel: greatest rank, then
 *    latest queue_id), and the label index over (tree_id, label,
 *    label_rank, queue_id) so that query is one descending index seek.
 *    Existing rows get the empty rank, so they keep answering by queue order.
 * 3. head_records: the HeadStore (src/audit/head-store.ts), the latest
 *    record per key; `revision` is its compare-and-swap guard.
 * 4. Integer keys instead of BLOB hashes in the lookup indexes (hash-key.ts:
 *    each index shrinks to under 40%, so a queue commit, which inserts
 *    each leaf at a random place in them, writes fewer pages; issue 8 §2.4).
 *    leaves.identity_key replaces the UNIQUE (tree_id, identity_hash) index
 *    (dedup is checked on the full hash by queueLeaves, inside its write
 *    transaction); leaves.leaf_key is NULL when the leaf hash equals the
 *    identity hash (the Log's default identity), so such a leaf is indexed
 *    once, and leavesByLeafHash finds it through the identity key. Existing
 *    rows get their keys computed by SQLite from the hashes.
 */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE trees (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    personality TEXT NOT NULL,
    public_key  BLOB NOT NULL,
    created_at  INTEGER NOT NULL,
    revision    INTEGER NOT NULL,
    sequenced_to INTEGER NOT NULL DEFAULT 0
  );
  CREATE TABLE leaves (
    queue_id      INTEGER PRIMARY KEY,
    tree_id       INTEGER NOT NULL REFERENCES trees(id),
    identity_hash BLOB NOT NULL,
    leaf_hash     BLOB NOT NULL,
    value         BLOB NOT NULL,
    extra_data    BLOB,
    label         TEXT,
    queued_at     INTEGER NOT NULL
  );
  CREATE UNIQUE INDEX leaves_by_identity ON leaves(tree_id, identity_hash);
  CREATE INDEX leaves_by_queue ON leaves(tree_id, queue_id);
  CREATE INDEX leaves_by_hash ON leaves(tree_id, leaf_hash);
  CREATE INDEX leaves_by_label ON leaves(tree_id, label, queue_id) WHERE label IS NOT NULL;
  CREATE TABLE segments (
    tree_id        INTEGER NOT NULL,
    first_index    INTEGER NOT NULL,
    first_queue_id INTEGER NOT NULL,
    count          INTEGER NOT NULL,
    PRIMARY KEY (tree_id, first_index)
  ) WITHOUT ROWID;
  CREATE UNIQUE INDEX segments_by_queue ON segments(tree_id, first_queue_id);
  CREATE TABLE tiles (
    tree_id INTEGER NOT NULL,
    level   INTEGER NOT NULL,
    idx     INTEGER NOT NULL,
    data    BLOB NOT NULL,
    PRIMARY KEY (tree_id, level, idx)
  ) WITHOUT ROWID;
  CREATE TABLE heads (
    tree_id       INTEGER NOT NULL,
    revision      INTEGER NOT NULL,
    size          INTEGER NOT NULL,
    root_hash     BLOB NOT NULL,
    timestamp     INTEGER NOT NULL,
    compact_range BLOB NOT NULL,
    log_root      BLOB NOT NULL,
    signature     BLOB NOT NULL,
    PRIMARY KEY (tree_id, revision)
  ) WITHOUT ROWID;
  CREATE TABLE leases (
    tree_id    INTEGER PRIMARY KEY,
    holder     TEXT NOT NULL,
    expires_at INTEGER NOT NULL
  );
  `,
  `
  ALTER TABLE leaves ADD COLUMN label_rank BLOB NOT NULL DEFAULT X'';
  DROP INDEX leaves_by_label;
  CREATE INDEX leaves_by_label ON leaves(tree_id, label, label_rank, queue_id) WHERE label IS NOT NULL;
  `,
  `
  CREATE TABLE head_records (
    key       TEXT PRIMARY KEY,
    revision  INTEGER NOT NULL,
    size      INTEGER NOT NULL,
    root_hash BLOB NOT NULL,
    body      BLOB NOT NULL
  ) WITHOUT ROWID;
  `,
  `
  ALTER TABLE leaves ADD COLUMN identity_key INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE leaves ADD COLUMN leaf_key INTEGER;
  UPDATE leaves SET identity_key = ${hashKeySql('identity_hash')},
    leaf_key = CASE WHEN leaf_hash = identity_hash THEN NULL ELSE ${hashKeySql('leaf_hash')} END;
  DROP INDEX leaves_by_identity;
  DROP INDEX leaves_by_hash;
  CREATE INDEX leaves_by_identity_key ON leaves(tree_id, identity_key);
  CREATE INDEX leaves_by_leaf_key ON leaves(tree_id, leaf_key) WHERE leaf_key IS NOT NULL;
  `,
];
