/**
 * How long and how many: the bounds that keep one slow or greedy client from
 * holding the server (issue 8 §4). Node's own defaults are not enough:
 * fastify sets `requestTimeout` to 0, which turns off even Node's 300 s
 * limit, so a client sending one byte every few seconds held a request open
 * forever. Each bound is settable in the server configs (`http:`).
 */

export interface HttpLimits {
  /** The whole request, headers and body, must arrive within this (ms); else 408 and the connection closes. */
  readonly requestTimeoutMs: number;
  /** The request line and headers must arrive within this (ms); at most requestTimeoutMs. */
  readonly headersTimeoutMs: number;
  /** A connection with no bytes either way for this long (ms) is closed. */
  readonly idleTimeoutMs: number;
  /** A keep-alive connection waiting for its next request is closed after this (ms). */
  readonly keepAliveTimeoutMs: number;
  /** Most connections open at once; further ones are closed on arrival. */
  readonly maxConnections: number;
}

/**
 * The defaults: a full 512 KiB chain arrives in well under 30 s on any
 * usable link; 10 s for headers is plenty for a client that is not
 * stalling; 4096 connections fit in memory many times over.
 */
export const DEFAULT_HTTP_LIMITS: HttpLimits = Object.freeze({
  requestTimeoutMs: 30_000,
  headersTimeoutMs: 10_000,
  idleTimeoutMs: 60_000,
  keepAliveTimeoutMs: 5_000,
  maxConnections: 4096,
});

/**
 * How often Node checks the request and headers timeouts (its default, 30 s,
 * would let a request outlive its limit by up to that much): a tenth of the
 * shortest, between 100 ms and 1 s.
 */
export function checkingIntervalMs(l: HttpLimits): number {
  return Math.min(1000, Math.max(100, Math.floor(Math.min(l.requestTimeoutMs, l.headersTimeoutMs) / 10)));
}

/** The limits with `given` over the defaults; headers never get longer than the whole request. */
export function httpLimits(given: Partial<HttpLimits> = {}): HttpLimits {
  const l = { ...DEFAULT_HTTP_LIMITS, ...given };
  return Object.freeze({ ...l, headersTimeoutMs: Math.min(l.headersTimeoutMs, l.requestTimeoutMs) });
}
