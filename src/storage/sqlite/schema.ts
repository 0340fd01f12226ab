/**
 * SQLite schema, as numbered migrations. `schema_version` holds the highest
 * applied; a database from a newer binary is refused (StorageError SCHEMA).
 *
 * Layout (shared in spirit with the PostgreSQL backend):
 * - trees:  one row per tree; `revision` is the compare-and-swap guard.
 * - leaves: the queue and the sequenced leaves in one table; leaf_index is
 *           NULL while queued. Identity hash is unique per tree (dedup).
 * - tiles:  C2SP tlog-tiles bottom rows (concatenated hashes), rewritten as
 *           the right-edge tile grows.
 * - heads:  every signed head, forever (audit trail; never regresses).
 * - leases: the sequencer leader lease per tree.
 */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE trees (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    personality TEXT NOT NULL,
    public_key  BLOB NOT NULL,
    created_at  INTEGER NOT NULL,
    revision    INTEGER NOT NULL
  );
  CREATE TABLE leaves (
    queue_id      INTEGER PRIMARY KEY,
    tree_id       INTEGER NOT NULL REFERENCES trees(id),
    identity_hash BLOB NOT NULL,
    leaf_hash     BLOB NOT NULL,
    value         BLOB NOT NULL,
    extra_data    BLOB,
    label         TEXT,
    queued_at     INTEGER NOT NULL,
    leaf_index    INTEGER
  );
  CREATE UNIQUE INDEX leaves_by_identity ON leaves(tree_id, identity_hash);
  CREATE UNIQUE INDEX leaves_by_index ON leaves(tree_id, leaf_index) WHERE leaf_index IS NOT NULL;
  CREATE INDEX leaves_pending ON leaves(tree_id, queue_id) WHERE leaf_index IS NULL;
  CREATE INDEX leaves_by_hash ON leaves(tree_id, leaf_hash);
  CREATE INDEX leaves_by_label ON leaves(tree_id, label, queue_id) WHERE label IS NOT NULL;
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
];
