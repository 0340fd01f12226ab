/**
 * PostgreSQL test harness. Tests run only when GRAPEVINE_TEST_PG_URL points
 * at a server where we may create databases (.ci/run starts one); otherwise
 * they are skipped LOUDLY: a skipped test with the reason, plus a notice on
 * stderr.
 *
 * Each test file gets its own database (random name, dropped at the end) and
 * each storage opened in it its own schema, so runs never see each other.
 *
 *   GRAPEVINE_TEST_PG_URL   postgres://user@host:port/db (admin connection)
 *   GRAPEVINE_TEST_PG_BIN   directory of pg_ctl            (fault tests)
 *   GRAPEVINE_TEST_PG_DATA  the cluster's data directory   (fault tests)
 *   GRAPEVINE_TEST_PG_CTL   command prefix to run pg_ctl as the cluster owner, e.g. `su postgres -s /bin/sh -c`
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { it } from 'node:test';
import pg from 'pg';

export const PG_URL = process.env.GRAPEVINE_TEST_PG_URL ?? '';

const SKIP_REASON = 'GRAPEVINE_TEST_PG_URL is not set: PostgreSQL tests NOT RUN (run .ci/run, or start a server and export it)';

/** False when PostgreSQL is configured; otherwise prints the notice once and returns the skip reason. */
export function pgSkip(what: string): string | false {
  if (PG_URL) return false;
  process.stderr.write(`\n!!! ${what}: ${SKIP_REASON}\n\n`);
  return SKIP_REASON;
}

/** Registers one visible skipped test carrying the reason, so reporters show it. */
export function reportSkipped(what: string): void {
  it(`${what} (skipped: ${SKIP_REASON})`, { skip: SKIP_REASON }, () => {});
}

export interface TestDatabase {
  /** URL of the fresh database. */
  readonly url: string;
  /** A URL whose connections use a new, empty schema in that database. */
  freshSchema(): Promise<string>;
  drop(): Promise<void>;
}

export function withDatabase(url: string, db: string): string {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
}

export function withSearchPath(url: string, schema: string): string {
  const u = new URL(url);
  u.searchParams.set('options', `-c search_path=${schema}`);
  return u.toString();
}

export async function adminQuery(url: string, sql: string, values: unknown[] = []): Promise<pg.QueryResult> {
  const c = new pg.Client({ connectionString: url });
  c.on('error', () => {});
  await c.connect();
  try {
    return await c.query(sql, values);
  } finally {
    await c.end().catch(() => {});
  }
}

export async function createTestDatabase(prefix = 'gv_test'): Promise<TestDatabase> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  await adminQuery(PG_URL, `CREATE DATABASE ${name}`);
  const url = withDatabase(PG_URL, name);
  let n = 0;
  return {
    url,
    async freshSchema() {
      const schema = `s${n++}_${randomBytes(3).toString('hex')}`;
      await adminQuery(url, `CREATE SCHEMA ${schema}`);
      return withSearchPath(url, schema);
    },
    async drop() {
      await adminQuery(PG_URL, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}

/** True when the fault-injection variables are set too (pg_ctl restart is possible). */
export function canRestartServer(): boolean {
  return Boolean(process.env.GRAPEVINE_TEST_PG_BIN && process.env.GRAPEVINE_TEST_PG_DATA);
}

/** pg_ctl restart of the test cluster; `mode` fast or immediate (a crash, WAL recovery on start). */
export function restartServer(mode: 'fast' | 'immediate'): void {
  const bin = process.env.GRAPEVINE_TEST_PG_BIN as string;
  const data = process.env.GRAPEVINE_TEST_PG_DATA as string;
  const cmd = `${bin}/pg_ctl -D ${data} -m ${mode} -w -t 60 restart -l ${data}/../restart.log`;
  const prefix = process.env.GRAPEVINE_TEST_PG_CTL?.trim();
  if (prefix) {
    const words = prefix.split(/\s+/);
    execFileSync(words[0], [...words.slice(1), cmd], { stdio: 'ignore' });
  } else {
    execFileSync('/bin/sh', ['-c', cmd], { stdio: 'ignore' });
  }
}
