/**
 * Maps node-postgres failures onto StorageError codes, in this one place
 * (SQLSTATEs: postgresql.org/docs/current/errcodes-appendix.html).
 *
 * Transient, retry later (UNAVAILABLE):
 * - no SQLSTATE: socket errors, "Connection terminated unexpectedly",
 *   connect timeouts (but never a TypeError & co.: those are our bugs);
 * - class 08 connection exception, class 53 insufficient resources (too
 *   many connections, disk full), 57P01–57P03 (administrator or crash
 *   shutdown, cannot connect now), 57014 query canceled (a timeout), 55P03
 *   lock not available, class 58 system/I/O error, 25006 read-only
 *   transaction (a standby after failover);
 * - 40001/40P01 serialization failure and deadlock: inside `integrate` the
 *   caller turns them into CONFLICT, since nothing was written and the
 *   sequencer must reload either way.
 *
 * Permanent, never retried as transient (issue 8 §3):
 * - SCHEMA, the database is not one this binary can use as configured:
 *   class 42 (undefined table/column, …), 3F000 invalid schema name (the
 *   search_path names a schema that does not exist), 3D000 invalid catalog
 *   name (no such database), class 28 invalid authorization (the
 *   credentials are refused), 0A000 feature not supported.
 * - CORRUPT: XX001 data corrupted, XX002 index corrupted.
 * - Any other SQLSTATE (data exceptions, integrity violations, …) is a bug
 *   in our SQL or data, not an outage: the driver error itself is returned.
 */
import { StorageError } from '../../log/index.ts';

export function sqlState(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

export function isSerializationFailure(err: unknown): boolean {
  const s = sqlState(err);
  return s === '40001' || s === '40P01';
}

const TRANSIENT_CLASSES = ['08', '53', '58'];
const TRANSIENT = ['57P01', '57P02', '57P03', '57014', '55P03', '25006', '40001', '40P01'];
const SCHEMA_CLASSES = ['42', '28'];
const SCHEMA = ['3F000', '3D000', '0A000'];
const CORRUPT = ['XX001', 'XX002'];

/** How a failure is classed: a StorageError code, or 'bug' for one that is ours to fix (returned as is). */
export function classify(err: unknown): 'UNAVAILABLE' | 'SCHEMA' | 'CORRUPT' | 'bug' {
  const state = sqlState(err);
  if (state === undefined) {
    const programming =
      err instanceof TypeError || err instanceof RangeError || err instanceof ReferenceError || err instanceof SyntaxError;
    return programming || !(err instanceof Error) ? 'bug' : 'UNAVAILABLE';
  }
  const cls = state.slice(0, 2);
  if (TRANSIENT.includes(state) || TRANSIENT_CLASSES.includes(cls)) return 'UNAVAILABLE';
  if (SCHEMA.includes(state) || SCHEMA_CLASSES.includes(cls)) return 'SCHEMA';
  if (CORRUPT.includes(state)) return 'CORRUPT';
  return 'bug';
}

/** A StorageError for `err` when it is an outage, a schema/configuration or a corruption problem; `err` itself when it is a bug. */
export function postgresError(err: unknown, op: string): unknown {
  if (err instanceof StorageError) return err;
  const c = classify(err);
  if (c === 'bug') return err;
  const state = sqlState(err);
  const msg = err instanceof Error ? err.message : String(err);
  return new StorageError(c, `${op}: ${msg}${state ? ` (SQLSTATE ${state})` : ''}`, { cause: err });
}
