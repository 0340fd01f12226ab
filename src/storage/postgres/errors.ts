/**
 * Maps node-postgres failures onto StorageError codes, in this one place.
 *
 * - No SQLSTATE (socket errors, "Connection terminated unexpectedly",
 *   connect timeouts), class 08 (connection exception), 57P01–57P03
 *   (terminated by an administrator, crash shutdown, starting up) and class
 *   53 (insufficient resources: too many connections, disk full) are
 *   transient: UNAVAILABLE. The storage contract leaves retrying to callers.
 * - 40001/40P01 (serialization failure, deadlock) are transient as well;
 *   inside `integrate` the caller turns them into CONFLICT, since nothing was
 *   written and the sequencer must reload either way.
 * - Class 42 (undefined table/column, …) means the schema is not ours: SCHEMA.
 * Anything else is UNAVAILABLE too, with the driver error as `cause`: storage
 * does not know better, and a retry is harmless because every write is one
 * transaction.
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

export function toStorageError(err: unknown, op: string): StorageError {
  if (err instanceof StorageError) return err;
  const msg = err instanceof Error ? err.message : String(err);
  const state = sqlState(err);
  if (state?.startsWith('42')) return new StorageError('SCHEMA', `${op}: ${msg} (SQLSTATE ${state})`, { cause: err });
  return new StorageError('UNAVAILABLE', `${op}: ${msg}${state ? ` (SQLSTATE ${state})` : ''}`, { cause: err });
}
