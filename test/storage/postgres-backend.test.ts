/**
 * What only the PostgreSQL backend has, beyond the shared contract suite:
 * schema versioning and concurrent migration, migrating a database from an
 * older schema version, the query plan of latestLeafByLabel, error mapping of connection
 * failures, recovery from cut connections, and leases timed by the database
 * clock. (Dedup and compare-and-swap between two pools are contract rules:
 * contract.ts runs them on every backend.)
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { isError } from '../../src/errors.ts';
import { type NewLeaf, StorageError, signHead } from '../../src/log/index.ts';
import { CompactRange, hashLeaf } from '../../src/merkle/index.ts';
import { PostgresStorage, SCHEMA_VERSION } from '../../src/storage/postgres/index.ts';
import { MIGRATIONS } from '../../src/storage/postgres/schema.ts';
import { SQL } from '../../src/storage/postgres/sql.ts';
import { newSigner } from '../support/keys.ts';
import { freePort } from '../support/ports.ts';
import { adminQuery, createTestDatabase, pgSkip, reportSkipped, type TestDatabase } from './pg-harness.ts';

const leaf = (s: string): NewLeaf => ({
  identityHash: hashLeaf(Buffer.from(`id:${s}`)),
  leafHash: hashLeaf(Buffer.from(s)),
  value: Buffer.from(s),
  extraData: null,
  label: null,
  queuedAt: 1,
});

function withApplicationName(url: string, name: string): string {
  const u = new URL(url);
  u.searchParams.set('application_name', name);
  return u.toString();
}

const skip = pgSkip('test/storage/postgres-backend.test.ts');

if (skip) {
  describe('PostgresStorage', () => reportSkipped('PostgreSQL-specific backend tests'));
} else {
  describe('PostgresStorage', () => {
    let db: TestDatabase;
    const signer = newSigner();
    const head0 = signHead(signer, CompactRange.empty(), 1000, 0);
    const spec = (name: string) => ({ name, personality: 'log', publicKey: signer.publicKey.spki });

    before(async () => {
      db = await createTestDatabase('gv_pgb');
    });
    after(async () => db.drop());

    describe('open', () => {
      it('records the schema version and reopens an existing database without migrating again', async () => {
        const url = await db.freshSchema();
        const s1 = await PostgresStorage.open(url);
        await s1.createTree(spec('keep'), head0, 1);
        await s1.close();
        const s2 = await PostgresStorage.open(url);
        assert.equal((await s2.getTree('keep'))?.name, 'keep');
        await s2.close();
        const rows = await adminQuery(url, 'SELECT version FROM schema_version ORDER BY version');
        assert.deepEqual(
          rows.rows.map((r) => r.version),
          Array.from({ length: SCHEMA_VERSION }, (_, i) => i + 1),
        );
      });

      it('migrates once when several opens race on an empty database', async () => {
        const url = await db.freshSchema();
        const all = await Promise.all(Array.from({ length: 6 }, () => PostgresStorage.open(url, { poolSize: 1 })));
        await all[0].createTree(spec('raced'), head0, 1);
        assert.equal((await all[5].getTree('raced'))?.name, 'raced');
        await Promise.all(all.map((s) => s.close()));
        const rows = await adminQuery(url, 'SELECT count(*)::int AS n FROM schema_version');
        assert.equal(rows.rows[0].n, SCHEMA_VERSION);
      });

      it('refuses a database whose schema is newer than this binary with StorageError SCHEMA', async () => {
        const url = await db.freshSchema();
        await (await PostgresStorage.open(url)).close();
        await adminQuery(url, 'INSERT INTO schema_version (version, applied_at) VALUES ($1, 0)', [SCHEMA_VERSION + 1]);
        await assert.rejects(PostgresStorage.open(url), (e) => isError(e, StorageError, 'SCHEMA'));
      });

      it('refuses a search_path naming a schema that does not exist with StorageError SCHEMA, not a transient UNAVAILABLE', async () => {
        const url = new URL(db.url);
        url.searchParams.set('options', '-c search_path=no_such_schema');
        await assert.rejects(PostgresStorage.open(url.toString()), (e) => isError(e, StorageError, 'SCHEMA') && /3F000/.test(e.message));
      });

      it('refuses a database that does not exist with StorageError SCHEMA', async () => {
        const url = new URL(db.url);
        url.pathname = '/no_such_database';
        await assert.rejects(PostgresStorage.open(url.toString()), (e) => isError(e, StorageError, 'SCHEMA') && /3D000/.test(e.message));
      });

      it('maps an unreachable server to StorageError UNAVAILABLE', async () => {
        const url = `postgres://postgres@127.0.0.1:${await freePort()}/nothing`;
        await assert.rejects(PostgresStorage.open(url, { connectTimeoutMs: 2000 }), (e) => isError(e, StorageError, 'UNAVAILABLE'));
      });
    });

    describe('migration 2 (label ranks)', () => {
      it('opens a database built at schema version 1, migrates it, and answers its old rows by queue order', async () => {
        const url = await db.freshSchema();
        // Exactly what a version-1 binary created and wrote.
        await adminQuery(url, 'CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)');
        for (const stmt of MIGRATIONS[0]) await adminQuery(url, stmt);
        await adminQuery(url, 'INSERT INTO schema_version (version, applied_at) VALUES (1, 0)');
        await adminQuery(
          url,
          "INSERT INTO trees (id, name, personality, public_key, created_at, revision, tree_size) VALUES (1, 'old', 'hub', '\\x00', 1, 0, 0)",
        );
        for (const [v, label] of [
          ['o1', 'src'],
          ['o2', 'src'],
          ['x1', 'other'],
          ['o3', 'src'],
          ['x2', null],
        ] as const) {
          const l = leaf(v);
          await adminQuery(
            url,
            `WITH ins AS (
               INSERT INTO leaves (tree_id, identity_hash, queue_id, leaf_hash, leaf_value, extra_data, label, queued_at)
               VALUES (1, $1, nextval('leaf_queue_ids'), $2, $3, NULL, $4, 7) RETURNING queue_id
             )
             INSERT INTO unsequenced (tree_id, queue_id, identity_hash, leaf_hash) SELECT 1, queue_id, $1, $2 FROM ins`,
            [l.identityHash, l.leafHash, l.value, label],
          );
        }

        const s = await PostgresStorage.open(url);
        try {
          const latest = await s.latestLeafByLabel(1, 'src');
          assert.equal(latest?.value.toString(), 'o3', 'old rows answer by queue order');
          assert.equal(latest?.labelRank.length, 0);
          assert.equal((await s.latestLeafByLabel(1, 'other'))?.value.toString(), 'x1');
          assert.equal(await s.pendingCount(1), 5);
          await s.queueLeaves(1, [{ ...leaf('n1'), label: 'src' }]);
          assert.equal((await s.latestLeafByLabel(1, 'src'))?.value.toString(), 'n1', 'new unranked rows follow queue order');
          await s.queueLeaves(1, [
            { ...leaf('ranked'), label: 'src', labelRank: Buffer.from([1]) },
            { ...leaf('n2'), label: 'src' },
          ]);
          assert.equal((await s.latestLeafByLabel(1, 'src'))?.value.toString(), 'ranked');
        } finally {
          await s.close();
        }
        const versions = await adminQuery(url, 'SELECT version FROM schema_version ORDER BY version');
        assert.deepEqual(
          versions.rows.map((r) => r.version),
          Array.from({ length: SCHEMA_VERSION }, (_, i) => i + 1),
        );
        const index = await adminQuery(
          url,
          "SELECT indexdef FROM pg_indexes WHERE indexname = 'leaves_by_label' AND schemaname = current_schema()",
        );
        assert.match(index.rows[0].indexdef, /\(tree_id, label, label_rank, queue_id\) WHERE \(label IS NOT NULL\)$/);
      });

      it('answers latestLeafByLabel with a backward scan of leaves_by_label, without sorting', async () => {
        const url = await db.freshSchema();
        const s = await PostgresStorage.open(url);
        try {
          const t = (await s.createTree(spec('plan'), head0, 1)).id;
          // Realistic statistics: many labels, many ranked leaves each.
          const leaves = Array.from({ length: 3000 }, (_, i) => ({
            ...leaf(`p${i}`),
            label: `src${i % 30}`,
            labelRank: Buffer.from([i % 251, i % 7]),
          }));
          await s.queueLeaves(t, leaves);
        } finally {
          await s.close();
        }
        await adminQuery(url, 'ANALYZE leaves');
        await adminQuery(url, 'ANALYZE sequenced');
        const text = SQL.latestByLabel.text.replace('$1', '1').replace('$2', "'src3'");
        const plan = (await adminQuery(url, `EXPLAIN ${text}`)).rows.map((r) => r['QUERY PLAN'] as string).join('\n');
        assert.match(plan, /Index Scan Backward using leaves_by_label/, plan);
        assert.doesNotMatch(plan, /Sort/, plan);
      });
    });

    describe('when its connections are cut', () => {
      it('fails calls only with UNAVAILABLE, reports idle-connection errors, and works again without reopening', async () => {
        const url = await db.freshSchema();
        const poolErrors: Error[] = [];
        const s = await PostgresStorage.open(withApplicationName(url, 'gv_cut'), { poolSize: 4, onPoolError: (e) => poolErrors.push(e) });
        const t = (await s.createTree(spec('cut'), head0, 1)).id;
        // Fill the pool with idle connections, then kill every one of them from outside.
        await Promise.all(Array.from({ length: 8 }, (_, i) => s.queueLeaves(t, [leaf(`before${i}`)])));
        const killed = await adminQuery(
          url,
          "SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE application_name = 'gv_cut'",
        );
        assert.ok(killed.rows[0].n > 0);
        // Calls racing the news of the dead connections may fail, but only with UNAVAILABLE; then the pool reconnects.
        let ok = 0;
        for (let i = 0; i < 20 && ok < 5; i++) {
          try {
            await s.queueLeaves(t, [leaf(`after${i}`)]);
            ok++;
          } catch (err) {
            assert.ok(isError(err, StorageError, 'UNAVAILABLE'), `got ${String(err)}, want StorageError UNAVAILABLE`);
          }
        }
        assert.equal(ok, 5);
        assert.ok(poolErrors.length > 0, 'idle connection errors reached onPoolError instead of crashing the process');
        assert.ok((await s.pendingCount(t)) >= 13);
        await s.close();
      });
    });

    describe('with two pools on one database (two frontends)', () => {
      let a: PostgresStorage;
      let b: PostgresStorage;
      let url: string;
      before(async () => {
        url = await db.freshSchema();
        a = await PostgresStorage.open(url);
        b = await PostgresStorage.open(url);
      });
      after(async () => {
        await a.close();
        await b.close();
      });

      it('times leases with the database clock', async () => {
        const t = (await a.createTree(spec('lease'), head0, 1)).id;
        assert.equal(await a.acquireLease(t, 'a', 30_000), true);
        assert.equal(await b.acquireLease(t, 'b', 30_000), false);
        const r = await adminQuery(url, 'SELECT extract(epoch FROM expires_at - now()) * 1000 AS ms FROM leases WHERE tree_id = $1', [t]);
        const ms = Number(r.rows[0].ms);
        assert.ok(ms > 25_000 && ms <= 30_000, `lease expires ${ms} ms from the database's now, want about 30 000`);
      });

      it('refuses to read a stored integer beyond 2^53 with StorageError CORRUPT', async () => {
        const t = (await a.createTree(spec('big'), head0, 1)).id;
        await adminQuery(url, 'UPDATE heads SET ts_ms = 9007199254740993 WHERE tree_id = $1', [t]);
        await assert.rejects(a.latestHead(t), (e) => isError(e, StorageError, 'CORRUPT'));
      });
    });
  });
}
