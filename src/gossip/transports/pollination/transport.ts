/**
 * The `pollination` transport: draft-ietf-trans-gossip STH pollination as
 * client and as server.
 *
 * - Server: POST /.well-known/ct-gossip/v1/sth-pollination (-02 and later)
 *   and /.well-known/ct/v1/sth-pollination (-00/-01, Google's 2016 server),
 *   on the daemon's HTTP server. The STHs posted come in as messages of this
 *   transport (validated, pooled, forwarded to the peers); the answer is a
 *   random selection of fresh pooled STHs, in the request's body shape.
 * - Client: every `intervalMs` (±50 % at random: "fetch at random times and
 *   avoid bursts"), to each configured pool, a request with a random
 *   selection of fresh STHs (STHs peers addressed to this transport first),
 *   and the STHs of the answer taken in like the server's.
 *
 * A pool that fails is retried next round; its failures are counted and
 * logged, and the other pools go on.
 */
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { type SignedTreeHead, sthFromJson } from '../../../codec/index.ts';
import { type FastRoute, quotaUser } from '../../../http/index.ts';
import { type BucketSpec, QuotaManager } from '../../../log/index.ts';
import { GossipError } from '../../errors.ts';
import type { GossipService, Outgoing, Transport, TransportContext } from '../../service/index.ts';
import { formatPollinationBody, PollinationBodyError, type PollinationShape, parsePollinationBody } from './body.ts';
import { incomingOfSths, pollinationResponse, pollinationSelection } from './pollinate.ts';

/** -02 and later (draft-ietf-trans-gossip-05 §… "https://<domain>/.well-known/ct-gossip/v1/sth-pollination"). */
export const POLLINATION_PATH = '/.well-known/ct-gossip/v1/sth-pollination';
/** -00/-01 and Google's 2016 gossip server (c-t-go gossip/main). */
export const OLD_POLLINATION_PATH = '/.well-known/ct/v1/sth-pollination';

export interface PollinationPool {
  /** Full URL of the pool's sth-pollination endpoint. */
  readonly url: string;
  /** Body shape the pool speaks: "v1" (-05) or "sths" (-00…-04, Google's server). */
  readonly shape: PollinationShape;
}

export interface PollinationOptions {
  readonly service: GossipService;
  readonly logger?: Logger;
  /** Serve the endpoints (on the daemon's HTTP server). */
  readonly serve: boolean;
  readonly pools: readonly PollinationPool[];
  /** Client rounds, ms (0: none). */
  readonly intervalMs: number;
  /** STHs sent per request. */
  readonly perRequest: number;
  /** STHs answered per request (Google's server: --default_num_pollinations_to_return, 10). */
  readonly perResponse: number;
  /** Most STHs read from one body. */
  readonly maxSths: number;
  /** Keys tried for an STH that names no log (-05 bodies). */
  readonly maxTrials: number;
  /** Requests per second one client address may make to the server. */
  readonly clientRate: BucketSpec;
  readonly fetch?: typeof fetch;
  readonly timeoutMs?: number;
  readonly clock?: () => number;
  readonly random?: () => number;
}

export class PollinationTransport implements Transport {
  readonly name = 'pollination';
  readonly #o: PollinationOptions;
  readonly #quota: QuotaManager;
  readonly #clock: () => number;
  /** STHs peers addressed to this transport, sent first in the next round (bounded). */
  readonly #pending: { sth: SignedTreeHead; logId: Buffer }[] = [];
  #ctx: TransportContext | null = null;
  #timer: NodeJS.Timeout | null = null;
  #round: Promise<void> | null = null;

  constructor(o: PollinationOptions) {
    this.#o = o;
    this.#clock = o.clock ?? Date.now;
    this.#quota = new QuotaManager({ perUser: { write: o.clientRate }, maxUsers: 100_000 }, this.#clock);
  }

  start(ctx: TransportContext): void {
    this.#ctx = ctx;
    if (this.#o.intervalMs > 0 && this.#o.pools.length > 0) this.#schedule();
  }

  #schedule(): void {
    const wait = this.#o.intervalMs * (0.5 + (this.#o.random ?? Math.random)());
    this.#timer = setTimeout(() => {
      this.#round = this.round().finally(() => {
        this.#round = null;
        if (this.#ctx) this.#schedule();
      });
    }, wait);
    this.#timer.unref();
  }

  async send(msg: Outgoing): Promise<void> {
    if (msg.kind !== 'rfc6962-sth') return; // only STHs are pollinated
    const log = this.#o.service.logs.get(msg.logId);
    if (!log?.key) return;
    const sth = sthFromJson(JSON.parse(msg.gossipData.toString('utf8')));
    this.#pending.push({ sth, logId: Buffer.from(log.id, 'hex') });
    if (this.#pending.length > this.#o.perRequest) this.#pending.shift();
  }

  /** Hands the STHs of a body to the service; returns how many named no known log. */
  #takeIn(sths: readonly SignedTreeHead[]): number {
    const { messages, unknown } = incomingOfSths(sths, this.#o.service.logs, this.#o.maxTrials);
    for (const m of messages) this.#ctx?.deliver(m);
    if (unknown > 0) this.#o.service.metrics.discarded.inc({ reason: 'unknown-log' }, unknown);
    return unknown;
  }

  /**
   * The server half, without HTTP: takes the STHs of a request body in and
   * returns the answer's JSON. Throws GossipError UNAVAILABLE (503) before
   * the transport started, QuotaError (429) over the client's rate, and
   * PollinationBodyError (400) for a body that is not a pollination object.
   */
  processPollination(text: string, client: string): string {
    if (!this.#ctx) throw new GossipError('UNAVAILABLE', 'pollination is not started');
    this.#quota.charge('write', 0, [client]);
    const body = parsePollinationBody(text, this.#o.maxSths);
    const sths = body.sths.filter((s): s is SignedTreeHead => !('error' in s));
    const malformed = body.sths.length - sths.length;
    if (malformed > 0) this.#o.service.metrics.discarded.inc({ reason: 'malformed' }, malformed);
    this.#takeIn(sths);
    const now = this.#clock();
    return pollinationResponse(body.shape, this.#o.service.pool, this.#o.service.logs, this.#o.perResponse, now);
  }

  /** One client round: every pool, one request each, in parallel. */
  async round(): Promise<void> {
    await Promise.all(this.#o.pools.map((p) => this.#pollinate(p)));
  }

  async #pollinate(pool: PollinationPool): Promise<void> {
    const now = this.#clock();
    const chosen = [...this.#pending];
    for (const s of pollinationSelection(this.#o.service.pool, this.#o.service.logs, this.#o.perRequest, now)) {
      if (chosen.length >= this.#o.perRequest) break;
      if (!chosen.some((c) => c.sth.treeHeadSignature.signature.equals(s.sth.treeHeadSignature.signature))) chosen.push(s);
    }
    this.#pending.length = 0;
    try {
      const res = await (this.#o.fetch ?? fetch)(pool.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: formatPollinationBody(pool.shape, chosen),
        signal: AbortSignal.timeout(this.#o.timeoutMs ?? 30_000),
      });
      const text = await res.text();
      if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${text.slice(0, 200)}`);
      const body = parsePollinationBody(text, this.#o.maxSths);
      this.#takeIn(body.sths.filter((s): s is SignedTreeHead => !('error' in s)));
    } catch (err) {
      this.#o.service.metrics.transportFailures.inc({ transport: this.name });
      this.#o.logger?.warn({ pool: pool.url, err: (err as Error).message }, 'gossip: pollination round failed; retrying next round');
    }
  }

  /**
   * Routes on the daemon's HTTP server (thin: body text → processPollination
   * → answer; refusals through the app's error mapper, as every route's).
   * Over a socket they are served on the fast path (src/http/fast-routes.ts:
   * the body read as bytes, ahead of fastify's router); under inject() and
   * behind a trusted proxy, by fastify, inside a plugin that reads every
   * body as text whatever its content type. Either way the body is parsed
   * once, by parsePollinationBody.
   */
  async mount(app: FastifyInstance): Promise<void> {
    if (!this.#o.serve) return;
    app.errorMapper.add(PollinationBodyError, { '*': 400 });
    app.errorMapper.add(GossipError, { UNAVAILABLE: 503, '*': 500 });
    const fast: FastRoute = {
      handle: async (body, c) => this.processPollination(body.toString('utf8'), quotaUser({ ip: c.ip, server: app })),
    };
    await app.register(async (sub) => {
      sub.removeAllContentTypeParsers();
      sub.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));
      for (const path of [POLLINATION_PATH, OLD_POLLINATION_PATH]) {
        sub.post(path, { config: { fast } }, async (req, reply) => {
          const answer = this.processPollination(typeof req.body === 'string' ? req.body : '', quotaUser(req));
          return reply.type('application/json; charset=utf-8').send(answer);
        });
      }
    });
  }

  async stop(): Promise<void> {
    this.#ctx = null;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    await this.#round;
  }
}
