/**
 * A published tree as a server part (src/http/part.ts): the static read API
 * under the log's prefix (routes.ts) and, with a tlog-policy, the witnessing
 * loop (witnessing.ts) started and stopped with the server.
 */
import type { FastifyInstance } from 'fastify';
import type { Part, ReadinessCheck } from '../http/index.ts';
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
