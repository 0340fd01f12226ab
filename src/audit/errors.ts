import { GrapevineError } from '../errors.ts';

export type AuditErrorCode =
  /** A head is malformed: size out of range, root of the wrong length. */
  | 'BAD_HEAD'
  /** Two heads of different logs were compared. */
  | 'DIFFERENT_LOGS';

export class AuditError extends GrapevineError<AuditErrorCode> {}
