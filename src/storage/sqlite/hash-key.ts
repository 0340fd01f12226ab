/**
 * The integer keys the SQLite leaves table is indexed by instead of its
 * 32-byte hashes (migration 4, schema.ts): the first 6 bytes of a hash, read
 * as a signed big-endian integer, which SQLite stores in 6 bytes.
 *
 * Why: every queued leaf inserts its identity (and leaf) hash at a random
 * place in an index, so a commit dirties about one index page per leaf and
 * writes each to the WAL. An index cell of (tree_id, 6-byte integer, rowid)
 * takes about 17 bytes against about 43 with the 32-byte BLOB: 857 pages
 * against 2,287 for 200k random hashes. Fewer pages written per commit, and
 * more of the index stays in the page cache.
 *
 * A key is not unique (2^48 values; prefixes can also be forged at will), so
 * every lookup by key also compares the full hash, and dedup (queueLeaves) is
 * decided on the full identity hash, never on the key.
 */

/** The index key of a 32-byte hash. */
export function hashKey(hash: Buffer): number {
  return hash.readIntBE(0, 6);
}

/**
 * The same key computed by SQLite from a BLOB column, for the migration that
 * fills the key columns of existing rows (SQLite has no BLOB-to-integer
 * function): the 12 hex digits of the first 6 bytes, then the sign.
 */
export function hashKeySql(column: string): string {
  const digits = Array.from({ length: 12 }, (_, i) => `(instr('0123456789ABCDEF', substr(hex(${column}), ${i + 1}, 1)) - 1)`);
  const unsigned = digits.reduce((acc, d) => `(${acc} * 16 + ${d})`);
  return `(${unsigned} - CASE WHEN ${unsigned} >= 140737488355328 THEN 281474976710656 ELSE 0 END)`;
}
