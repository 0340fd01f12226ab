/**
 * The `https` transport (draft-linus-trans-gossip-transport-https-00): gossip
 * in `TransGossip` HTTP headers.
 *
 * - Client: an outgoing message rides in a request to each configured pool
 *   ("a standalone HTTPS transport connects to servers known (by
 *   configuration) to accept gossip"). The pool's `TransGossipEnabled`
 *   answer is remembered: "A transport SHOULD send to servers that said Yes,
 *   MAY send to servers that said nothing, and MUST NOT send to servers that
 *   said No" — after a No, that pool gets no gossip, only a plain request
 *   every `recheckMs` asking again. TransGossip headers in a pool's answer
 *   come in as messages of this transport.
 * - Pool (server): `poolHooks(app)` makes every route of an HTTP server a
 *   gossip pool: each response says `TransGossipEnabled: Yes`, and the
 *   TransGossip headers of each request come in as messages of this
 *   transport (validated by the service; at most `maxPerRequest` per request).
 *   Grapevine's CT log and hubs become pools this way when a gossip service
 *   runs beside them.
 *
 * The draft: "Gossip MUST NOT travel over unencrypted connections"; pool
 * URLs are https: except on loopback, where tests and local setups use
 * plain HTTP.
 */
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { GossipService, Outgoing, Transport, TransportContext } from '../../service/index.ts';
import { formatTransGossip, parseEnabled, parseTransGossip, TRANS_GOSSIP, TRANS_GOSSIP_ENABLED } from './header.ts';

export interface HttpsPool {
  readonly url: string;
}

export interface HttpsTransportOptions {
  readonly service: GossipService;
  readonly pools: readonly HttpsPool[];
  /** Make the server's routes pools (poolHooks). */
  readonly pool: boolean;
  /** Messages read from one request's or response's headers at most. */
  readonly maxPerRequest: number;
  /** Longest TransGossip value sent; a larger message is not sent this way (counted). */
  readonly maxHeaderBytes: number;
  /** After a pool said No, ask again this often, ms. */
  readonly recheckMs: number;
  readonly timeoutMs?: number;
  readonly fetch?: typeof fetch;
  readonly clock?: () => number;
  readonly logger?: Logger;
}

type PoolState = { said: 'yes' | 'no' | null; askedAtMs: number };

export class HttpsTransport implements Transport {
  readonly name = 'https';
  readonly #o: HttpsTransportOptions;
  readonly #state = new Map<string, PoolState>();
  #ctx: TransportContext | null = null;

  constructor(o: HttpsTransportOptions) {
    this.#o = o;
  }

  start(ctx: TransportContext): void {
    this.#ctx = ctx;
  }

  /** What a pool last said (for status and tests). */
  poolState(url: string): 'yes' | 'no' | null {
    return this.#state.get(url)?.said ?? null;
  }

  #takeIn(values: readonly string[]): void {
    const { messages, bad } = parseTransGossip(values, this.#o.maxPerRequest);
    if (bad > 0) this.#o.service.metrics.discarded.inc({ reason: 'malformed' }, bad);
    for (const m of messages) this.#ctx?.deliver(m);
  }

  async send(msg: Outgoing): Promise<void> {
    const value = formatTransGossip(msg);
    if (value.length > this.#o.maxHeaderBytes) {
      this.#o.service.metrics.dropped.inc({ reason: 'too-large-for-header' });
      return;
    }
    const now = (this.#o.clock ?? Date.now)();
    const results = await Promise.allSettled(
      this.#o.pools.map(async (pool) => {
        const st = this.#state.get(pool.url);
        if (st?.said === 'no') {
          // MUST NOT send to a server that said No; only ask again now and then.
          if (now - st.askedAtMs >= this.#o.recheckMs) await this.#request(pool, null, now);
          return false;
        }
        await this.#request(pool, value, now);
        return true;
      }),
    );
    const failed = results.filter((r) => r.status === 'rejected');
    if (failed.length > 0 && failed.length === results.length) {
      throw new Error(`no pool took the message: ${(failed[0] as PromiseRejectedResult).reason}`);
    }
  }

  async #request(pool: HttpsPool, value: string | null, now: number): Promise<void> {
    const res = await (this.#o.fetch ?? fetch)(pool.url, {
      method: 'GET',
      headers: value === null ? {} : { [TRANS_GOSSIP]: value },
      signal: AbortSignal.timeout(this.#o.timeoutMs ?? 30_000),
    });
    await res.arrayBuffer(); // the body is not ours to read, but the connection wants it drained
    this.#state.set(pool.url, { said: parseEnabled(res.headers.get(TRANS_GOSSIP_ENABLED)), askedAtMs: now });
    const back = res.headers.get(TRANS_GOSSIP);
    if (back) this.#takeIn([back]);
  }

  /**
   * Makes every route of `app` a gossip pool: answers say TransGossipEnabled:
   * Yes, and TransGossip request headers come in as this transport's
   * messages. Call on the root app (before routes are registered in child
   * scopes) so the hooks apply to all of them.
   */
  poolHooks(app: FastifyInstance): void {
    if (!this.#o.pool) return;
    app.addHook('onRequest', async (req) => {
      const h = req.headers.transgossip;
      if (h === undefined) return;
      this.#takeIn(Array.isArray(h) ? h : [h]);
    });
    app.addHook('onSend', async (_req, reply, payload) => {
      reply.header(TRANS_GOSSIP_ENABLED, 'Yes');
      return payload;
    });
  }

  /** As a built-in transport of the daemon: the pool hooks on the whole server. */
  mountRoot(app: FastifyInstance): void {
    this.poolHooks(app);
  }

  stop(): void {
    this.#ctx = null;
  }
}
