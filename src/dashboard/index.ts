/**
 * The operator's web dashboard (issue 14): a read-only page at `/` and a
 * versioned JSON API at /api/v1/ over every part's status
 * (src/http/status.ts), sampled metrics, incidents with their evidence, and
 * the notable-event lines. docs/dashboard.md. The browser code is ui/,
 * bundled into dist/dashboard/ by scripts/build.mjs.
 */
export { type DashboardAccess, type DashboardSettings, DEFAULT_DASHBOARD, dashboardAccess, isLoopbackHost } from './access.ts';
export { type ActivityEvent, type ActivityKind, activityBetween } from './activity.ts';
export { API_PREFIX, API_VERSION } from './api.ts';
export { DashboardError, type DashboardErrorCode } from './errors.ts';
export { DashboardPart, type DashboardPartOptions } from './part.ts';
export { type Agreement, groupSources, type SourceRow } from './sources.ts';
