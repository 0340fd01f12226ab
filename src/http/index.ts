/**
 * Fastify building blocks shared by the personalities (Gossip Hub, CT log):
 *
 * - `createApp(opts)` — fastify with pino, body limit, trustProxy, and the
 *   one error handler; `app.errorMapper.add(MyError, { CODE: status })` to
 *   teach it a personality's error class.
 * - `registerHealth(app, { checks })` — `/healthz` and `/readyz`, with
 *   `storageCheck(storage)` and `sequencerCheck(seq, name)`.
 * - `registerMetrics(app, { registry })` — `/metrics` and request metrics.
 * - `clientIp(req)` / `quotaUser(req)` — the caller's address and quota user.
 * - `installGracefulShutdown({ app, closers })` — SIGTERM/SIGINT handling.
 * - `Part` — what a server part (a personality, the gossip loop, …) gives the
 *   server builder in src/server.
 *
 * Errors answer `{ "error": CODE, "message": … }`; QuotaError is 429 with
 * Retry-After; StorageError UNAVAILABLE is 503.
 */
export { type AppOptions, createApp, DEFAULT_BODY_LIMIT } from './app.ts';
export { HTTP_STATUS_CODES, statusCodeName } from './client-errors.ts';
export { clientIp, DEFAULT_IPV6_QUOTA_PREFIX, quotaUser, quotaUserForIp, requestClient, setIpv6QuotaPrefix } from './client-ip.ts';
export { defaultErrorMapper, type ErrorAnswer, ErrorMapper, errorHandler, logAnswer, type StatusTable } from './errors.ts';
export { type AnsweredHook, type FastRoute, FastRoutes } from './fast-routes.ts';
export { type HealthOptions, type ReadinessCheck, registerHealth, sequencerCheck, storageCheck } from './health.ts';
export { DEFAULT_HTTP_LIMITS, type HttpLimits, httpLimits } from './limits.ts';
export { methodNotAllowed } from './method-not-allowed.ts';
export { type MetricsRouteOptions, registerMetrics } from './metrics.ts';
export type { Part } from './part.ts';
export { routePrefix } from './prefix.ts';
export { installGracefulShutdown, type ShutdownHandle, type ShutdownOptions } from './shutdown.ts';
export {
  type HeadSummary,
  type Health,
  healthOfMmd,
  type IncidentFeed,
  type MmdStatus,
  mmdStatus,
  type PartStatus,
  type ServiceKind,
  type ServiceStatus,
  type SourceObservation,
} from './status.ts';
