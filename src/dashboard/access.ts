/**
 * Who may read the dashboard. The rule (docs/dashboard.md § Access):
 *
 *   enabled: false                         → off (no routes at all)
 *   a token is set                         → every API request needs `Authorization: Bearer <token>`
 *   no token, listening on loopback only   → open: only processes on this host can connect
 *   no token, listening beyond loopback    → off, with a start-up warning saying why
 *
 * The page and its scripts are the same for everyone and hold no data; the
 * data is behind /api/v1/, which is what the token guards. Pure.
 */
import { timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';

export interface DashboardSettings {
  readonly enabled: boolean;
  /** The API's bearer token; "" for none. */
  readonly token: string;
  /** How long samples are kept for the plots, ms. */
  readonly historyMs: number;
  /** How often metrics are sampled, ms. */
  readonly sampleIntervalMs: number;
}

export const DEFAULT_DASHBOARD: DashboardSettings = Object.freeze({
  enabled: true,
  token: '',
  historyMs: 3_600_000,
  sampleIntervalMs: 2000,
});

export type DashboardAccess =
  | { readonly mode: 'open' }
  | { readonly mode: 'token'; readonly token: string }
  | { readonly mode: 'off'; readonly reason: string };

/** True for a host only this machine can reach: 127.0.0.0/8, ::1, ::ffff:127.x, localhost. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost') return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) return h === '::1' || /^::ffff:127\./.test(h);
  return false;
}

export function dashboardAccess(s: DashboardSettings, listenHost: string): DashboardAccess {
  if (!s.enabled) return { mode: 'off', reason: 'dashboard.enabled is false' };
  if (s.token !== '') return { mode: 'token', token: s.token };
  if (isLoopbackHost(listenHost)) return { mode: 'open' };
  return {
    mode: 'off',
    reason: `listening on ${listenHost}, beyond loopback, and dashboard.token is not set (set it to serve the dashboard there)`,
  };
}

/** Whether an Authorization header value carries the token (constant time in the token's length). */
export function bearerMatches(header: string | undefined, token: string): boolean {
  const m = /^Bearer +(\S+)\s*$/i.exec(header ?? '');
  if (!m) return false;
  const got = Buffer.from(m[1]);
  const want = Buffer.from(token);
  return got.length === want.length && timingSafeEqual(got, want);
}
