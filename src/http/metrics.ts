/**
 * `/metrics` (Prometheus text format from one prom-client Registry per
 * process) and per-request metrics: a counter by route, method and status,
 * and a latency histogram. Route labels are route patterns, never raw URLs,
 * so cardinality stays bounded.
 */
import type { FastifyInstance } from 'fastify';
import { Counter, Histogram, type Registry } from 'prom-client';

function once<T>(registry: Registry, name: string, make: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? make();
}

export interface MetricsRouteOptions {
  readonly registry: Registry;
  /** Default "/metrics". */
  readonly path?: string;
  /** Count and time every request (default true). */
  readonly requestMetrics?: boolean;
}

export function registerMetrics(app: FastifyInstance, opts: MetricsRouteOptions): void {
  const { registry } = opts;
  app.get(opts.path ?? '/metrics', async (_req, reply) => {
    const text = await registry.metrics();
    return reply.type(registry.contentType).send(text);
  });
  if (opts.requestMetrics === false) return;
  const registers = [registry];
  const requests = once(
    registry,
    'grapevine_http_requests_total',
    () =>
      new Counter({
        name: 'grapevine_http_requests_total',
        help: 'HTTP requests answered',
        labelNames: ['route', 'method', 'status'],
        registers,
      }),
  );
  const latency = once(
    registry,
    'grapevine_http_request_seconds',
    () =>
      new Histogram({
        name: 'grapevine_http_request_seconds',
        help: 'HTTP request latency',
        labelNames: ['route', 'method'],
        buckets: [0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
        registers,
      }),
  );
  // Callback style: an async hook costs a promise and a tick on every request.
  app.addHook('onResponse', (req, reply, done) => {
    const route = req.routeOptions.url ?? 'unmatched';
    requests.inc({ route, method: req.method, status: String(reply.statusCode) });
    latency.observe({ route, method: req.method }, reply.elapsedTime / 1000);
    done();
  });
  // Requests answered on the fast path (fast-routes.ts) never reach fastify's hooks.
  app.fastRoutes?.onAnswered((route, method, status, seconds) => {
    requests.inc({ route, method, status: String(status) });
    latency.observe({ route, method }, seconds);
  });
}
