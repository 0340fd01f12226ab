/**
 * The witness as a server part (src/http/part.ts): its routes under its
 * prefix with the 16 KiB body limit, a readiness check that reads its state,
 * and on stop the closers its composition root hands it (the incident
 * reporter, the state's connection when owned), after the app drained.
 */
import type { FastifyInstance } from 'fastify';
import type { HeadStore } from '../audit/index.ts';
import type { IncidentFeed, Part, PartStatus, ReadinessCheck } from '../http/index.ts';
import { MAX_ADD_CHECKPOINT_BYTES, witnessRoutes } from './routes.ts';
import type { WitnessService } from './service.ts';
import { witnessStatus } from './status.ts';

export interface WitnessPartOptions {
  readonly service: WitnessService;
  /** Read by /readyz. */
  readonly store: HeadStore;
  /** URL prefix of both endpoints ("" or "/segment…"). */
  readonly prefix: string;
  /** Run in order on stop. */
  readonly closers?: readonly (() => Promise<void>)[];
  /** Where its incidents can be followed (its IncidentReporter), for the dashboard. */
  readonly incidents?: IncidentFeed;
}

export class WitnessPart implements Part {
  readonly name = 'witness';
  readonly bodyLimit = MAX_ADD_CHECKPOINT_BYTES;
  readonly #o: WitnessPartOptions;

  constructor(o: WitnessPartOptions) {
    this.#o = o;
  }

  get service(): WitnessService {
    return this.#o.service;
  }

  readiness(): readonly ReadinessCheck[] {
    return [
      {
        name: 'witness:state',
        check: async () => {
          await this.#o.store.get('witness/readiness-probe');
          return 'reachable';
        },
      },
    ];
  }

  /** The dashboard's view: the witness and the checkpoint it cosigned last per log (status.ts). */
  status(): Promise<PartStatus> {
    return witnessStatus(this.#o.service, this.#o.store, this.#o.prefix);
  }

  incidentFeeds(): readonly IncidentFeed[] {
    return this.#o.incidents ? [this.#o.incidents] : [];
  }

  async mount(app: FastifyInstance): Promise<void> {
    await app.register(witnessRoutes, { prefix: this.#o.prefix, witness: this.#o.service });
  }

  async start(): Promise<void> {}

  async stop(): Promise<void> {
    for (const c of this.#o.closers ?? []) await c();
  }
}
