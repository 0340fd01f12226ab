/** Errors of the dashboard's JSON API, and their HTTP statuses (the one place they are mapped). */
import { GrapevineError } from '../errors.ts';

export type DashboardErrorCode =
  | 'BAD_PARAMETER' // a query or path parameter is unknown, repeated or out of range
  | 'UNAUTHORIZED' // no bearer token, or the wrong one
  | 'NOT_FOUND'; // no such incident (or it was dropped from the bounded list)

export class DashboardError extends GrapevineError<DashboardErrorCode> {}

export const DASHBOARD_ERROR_STATUS: Readonly<Record<DashboardErrorCode, number>> = {
  BAD_PARAMETER: 400,
  UNAUTHORIZED: 401,
  NOT_FOUND: 404,
};
