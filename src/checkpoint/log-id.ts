/**
 * Identifiers derived from a checkpoint origin.
 *
 * - Log ID, SHA-256("o:" || origin): transparency-dev/formats `log.ID`, used by
 *   the legacy witness and distributor HTTP APIs (`/distributor/v0/logs/{logID}`).
 * - Origin hash, SHA-256(origin): the path component of current
 *   c2sp.org/tlog-witness monitoring URLs and tlog-mirror (`<origin hash>`),
 *   lower-case hex.
 */
import { createHash } from 'node:crypto';

export function logIdForOrigin(origin: string): Buffer {
  return createHash('sha256').update('o:', 'utf8').update(origin, 'utf8').digest();
}

export function originHash(origin: string): Buffer {
  return createHash('sha256').update(origin, 'utf8').digest();
}
