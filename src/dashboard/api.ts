/**
 * The dashboard's JSON API, version 1 (docs/dashboard.md): what the page
 * polls, and what a script may read. Read-only; every answer is JSON with
 * `"api": 1`, `Cache-Control: no-store`; bad parameters are 400 with a
 * reason, a missing or wrong token 401 (access.ts).
 *
 *   GET /api/v1/overview                   services, incidents count, latest events
 *   GET /api/v1/sources                    per tracked log: each observer's head, agreement
 *   GET /api/v1/plots?window=15m&points=N  sampled series (samples.ts)
 *   GET /api/v1/incidents?class=&limit=    newest first
 *   GET /api/v1/incidents/:id              one incident, its evidence and verifyEvidence's verdict
 *   GET /api/v1/incidents/:id/evidence     the evidence file, as `grapevine evidence verify` takes it
 *   GET /api/v1/events?limit=              latest notable events, newest first
 *
 * Routes are parse → read → serialize; the state lives in the Dashboard.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { bearerMatches, type DashboardAccess } from './access.ts';
import type { ActivityLog } from './activity.ts';
import { DASHBOARD_ERROR_STATUS, DashboardError } from './errors.ts';
import type { IncidentBook } from './incidents.ts';
import { durationParam, enumParam, incidentIdParam, intParam, onlyParams, type Query } from './params.ts';
import type { SampleRing } from './samples.ts';
import type { SiteStatus } from './site-status.ts';
import { groupSources } from './sources.ts';

export const API_VERSION = 1;
export const API_PREFIX = '/api/v1';

/** Shortest plot window, ms. */
const MIN_WINDOW_MS = 60_000;
const DEFAULT_WINDOW_MS = 15 * 60_000;
const MAX_POINTS = 1000;
const DEFAULT_POINTS = 240;

export interface ApiState {
  readonly access: Exclude<DashboardAccess, { mode: 'off' }>;
  readonly status: SiteStatus;
  readonly ring: SampleRing;
  readonly incidents: IncidentBook;
  readonly activity: ActivityLog;
  readonly historyMs: number;
  readonly sampleIntervalMs: number;
  readonly clock: () => number;
}

const json = (reply: FastifyReply, body: object) =>
  reply
    .header('cache-control', 'no-store')
    .type('application/json; charset=utf-8')
    .send(JSON.stringify({ api: API_VERSION, ...body }));

export async function dashboardApi(app: FastifyInstance, s: ApiState): Promise<void> {
  app.errorMapper.add(DashboardError, DASHBOARD_ERROR_STATUS);
  if (s.access.mode === 'token') {
    const token = s.access.token;
    app.addHook('onRequest', async (req, reply) => {
      if (!bearerMatches(req.headers.authorization, token)) {
        reply.header('www-authenticate', 'Bearer realm="grapevine dashboard"');
        throw new DashboardError('UNAUTHORIZED', 'the dashboard API needs Authorization: Bearer <dashboard.token>');
      }
    });
  }
  const historyMax = Math.max(MIN_WINDOW_MS, s.historyMs);

  app.get(`${API_PREFIX}/overview`, async (req, reply) => {
    onlyParams(req.query as Query, []);
    const snap = await s.status.snapshot();
    const { total, proofs } = s.incidents.list({ limit: 0 });
    return json(reply, {
      now: s.clock(),
      takenAt: snap.atMs,
      services: snap.services,
      incidents: { total, proofs },
      events: s.activity.latest(20),
    });
  });

  app.get(`${API_PREFIX}/sources`, async (req, reply) => {
    onlyParams(req.query as Query, []);
    const snap = await s.status.snapshot();
    return json(reply, { now: s.clock(), takenAt: snap.atMs, sources: groupSources(snap.observations) });
  });

  app.get(`${API_PREFIX}/plots`, async (req, reply) => {
    const q = req.query as Query;
    onlyParams(q, ['window', 'points']);
    const windowMs = durationParam(q, 'window', MIN_WINDOW_MS, historyMax, Math.min(DEFAULT_WINDOW_MS, historyMax));
    const points = intParam(q, 'points', 2, MAX_POINTS, DEFAULT_POINTS);
    const now = s.clock();
    return json(reply, {
      now,
      windowMs,
      historyMs: s.historyMs,
      sampleIntervalMs: s.sampleIntervalMs,
      ...s.ring.query(now - windowMs, points),
    });
  });

  app.get(`${API_PREFIX}/incidents`, async (req, reply) => {
    const q = req.query as Query;
    onlyParams(q, ['class', 'limit']);
    const cls = enumParam(q, 'class', ['proof', 'suspicion'] as const, undefined);
    const limit = intParam(q, 'limit', 1, 1000, 100);
    return json(reply, s.incidents.list({ ...(cls ? { cls } : {}), limit }));
  });

  app.get<{ Params: { id: string } }>(`${API_PREFIX}/incidents/:id`, async (req, reply) => {
    onlyParams(req.query as Query, []);
    const id = incidentIdParam(req.params.id);
    const detail = s.incidents.get(id);
    if (!detail) throw new DashboardError('NOT_FOUND', `no incident ${id} in the list`);
    return json(reply, { incident: detail });
  });

  app.get<{ Params: { id: string } }>(`${API_PREFIX}/incidents/:id/evidence`, async (req, reply) => {
    onlyParams(req.query as Query, []);
    const id = incidentIdParam(req.params.id);
    const file = s.incidents.evidenceFile(id);
    if (file === null) throw new DashboardError('NOT_FOUND', `no incident ${id} in the list`);
    return reply
      .header('cache-control', 'no-store')
      .header('content-disposition', `attachment; filename="${id}.json"`)
      .type('application/json; charset=utf-8')
      .send(file);
  });

  app.get(`${API_PREFIX}/events`, async (req, reply) => {
    const q = req.query as Query;
    onlyParams(q, ['limit']);
    return json(reply, { events: s.activity.latest(intParam(q, 'limit', 1, 200, 50)) });
  });

  // Anything else under the prefix: a JSON 404 naming the endpoints, rather than fastify's generic one.
  app.get(`${API_PREFIX}/*`, async (req) => {
    throw new DashboardError(
      'NOT_FOUND',
      `no endpoint ${JSON.stringify(req.url.split('?')[0].slice(0, 80))}; see docs/dashboard.md (overview, sources, plots, incidents, events)`,
    );
  });
}
