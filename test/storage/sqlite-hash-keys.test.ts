/**
 * The SQLite leaves table indexes 6-byte integer keys of its hashes
 * (src/storage/sqlite/hash-key.ts, migration 4), not the hashes: hashes that
 * share a key stay distinct leaves, the key SQLite computes for old rows is
 * the key the code computes, a database from schema version 3 migrates, and
 * every lookup by hash is an index seek.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { LogStorage, NewLeaf } from '../../src/log/index.ts';
import { Log } from '../../src/log/index.ts';
import { hashLeaf } from '../../src/merkle/index.ts';
import { openStorage } from '../../src/storage/index.ts';
import { openSqlite } from '../../src/storage/sqlite/driver.ts';
import { hashKey, hashKeySql } from '../../src/storage/sqlite/hash-key.ts';
import { MIGRATIONS } from '../../src/storage/sqlite/schema.ts';
import { LEAVES_BY_HASH_SQL, LEAVES_BY_IDENTITY_KEYS_SQL } from '../../src/storage/sqlite/sqlite-storage.ts';
import { newSigner } from '../support/keys.ts';
import { tempDir } from '../support/temp-dir.ts';

const tmp = () => tempDir('gv-sqlite-keys-');

/** A hash whose first 6 bytes (its key) are `prefix`'s, the rest random. */
const withPrefix = (prefix: Buffer) => Buffer.concat([prefix.subarray(0, 6), randomBytes(26)]);

const leaf = (value: string, identityHash: Buffer, leafHash: Buffer): NewLeaf => ({
  identityHash,
  leafHash,
  value: Buffer.from(value),
  extraData: null,
  label: null,
  queuedAt: 1,
});

describe('SQLite hash keys', () => {
  it('computes in SQL the key the code computes, at the sign boundary and for random hashes', () => {
    const db = openSqlite(':memory:');
    try {
      const edges = ['000000000000', '7fffffffffff', '800000000000', 'ffffffffffff', '0102030405ff', 'fedcba987654'];
      const hashes = [
        ...edges.map((h) => Buffer.concat([Buffer.from(h, 'hex'), Buffer.alloc(26, 0xee)])),
        ...Array.from({ length: 200 }, () => randomBytes(32)),
      ];
      // As the migration runs it: over a column.
      db.exec('CREATE TABLE h (n INTEGER PRIMARY KEY, hash BLOB NOT NULL)');
      const insert = db.prepare('INSERT INTO h (n, hash) VALUES (?, ?)');
      for (const [n, h] of hashes.entries()) insert.run(n, h);
      const keys = db.prepare(`SELECT ${hashKeySql('hash')} AS k FROM h ORDER BY n`).all();
      for (const [n, h] of hashes.entries()) assert.equal(keys[n].k, hashKey(h), h.toString('hex'));
      assert.equal(hashKey(hashes[2]), -(2 ** 47));
      assert.equal(hashKey(hashes[3]), -1);
    } finally {
      db.close();
    }
  });

  for (const threaded of [false, true]) {
    it(`keeps hashes that share a key apart: dedup, identity and leaf-hash lookups (${threaded ? 'writer thread' : 'one connection'})`, async () => {
      const s = await openStorage(`sqlite:${join(tmp(), 'collide.db')}`, { writerThread: threaded });
      try {
        const tree = await Log.create(s, 'keys', 'log', newSigner());
        const id = randomBytes(32);
        const idTwin = withPrefix(id); // same identity key, another identity
        const lh = randomBytes(32);
        const lhTwin = withPrefix(lh); // same leaf key, another leaf hash
        const own = hashLeaf(Buffer.from('own')); // leaf hash = identity hash: indexed by its identity key only
        const ownTwin = withPrefix(own);
        const first = await s.queueLeaves(tree.id, [leaf('a', id, lh), leaf('b', idTwin, lhTwin), leaf('c', own, own)]);
        assert.deepEqual(
          first.map((r) => r.duplicate),
          [false, false, false],
        );
        // A twin in the same batch as its original, and twins of stored leaves: new leaves; exact repeats: duplicates.
        const second = await s.queueLeaves(tree.id, [
          leaf('d', ownTwin, ownTwin),
          leaf('a again', id, lh),
          leaf('d again', ownTwin, ownTwin),
          leaf('e', withPrefix(id), lh),
        ]);
        assert.deepEqual(
          second.map((r) => [r.duplicate, r.leaf.value.toString()]),
          [
            [false, 'd'],
            [true, 'a'],
            [true, 'd'],
            [false, 'e'],
          ],
        );
        const value = async (h: Buffer) => (await s.leafByIdentityHash(tree.id, h))?.value.toString();
        assert.deepEqual(await Promise.all([id, idTwin, own, ownTwin, withPrefix(id)].map(value)), ['a', 'b', 'c', 'd', undefined]);
        const byLeaf = async (h: Buffer) => (await s.leavesByLeafHash(tree.id, h)).map((l) => l.value.toString());
        assert.deepEqual(await byLeaf(lh), ['a', 'e']);
        assert.deepEqual(await byLeaf(lhTwin), ['b']);
        assert.deepEqual(await byLeaf(own), ['c']);
        assert.deepEqual(await byLeaf(ownTwin), ['d']);
        assert.deepEqual(await byLeaf(withPrefix(lh)), []);
      } finally {
        await s.close();
      }
    });
  }

  it('migrates a schema-3 database: old rows get their keys, dedup and lookups by hash find them', async () => {
    const file = join(tmp(), 'v3.db');
    const v3 = openSqlite(file);
    // Exactly what a version-3 binary created and wrote.
    v3.exec('CREATE TABLE schema_version (version INTEGER NOT NULL)');
    for (const [i, m] of MIGRATIONS.slice(0, 3).entries()) {
      v3.exec(m);
      v3.prepare('INSERT INTO schema_version (version) VALUES (?)').run(i + 1);
    }
    v3.prepare("INSERT INTO trees (name, personality, public_key, created_at, revision) VALUES ('old', 'log', X'00', 1, 0)").run();
    const insert = v3.prepare('INSERT INTO leaves (tree_id, identity_hash, leaf_hash, value, queued_at) VALUES (1, ?, ?, ?, 7)');
    const same = hashLeaf(Buffer.from('same'));
    const id = Buffer.from(`ff${'ab'.repeat(31)}`, 'hex'); // a negative key
    const lh = hashLeaf(Buffer.from('distinct'));
    insert.run(same, same, Buffer.from('same'));
    insert.run(id, lh, Buffer.from('distinct'));
    v3.close();

    const s = await openStorage(`sqlite:${file}`);
    try {
      assert.equal((await s.leafByIdentityHash(1, id))?.value.toString(), 'distinct');
      assert.deepEqual(
        (await s.leavesByLeafHash(1, same)).map((l) => l.value.toString()),
        ['same'],
      );
      assert.deepEqual(
        (await s.leavesByLeafHash(1, lh)).map((l) => l.value.toString()),
        ['distinct'],
      );
      const again = await s.queueLeaves(1, [leaf('x', same, same), leaf('y', id, lh), leaf('z', withPrefix(id), lh)]);
      assert.deepEqual(
        again.map((r) => [r.duplicate, r.leaf.value.toString()]),
        [
          [true, 'same'],
          [true, 'distinct'],
          [false, 'z'],
        ],
      );
    } finally {
      await s.close();
    }
    const raw = openSqlite(file);
    try {
      assert.equal(raw.prepare('SELECT max(version) AS v FROM schema_version').get()?.v, MIGRATIONS.length);
      const keys = raw.prepare('SELECT identity_key AS i, leaf_key AS l FROM leaves ORDER BY queue_id').all();
      assert.deepEqual(
        keys.slice(0, 2).map((r) => [r.i, r.l]),
        [
          [hashKey(same), null],
          [hashKey(id), hashKey(lh)],
        ],
      );
      const indexes = raw
        .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'leaves' AND name NOT LIKE 'sqlite_%' ORDER BY name")
        .all()
        .map((r) => r.name);
      assert.deepEqual(indexes, ['leaves_by_identity_key', 'leaves_by_label', 'leaves_by_leaf_key', 'leaves_by_queue']);
    } finally {
      raw.close();
    }
  });

  it('finds leaves by identity and by leaf hash with index seeks, never a scan of the leaves', async () => {
    const file = join(tmp(), 'plan.db');
    const s: LogStorage = await openStorage(`sqlite:${file}`);
    const tree = await Log.create(s, 'plan', 'log', newSigner());
    const hashes = Array.from({ length: 2000 }, (_, i) => hashLeaf(Buffer.from(`${i}`)));
    // Half the leaves with their own identity, half with the leaf hash as identity.
    await s.queueLeaves(
      tree.id,
      hashes.map((h, i) => leaf(`${i}`, i % 2 ? h : hashLeaf(Buffer.from(`id:${i}`)), h)),
    );
    await s.close();
    const raw = openSqlite(file);
    try {
      for (const analyzed of [false, true]) {
        if (analyzed) raw.exec('ANALYZE');
        const plan = (sql: string, ...params: (number | Buffer | string)[]) =>
          (raw.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((r) => r.detail);
        const k = hashKey(hashes[3]);
        const byHash = plan(LEAVES_BY_HASH_SQL, tree.id, k, hashes[3], tree.id, k, hashes[3]);
        assert.ok(byHash.includes('SEARCH leaves USING INDEX leaves_by_identity_key (tree_id=? AND identity_key=?)'), byHash.join('\n'));
        assert.ok(byHash.includes('SEARCH leaves USING INDEX leaves_by_leaf_key (tree_id=? AND leaf_key=?)'), byHash.join('\n'));
        const byKeys = plan(LEAVES_BY_IDENTITY_KEYS_SQL, tree.id, JSON.stringify([k, k + 1]));
        assert.ok(
          byKeys.some((d) => d.startsWith('SEARCH leaves USING INDEX leaves_by_identity_key')),
          byKeys.join('\n'),
        );
        assert.ok(!byHash.concat(byKeys).some((d) => d.startsWith('SCAN leaves')), `analyzed: ${analyzed}`);
      }
    } finally {
      raw.close();
    }
  });
});
