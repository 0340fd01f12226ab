/**
 * HTTP for observers of possibly hostile servers: every request has a time
 * limit (covering the whole body, not just the headers) and a body limit,
 * read in chunks so a huge or endless body costs at most the limit in memory
 * before the request is abandoned. A slow-drip server is cut off by the
 * same time limit.
 *
 * `boundedFetch` returns a standard Response whose body is already read, so
 * it can be handed to the verifying clients (CtClient, HubClient), which
 * take a `fetch`.
 */
import { MonitorError } from './errors.ts';

export interface FetchLimits {
  /** Whole request, ms. */
  readonly timeoutMs: number;
  /** Largest body read, bytes. */
  readonly maxBytes: number;
}

/** Defaults: 10 s, 4 MiB (get-entries pages of hubs and CT logs fit; heads are a few hundred bytes). */
export const DEFAULT_LIMITS: FetchLimits = { timeoutMs: 10_000, maxBytes: 4 * 1024 * 1024 };

/** A fetch with bounds, for clients that take one. Throws MonitorError TIMEOUT, TOO_LARGE or HTTP (unreachable). */
export function boundedFetch(limits: FetchLimits = DEFAULT_LIMITS, inner: typeof fetch = globalThis.fetch): typeof fetch {
  return async (input, init) => {
    const timeout = AbortSignal.timeout(limits.timeoutMs);
    const signal = init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    let res: Response;
    try {
      res = await inner(input, { ...init, signal });
    } catch (err) {
      if (timeout.aborted) throw new MonitorError('TIMEOUT', `${url}: no answer within ${limits.timeoutMs} ms`, { cause: err });
      throw new MonitorError('HTTP', `${url}: ${(err as Error).message}`, { cause: err });
    }
    const declared = Number(res.headers.get('content-length'));
    if (Number.isFinite(declared) && declared > limits.maxBytes) {
      await res.body?.cancel().catch(() => {});
      throw new MonitorError('TOO_LARGE', `${url}: got a ${declared}-byte body, want at most ${limits.maxBytes}`);
    }
    const chunks: Uint8Array[] = [];
    let total = 0;
    try {
      if (res.body) {
        const reader = res.body.getReader();
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          total += value.byteLength;
          if (total > limits.maxBytes) {
            await reader.cancel().catch(() => {});
            throw new MonitorError('TOO_LARGE', `${url}: body passed ${limits.maxBytes} bytes; abandoned`);
          }
          chunks.push(value);
        }
      }
    } catch (err) {
      if (err instanceof MonitorError) throw err;
      if (timeout.aborted) throw new MonitorError('TIMEOUT', `${url}: body not complete within ${limits.timeoutMs} ms`, { cause: err });
      throw new MonitorError('HTTP', `${url}: ${(err as Error).message}`, { cause: err });
    }
    const body = Buffer.concat(chunks);
    // 204/304 may carry no body in a Response.
    return new Response(res.status === 204 || res.status === 304 ? null : body, { status: res.status, headers: res.headers });
  };
}
