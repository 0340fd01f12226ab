/**
 * A published tree as a server part (src/http/part.ts): the static read API
 * under the log's prefix (routes.ts) and, with a tlog-policy, the witnessing
 * loop (witnessing.ts) started and stopped with the server.
 */
import type { FastifyInstance } from 'fastify';
import type { Part, PartStatus, ReadinessCheck } from '../http/index.ts';
import { publishRoutes } from './routes.ts';
import type { PublishedTree } from './tree.ts';
import type { CheckpointWitnessing } from './witnessing.ts';

export interface PublishPartOptions {
  /** The log's URL prefix ("" or "/segment…"): the API is at <prefix>/checkpoint, <prefix>/tile/…. */
  readonly prefix: string;
  readonly tree: PublishedTree;
  readonly witnessing?: CheckpointWitnessing;
  /** Time between witnessing rounds, ms (default 1 s). */
  readonly witnessIntervalMs?: number;
}

export class PublishPart implements Part {
  readonly name: string;
  readonly #o: PublishPartOptions;

  constructor(o: PublishPartOptions) {
    this.name = `publish:${o.tree.origin}`;
    this.#o = o;
  }

  get witnessing(): CheckpointWitnessing | undefined {
    return this.#o.witnessing;
  }

  readiness(): readonly ReadinessCheck[] {
    return [];
  }

  /** The dashboard's view (src/http/status.ts): the checkpoint it publishes, and how far witnessing got. */
  async status(): Promise<PartStatus> {
    const { origin } = this.#o.tree;
    const base = { id: this.name, kind: 'other' as const, name: `published ${origin}`, path: `${this.#o.prefix}/checkpoint` };
    let cp: Awaited<ReturnType<PublishPartOptions['tree']['checkpoint']>>;
    try {
      cp = await this.#o.tree.checkpoint();
    } catch (err) {
      return { services: [{ ...base, health: 'warn', detail: `no checkpoint yet: ${(err as Error).message}` }] };
    }
    const w = this.#o.witnessing;
    const cosigned = w?.cosigned;
    const detail = !w
      ? `checkpoint and tiles of ${cp.size} entries`
      : cosigned
        ? `checkpoint of ${cp.size} entries; cosigned up to ${cosigned.size} by a quorum of witnesses`
        : `checkpoint of ${cp.size} entries; no witness quorum yet`;
    return {
      services: [
        {
          ...base,
          health: w && !cosigned ? 'warn' : 'ok',
          detail,
          head: { size: cp.size, root: cp.rootHash.toString('hex'), timestampMs: null },
          facts: [{ label: 'origin', value: origin }],
        },
      ],
    };
  }

  async mount(app: FastifyInstance): Promise<void> {
    await app.register(publishRoutes, {
      prefix: this.#o.prefix,
      tree: this.#o.tree,
      ...(this.#o.witnessing ? { witnessing: this.#o.witnessing } : {}),
    });
  }

  async start(): Promise<void> {
    this.#o.witnessing?.start(this.#o.witnessIntervalMs ?? 1000);
  }

  async stop(): Promise<void> {
    await this.#o.witnessing?.stop();
  }
}
