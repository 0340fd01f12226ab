/**
 * PostgreSQL schema, as numbered migrations applied on open. `schema_version`
 * has one row per applied migration; a database whose highest version is
 * newer than this binary knows is refused (StorageError SCHEMA).
 *
 * Portability: plain SQL that PostgreSQL-wire distributed engines also accept
 * (no advisory locks, no PL/pgSQL, no SERIAL: ids above 2^53 would not fit a
 * JS number, and some engines hand out such ids for SERIAL).
 *
 * Layout. Leaf rows are written once and never updated; queue and sequence
 * membership live in two narrow tables, so integrating a batch touches only
 * small rows (the shape of Trillian's LeafData / Unsequenced /
 * SequencedLeafData split):
 * - trees:       one row per tree; (revision, tree_size) is the compare-and-swap guard.
 * - leaves:      every leaf ever queued, keyed by identity hash (dedup).
 * - unsequenced: the queue, in queue_id order; a row is deleted when its leaf is sequenced.
 * - sequenced:   leaf_index → identity hash; unique both ways, so a leaf is sequenced at most once.
 * - tiles:       C2SP tlog-tiles bottom rows (concatenated hashes), rewritten as the right-edge tile grows.
 * - heads:       every signed head, forever (audit trail).
 * - leases:      the sequencer leader lease per tree, timed by the database clock.
 *
 * Migrations are append only (a released one is never edited): 1 creates
 * the tables above, 2 adds leaves.label_rank and rebuilds the label index,
 * 3 adds head_records (the HeadStore).
 */
import type { PoolClient } from 'pg';
import { StorageError } from '../../log/index.ts';

export const MIGRATIONS: readonly (readonly string[])[] = [
  [
    `CREATE TABLE trees (
      id          BIGINT PRIMARY KEY,
      name        TEXT NOT NULL UNIQUE,
      personality TEXT NOT NULL,
      public_key  BYTEA NOT NULL,
      created_at  BIGINT NOT NULL,
      revision    BIGINT NOT NULL,
      tree_size   BIGINT NOT NULL
    )`,
    'CREATE SEQUENCE leaf_queue_ids',
    `CREATE TABLE leaves (
      tree_id       BIGINT NOT NULL,
      identity_hash BYTEA NOT NULL,
      queue_id      BIGINT NOT NULL,
      leaf_hash     BYTEA NOT NULL,
      leaf_value    BYTEA NOT NULL,
      extra_data    BYTEA,
      label         TEXT,
      queued_at     BIGINT NOT NULL,
      PRIMARY KEY (tree_id, identity_hash)
    )`,
    'CREATE INDEX leaves_by_hash ON leaves (tree_id, leaf_hash)',
    'CREATE INDEX leaves_by_label ON leaves (tree_id, label, queue_id) WHERE label IS NOT NULL',
    `CREATE TABLE unsequenced (
      tree_id       BIGINT NOT NULL,
      queue_id      BIGINT NOT NULL,
      identity_hash BYTEA NOT NULL,
      leaf_hash     BYTEA NOT NULL,
      PRIMARY KEY (tree_id, queue_id)
    )`,
    `CREATE TABLE sequenced (
      tree_id       BIGINT NOT NULL,
      leaf_index    BIGINT NOT NULL,
      identity_hash BYTEA NOT NULL,
      PRIMARY KEY (tree_id, leaf_index),
      UNIQUE (tree_id, identity_hash)
    )`,
    `CREATE TABLE tiles (
      tree_id    BIGINT NOT NULL,
      tile_level INTEGER NOT NULL,
      tile_index BIGINT NOT NULL,
      data       BYTEA NOT NULL,
      PRIMARY KEY (tree_id, tile_level, tile_index)
    )`,
    `CREATE TABLE heads (
      tree_id       BIGINT NOT NULL REFERENCES trees (id),
      revision      BIGINT NOT NULL,
      tree_size     BIGINT NOT NULL,
      root_hash     BYTEA NOT NULL,
      ts_ms         BIGINT NOT NULL,
      compact_range BYTEA NOT NULL,
      log_root      BYTEA NOT NULL,
      signature     BYTEA NOT NULL,
      PRIMARY KEY (tree_id, revision)
    )`,
    `CREATE TABLE leases (
      tree_id    BIGINT PRIMARY KEY,
      holder     TEXT NOT NULL,
      expires_at TIMESTAMPTZ NOT NULL
    )`,
  ],
  // 2: label ranks (LogStorage.latestLeafByLabel: greatest rank, then the latest queue_id). bytea compares
  // bytewise (memcmp, a prefix first) whatever the collation. Old rows get the empty rank: queue order as before.
  // ADD COLUMN with a constant default rewrites nothing; the index build holds off writes to leaves while it
  // runs (CREATE INDEX CONCURRENTLY cannot run in the migration's transaction), so migrate a big tree when quiet.
  [
    "ALTER TABLE leaves ADD COLUMN label_rank BYTEA NOT NULL DEFAULT ''::bytea",
    'DROP INDEX leaves_by_label',
    'CREATE INDEX leaves_by_label ON leaves (tree_id, label, label_rank, queue_id) WHERE label IS NOT NULL',
  ],
  // 3: the HeadStore (src/audit/head-store.ts): the latest record per key; `revision` is its compare-and-swap guard.
  [
    `CREATE TABLE head_records (
      key       TEXT PRIMARY KEY,
      revision  BIGINT NOT NULL,
      size      BIGINT NOT NULL,
      root_hash BYTEA NOT NULL,
      body      BYTEA NOT NULL
    )`,
  ],
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/**
 * Brings the schema up to SCHEMA_VERSION. Safe when several processes open
 * one database at once: each migration runs in one transaction (PostgreSQL
 * DDL is transactional) that first claims its version row, so a concurrent
 * migrator blocks on that row and then fails on the primary key; we re-read
 * and go on. Errors other than those races propagate (the caller maps them).
 */
export async function migrate(client: PoolClient): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await client.query('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)');
      const r = await client.query<{ v: number | null }>('SELECT max(version) AS v FROM schema_version');
      const current = Number(r.rows[0]?.v ?? 0);
      if (current > SCHEMA_VERSION) {
        throw new StorageError('SCHEMA', `database schema version ${current} is newer than this binary's ${SCHEMA_VERSION}`);
      }
      for (let v = current; v < SCHEMA_VERSION; v++) {
        await client.query('BEGIN');
        try {
          await client.query('INSERT INTO schema_version (version, applied_at) VALUES ($1, $2)', [v + 1, Date.now()]);
          for (const stmt of MIGRATIONS[v]) await client.query(stmt);
          await client.query('COMMIT');
        } catch (err) {
          await client.query('ROLLBACK').catch(() => {});
          throw err;
        }
      }
      return;
    } catch (err) {
      // Another process migrated concurrently: 23505 unique_violation (our version row, or a catalog
      // row of CREATE TABLE IF NOT EXISTS), 42P07 duplicate_table, 42710 duplicate_object (its row type).
      const code = (err as { code?: unknown }).code;
      if ((code === '23505' || code === '42P07' || code === '42710') && attempt < 5) continue;
      throw err;
    }
  }
}
