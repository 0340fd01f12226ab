/**
 * The dashboard as a server part (src/http/part.ts): the server builder
 * (src/server) adds it in front of the other parts, whose `status()` and
 * `incidentFeeds()` it reads. It serves the page and the API when access
 * allows (access.ts); either way it samples the metrics and writes the
 * notable-event lines (activity.ts) while the server runs.
 *
 * One timer, never overlapping itself: every `sampleIntervalMs` it samples
 * the plotted metrics into the ring, then takes a status snapshot for the
 * activity lines.
 */
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Part, ReadinessCheck } from '../http/index.ts';
import { type DashboardAccess, type DashboardSettings, dashboardAccess } from './access.ts';
import { ActivityLog, incidentEvent } from './activity.ts';
import { dashboardApi } from './api.ts';
import { IncidentBook } from './incidents.ts';
import { findBundleDir, loadAssets, registerPage } from './page.ts';
import { readPlotValues, SampleRing } from './samples.ts';
import { SiteStatus } from './site-status.ts';

export interface DashboardPartOptions {
  /** The other parts of the server: what the dashboard shows. */
  readonly parts: readonly Part[];
  readonly settings: DashboardSettings;
  /** The listen host: loopback or not decides the access without a token. */
  readonly host: string;
  readonly registry: Registry;
  readonly logger?: Logger;
  readonly clock?: () => number;
}

export class DashboardPart implements Part {
  readonly name = 'dashboard';
  readonly access: DashboardAccess;
  readonly #o: DashboardPartOptions;
  readonly #clock: () => number;
  readonly #site: SiteStatus;
  readonly #ring: SampleRing;
  readonly #incidents: IncidentBook;
  readonly #activity: ActivityLog;
  #timer: NodeJS.Timeout | null = null;
  #tick: Promise<void> | null = null;
  #startedAt = 0;

  constructor(o: DashboardPartOptions) {
    this.#o = o;
    this.#clock = o.clock ?? Date.now;
    this.access = dashboardAccess(o.settings, o.host);
    this.#site = new SiteStatus(o.parts, { clock: this.#clock });
    this.#ring = new SampleRing(Math.max(2, Math.ceil(o.settings.historyMs / o.settings.sampleIntervalMs)));
    this.#incidents = new IncidentBook({ ...(o.logger ? { logger: o.logger } : {}) });
    this.#activity = new ActivityLog(o.logger);
  }

  readiness(): readonly ReadinessCheck[] {
    return [];
  }

  async mount(app: FastifyInstance): Promise<void> {
    if (this.access.mode === 'off') return;
    registerPage(app, loadAssets(findBundleDir()));
    // A scope of its own: the token hook guards the API, not the page.
    const state = {
      access: this.access as Exclude<DashboardAccess, { mode: 'off' }>,
      status: this.#site,
      ring: this.#ring,
      incidents: this.#incidents,
      activity: this.#activity,
      historyMs: this.#o.settings.historyMs,
      sampleIntervalMs: this.#o.settings.sampleIntervalMs,
      clock: this.#clock,
    };
    await app.register(async (api) => dashboardApi(api, state));
  }

  /** Follows the parts' incidents, reads earlier evidence files in the background, and starts sampling. */
  async start(): Promise<void> {
    this.#startedAt = this.#clock();
    const feeds = this.#o.parts.flatMap((p) => p.incidentFeeds?.() ?? []);
    this.#incidents.onAdded((i) => {
      // Incidents of earlier runs are listed, not announced.
      if (i.raisedAtMs >= this.#startedAt) this.#activity.record({ ...incidentEvent(i), atMs: this.#clock() });
    });
    this.#incidents.follow(feeds);
    const dirs = feeds.map((f) => f.evidenceDir).filter((d): d is string => d !== undefined);
    void this.#incidents.load(dirs);
    const step = () => {
      this.#tick = this.#sample()
        .catch((err) => this.#o.logger?.warn({ err: (err as Error).message }, 'dashboard: sampling failed'))
        .finally(() => {
          this.#tick = null;
          if (this.#timer) this.#timer = setTimeout(step, this.#o.settings.sampleIntervalMs).unref();
        });
    };
    // The first sample after one interval: the parts after this one start (and serve a first head) meanwhile.
    this.#timer = setTimeout(step, this.#o.settings.sampleIntervalMs).unref();
  }

  async #sample(): Promise<void> {
    this.#ring.push(this.#clock(), await readPlotValues(this.#o.registry));
    this.#activity.observe(await this.#site.snapshot());
  }

  async stop(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    await this.#tick;
    this.#incidents.close();
  }
}
