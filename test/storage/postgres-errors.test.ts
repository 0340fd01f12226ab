/**
 * How PostgreSQL failures are classed (src/storage/postgres/errors.ts):
 * transient ones are UNAVAILABLE, permanent ones never are (issue 8 §3).
 * Pure: driver-shaped errors, no server.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isError } from '../../src/errors.ts';
import { StorageError } from '../../src/log/index.ts';
import { postgresError } from '../../src/storage/postgres/errors.ts';

const pgErr = (code: string) => Object.assign(new Error(`server said ${code}`), { code });

describe('postgresError', () => {
  const cases = [
    {
      desc: 'connection refused (no SQLSTATE, a system error)',
      err: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
      want: 'UNAVAILABLE',
    },
    { desc: 'a connection cut mid-query (plain Error)', err: new Error('Connection terminated unexpectedly'), want: 'UNAVAILABLE' },
    { desc: '08006 connection failure', err: pgErr('08006'), want: 'UNAVAILABLE' },
    { desc: '53300 too many connections', err: pgErr('53300'), want: 'UNAVAILABLE' },
    { desc: '53100 disk full', err: pgErr('53100'), want: 'UNAVAILABLE' },
    { desc: '57P01 admin shutdown', err: pgErr('57P01'), want: 'UNAVAILABLE' },
    { desc: '57P03 cannot connect now (starting up)', err: pgErr('57P03'), want: 'UNAVAILABLE' },
    { desc: '57014 query canceled (statement timeout)', err: pgErr('57014'), want: 'UNAVAILABLE' },
    { desc: '40001 serialization failure', err: pgErr('40001'), want: 'UNAVAILABLE' },
    { desc: '40P01 deadlock', err: pgErr('40P01'), want: 'UNAVAILABLE' },
    { desc: '25006 read-only transaction (a standby after failover)', err: pgErr('25006'), want: 'UNAVAILABLE' },
    { desc: '58030 I/O error', err: pgErr('58030'), want: 'UNAVAILABLE' },
    { desc: '3F000 invalid schema name (search_path names a missing schema)', err: pgErr('3F000'), want: 'SCHEMA' },
    { desc: '3D000 no such database', err: pgErr('3D000'), want: 'SCHEMA' },
    { desc: '42P01 undefined table', err: pgErr('42P01'), want: 'SCHEMA' },
    { desc: '42501 insufficient privilege', err: pgErr('42501'), want: 'SCHEMA' },
    { desc: '28P01 password refused', err: pgErr('28P01'), want: 'SCHEMA' },
    { desc: '0A000 feature not supported', err: pgErr('0A000'), want: 'SCHEMA' },
    { desc: 'XX001 data corrupted', err: pgErr('XX001'), want: 'CORRUPT' },
    { desc: 'XX002 index corrupted', err: pgErr('XX002'), want: 'CORRUPT' },
  ] as const;
  for (const c of cases) {
    it(`classes ${c.desc} as StorageError ${c.want}, keeping the cause`, () => {
      const got = postgresError(c.err, 'op');
      assert.ok(isError(got, StorageError, c.want), `got ${String(got)}, want StorageError ${c.want}`);
      assert.equal((got as StorageError).cause, c.err);
    });
  }

  it('never classes a permanent failure as transient', () => {
    for (const code of ['3F000', '3D000', '42P01', '28000', '28P01', '0A000', 'XX001', '22003', '23505', '23503', 'XX000']) {
      assert.ok(!isError(postgresError(pgErr(code), 'op'), StorageError, 'UNAVAILABLE'), code);
    }
  });

  it('returns bugs as they are: other SQLSTATEs (data exceptions, integrity violations) and programming errors', () => {
    for (const err of [pgErr('22003'), pgErr('23505'), pgErr('23503'), new TypeError('x is undefined'), new RangeError('bad')]) {
      assert.equal(postgresError(err, 'op'), err);
    }
  });

  it('keeps a StorageError as it is', () => {
    const err = new StorageError('CONFLICT', 'lost');
    assert.equal(postgresError(err, 'op'), err);
  });
});
