/**
 * Baselines for queueing into SQLite (issue 8 §2.4), measured in the same run
 * as the real queue path: the same rows, in the same transactions, on the
 * same settings (WAL, synchronous=FULL, the backend's cache and checkpoint
 * settings), inserted by a bare loop of one prepared statement:
 *
 * - append: a table with no index but its rowid. The ceiling of any layout.
 * - unique: the same table with one UNIQUE index on (tree_id, identity_hash),
 *   the textbook dedup. Every leaf lands at a random place in that index, so
 *   a commit dirties (and writes to the WAL) about one index page per leaf
 *   once the index outgrows the batch: SQLite's own rate for a random-keyed
 *   index, the bound any dedup on a B-tree pays in some form.
 */

import type { NewLeaf } from '../src/log/index.ts';
import { openSqlite } from '../src/storage/sqlite/driver.ts';

export type Floor = 'append' | 'unique';

/** Per-transaction rates (rows/s) of inserting `n` rows built by `rows(from, to)` in `batch`-row transactions. */
export function floorRates(path: string, floor: Floor, n: number, batch: number, rows: (from: number, to: number) => NewLeaf[]): number[] {
  const db = openSqlite(path);
  db.prepare('PRAGMA journal_mode = WAL').get();
  db.exec('PRAGMA synchronous = FULL; PRAGMA cache_size = -32768; PRAGMA wal_autocheckpoint = 16384');
  db.exec(
    'CREATE TABLE leaves (queue_id INTEGER PRIMARY KEY, tree_id INTEGER NOT NULL, identity_hash BLOB NOT NULL, leaf_hash BLOB NOT NULL, value BLOB NOT NULL, extra_data BLOB, label TEXT, label_rank BLOB NOT NULL, queued_at INTEGER NOT NULL)',
  );
  if (floor === 'unique') db.exec('CREATE UNIQUE INDEX leaves_by_identity ON leaves(tree_id, identity_hash)');
  const insert = db.prepare(
    'INSERT INTO leaves (tree_id, identity_hash, leaf_hash, value, extra_data, label, label_rank, queued_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const rank = Buffer.alloc(0);
  const rates: number[] = [];
  for (let i = 0; i < n; i += batch) {
    const leaves = rows(i, Math.min(n, i + batch));
    const t0 = performance.now();
    db.immediate(() => {
      for (const l of leaves) insert.run(1, l.identityHash, l.leafHash, l.value, l.extraData, l.label, rank, l.queuedAt);
    });
    rates.push((leaves.length * 1000) / (performance.now() - t0));
  }
  db.close();
  return rates;
}
