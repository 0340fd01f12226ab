/**
 * A part of a server: a CT log, the hub instances, the gossip loop, later a
 * witness or a dashboard. The one server builder (src/server) starts the
 * parts, mounts their routes on one app, lists their readiness checks under
 * /readyz, listens, and on shutdown drains the app and stops them in reverse
 * order. A part that can no longer keep its promises (a sequencer stopped on
 * a fatal error) reports it through `onFatal`: the server then drains and
 * exits non-zero, as Sunlight's log does.
 */
import type { FastifyInstance } from 'fastify';
import type { ReadinessCheck } from './health.ts';
import type { IncidentFeed, PartStatus } from './status.ts';

export interface Part {
  /** Names the part in logs and shutdown steps, e.g. "ct:ct" or "hubs". */
  readonly name: string;
  /** Largest request body its routes take, bytes; default the server's. */
  readonly bodyLimit?: number;
  /** What /readyz checks for this part (besides the server's storage ping). */
  readiness(): readonly ReadinessCheck[];
  /** Registers its routes; `app` is a scope of its own, so hooks and content parsers stay inside. */
  mount(app: FastifyInstance): Promise<void>;
  /**
   * Optional: hooks on the root app, before any part is mounted, so they see
   * every part's routes (the gossip service makes every route a TransGossip
   * pool this way). Routes belong in `mount`.
   */
  mountRoot?(app: FastifyInstance): void;
  /** Starts its background work (sequencers, watchdogs, loops). Called before the server listens. */
  start(): Promise<void>;
  /** Stops its background work. Called once, after the app drained, in the reverse order of start. */
  stop(): Promise<void>;
  /**
   * Optional: what the dashboard shows of this part (src/http/status.ts): its
   * services and the heads it holds. Called often (each dashboard sample and
   * API poll): cheap reads only; a rejection shows as the part's error.
   */
  status?(): Promise<PartStatus>;
  /** Optional: where the incidents this part raises can be followed (the dashboard lists them). */
  incidentFeeds?(): readonly IncidentFeed[];
  /** Takes the server's fatal handler; the part calls it (once) when it cannot go on. */
  onFatal?(handler: (reason: string, err: unknown) => void): void;
}
