/**
 * The gossip loop as a server part (src/http/part.ts): no routes, started
 * after the personalities it reads and feeds, stopped before them.
 */
import type { FastifyInstance } from 'fastify';
import type { Part, ReadinessCheck } from '../http/index.ts';
import type { GossipLoop } from './loop.ts';

export class GossipPart implements Part {
  readonly name = 'gossip';
  readonly loop: GossipLoop;

  constructor(loop: GossipLoop) {
    this.loop = loop;
  }

  readiness(): ReadinessCheck[] {
    return [];
  }

  async mount(_app: FastifyInstance): Promise<void> {}

  async start(): Promise<void> {
    this.loop.start();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }
}
