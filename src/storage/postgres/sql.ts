/**
 * The statements of the PostgreSQL backend, named so node-postgres prepares
 * each once per connection. Batches travel as arrays through unnest(), so a
 * whole batch is one statement and one round trip whatever its size.
 *
 * Kept to SQL that PostgreSQL-wire distributed engines accept too: unnest …
 * WITH ORDINALITY, INSERT … ON CONFLICT, data-modifying CTEs, RETURNING.
 */
import { HEAD_COLUMNS, LEAF_COLUMNS, TREE_COLUMNS } from './rows.ts';

const LEAVES_JOIN = 'leaves l LEFT JOIN sequenced s ON s.tree_id = l.tree_id AND s.identity_hash = l.identity_hash';

export const SQL = {
  /**
   * Queues a batch that is already free of in-batch duplicates. Inserts each
   * leaf unless its identity hash is taken and adds it to the queue, all in
   * one statement (so atomically). Queue ids follow input order, but rows
   * are inserted in identity-hash order: two frontends queueing overlapping
   * batches then take the unique-index locks in the same order and cannot
   * deadlock. Returns the identity hashes it inserted;
   * the caller fetches the pre-existing leaves for the others. The EXISTS
   * guard makes a missing tree insert nothing.
   */
  queue: {
    name: 'gv_queue_leaves',
    text: `WITH input AS (
        SELECT * FROM unnest($2::bytea[], $3::bytea[], $4::bytea[], $5::bytea[], $6::text[], $7::bigint[], $8::bytea[]) WITH ORDINALITY
          AS t(identity_hash, leaf_hash, leaf_value, extra_data, label, queued_at, label_rank, ord)
        WHERE EXISTS (SELECT 1 FROM trees WHERE id = $1)
      ), numbered AS (
        SELECT input.*, nextval('leaf_queue_ids') AS queue_id FROM input ORDER BY ord
      ), ins AS (
        INSERT INTO leaves (tree_id, identity_hash, queue_id, leaf_hash, leaf_value, extra_data, label, queued_at, label_rank)
        SELECT $1, identity_hash, queue_id, leaf_hash, leaf_value, extra_data, label, queued_at, label_rank
        FROM numbered ORDER BY identity_hash
        ON CONFLICT (tree_id, identity_hash) DO NOTHING
        RETURNING queue_id, identity_hash, leaf_hash
      ), q AS (
        INSERT INTO unsequenced (tree_id, queue_id, identity_hash, leaf_hash)
        SELECT $1, queue_id, identity_hash, leaf_hash FROM ins
      )
      SELECT identity_hash FROM ins`,
  },
  leavesByIdentity: {
    name: 'gv_leaves_by_identity',
    text: `SELECT ${LEAF_COLUMNS} FROM ${LEAVES_JOIN} WHERE l.tree_id = $1 AND l.identity_hash = ANY($2::bytea[])`,
  },
  pending: {
    name: 'gv_pending',
    // queued_at comes from the leaf row: the sequencer keeps head timestamps ≥ every promise (RFC 6962 §3.5).
    text: `SELECT u.queue_id, u.leaf_hash, l.queued_at FROM unsequenced u
           JOIN leaves l ON l.tree_id = u.tree_id AND l.identity_hash = u.identity_hash
           WHERE u.tree_id = $1 ORDER BY u.queue_id LIMIT $2`,
  },
  pendingCount: { name: 'gv_pending_count', text: 'SELECT count(*) AS n FROM unsequenced WHERE tree_id = $1' },
  treeExists: { name: 'gv_tree_exists', text: 'SELECT revision, tree_size FROM trees WHERE id = $1' },
  treeByName: { name: 'gv_tree_by_name', text: `SELECT ${TREE_COLUMNS} FROM trees WHERE name = $1` },
  listTrees: { name: 'gv_list_trees', text: `SELECT ${TREE_COLUMNS} FROM trees ORDER BY id` },
  /** Picks the next id itself (no SERIAL, see schema.ts); a concurrent creator makes it fail on the key and retry. */
  insertTree: {
    name: 'gv_insert_tree',
    text: `INSERT INTO trees (id, name, personality, public_key, created_at, revision, tree_size)
      SELECT COALESCE(MAX(id), 0) + 1, $1, $2, $3, $4, $5, $6 FROM trees
      RETURNING id`,
  },
  insertHead: {
    name: 'gv_insert_head',
    text: `INSERT INTO heads (tree_id, ${HEAD_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
  },
  /** The compare-and-swap: one row updated, or another sequencer moved the tree. Locks the tree row until commit. */
  cas: {
    name: 'gv_cas',
    text: 'UPDATE trees SET revision = $3, tree_size = $4 WHERE id = $1 AND revision = $2 AND tree_size = $5',
  },
  /** Moves leaves from the queue into the tree; leaf queueIds[i] gets index firstIndex + i. */
  sequence: {
    name: 'gv_sequence',
    text: `WITH del AS (
        DELETE FROM unsequenced WHERE tree_id = $1 AND queue_id = ANY($2::bigint[]) RETURNING queue_id, identity_hash
      )
      INSERT INTO sequenced (tree_id, leaf_index, identity_hash)
      SELECT $1, $3::bigint + t.ord - 1, del.identity_hash
      FROM unnest($2::bigint[]) WITH ORDINALITY AS t(queue_id, ord) JOIN del ON del.queue_id = t.queue_id`,
  },
  /** Tiles and the new head in one statement. */
  tilesAndHead: {
    name: 'gv_tiles_and_head',
    text: `WITH t AS (
        INSERT INTO tiles (tree_id, tile_level, tile_index, data)
        SELECT $1, lvl, idx, dat FROM unnest($9::int[], $10::bigint[], $11::bytea[]) AS w(lvl, idx, dat)
        ON CONFLICT (tree_id, tile_level, tile_index) DO UPDATE SET data = EXCLUDED.data
      )
      INSERT INTO heads (tree_id, ${HEAD_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
  },
  latestHead: {
    name: 'gv_latest_head',
    text: `SELECT ${HEAD_COLUMNS} FROM heads WHERE tree_id = $1 ORDER BY revision DESC LIMIT 1`,
  },
  headAt: { name: 'gv_head_at', text: `SELECT ${HEAD_COLUMNS} FROM heads WHERE tree_id = $1 AND revision = $2` },
  tiles: {
    name: 'gv_tiles',
    text: `SELECT t.tile_level, t.tile_index, t.data
      FROM unnest($2::int[], $3::bigint[]) AS w(lvl, idx)
      JOIN tiles t ON t.tree_id = $1 AND t.tile_level = w.lvl AND t.tile_index = w.idx`,
  },
  leavesByRange: {
    name: 'gv_leaves_by_range',
    text: `SELECT ${LEAF_COLUMNS} FROM sequenced s JOIN leaves l ON l.tree_id = s.tree_id AND l.identity_hash = s.identity_hash
      WHERE s.tree_id = $1 AND s.leaf_index >= $2 AND s.leaf_index < $3 ORDER BY s.leaf_index`,
  },
  leavesByHash: {
    name: 'gv_leaves_by_hash',
    text: `SELECT ${LEAF_COLUMNS} FROM ${LEAVES_JOIN} WHERE l.tree_id = $1 AND l.leaf_hash = $2
      ORDER BY CASE WHEN s.leaf_index IS NULL THEN 1 ELSE 0 END, s.leaf_index, l.queue_id`,
  },
  leafByIdentity: {
    name: 'gv_leaf_by_identity',
    text: `SELECT ${LEAF_COLUMNS} FROM ${LEAVES_JOIN} WHERE l.tree_id = $1 AND l.identity_hash = $2`,
  },
  /** One backwards scan of leaves_by_label (tree_id, label, label_rank, queue_id; migration 2), no sort. */
  latestByLabel: {
    name: 'gv_latest_by_label',
    text: `SELECT ${LEAF_COLUMNS} FROM ${LEAVES_JOIN} WHERE l.tree_id = $1 AND l.label = $2
      ORDER BY l.label_rank DESC, l.queue_id DESC LIMIT 1`,
  },
  /** Acquired or renewed iff a row comes back; the database clock decides expiry. */
  takeLease: {
    name: 'gv_take_lease',
    text: `INSERT INTO leases (tree_id, holder, expires_at) VALUES ($1, $2, now() + $3::double precision * INTERVAL '1 millisecond')
      ON CONFLICT (tree_id) DO UPDATE SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at
      WHERE leases.holder = EXCLUDED.holder OR leases.expires_at < now()
      RETURNING holder`,
  },
  dropLease: { name: 'gv_drop_lease', text: 'DELETE FROM leases WHERE tree_id = $1 AND holder = $2' },
} as const;
