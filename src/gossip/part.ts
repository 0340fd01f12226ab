/**
 * The gossip loop as a server part (src/http/part.ts): no routes, started
 * after the personalities it reads and feeds, stopped before them.
 */
import type { FastifyInstance } from 'fastify';
import type { Part, PartStatus, ReadinessCheck } from '../http/index.ts';
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

  /** The dashboard's view: where the loop sends the log's heads, and what it sent each target last. */
  async status(): Promise<PartStatus> {
    const sent = this.loop.lastSent();
    const every = this.loop.intervalMs > 0 ? `every ${this.loop.intervalMs / 1000} s` : 'off (interval 0)';
    return {
      services: [
        {
          id: 'gossip:loop',
          kind: 'gossip',
          name: 'gossip loop',
          health: 'ok',
          detail: `reads the CT log's head ${every}; sends each new one to ${sent.map((s) => s.target).join(', ') || 'no target'}`,
          facts: sent.map((s) => ({
            label: `last sent to ${s.target}`,
            ...(s.sent ? { value: `size ${s.sent.size}`, atMs: s.sent.atMs } : { value: 'nothing yet' }),
          })),
        },
      ],
    };
  }

  async mount(_app: FastifyInstance): Promise<void> {}

  async start(): Promise<void> {
    this.loop.start();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }
}
