/**
 * `grapevine audit --config FILE`: the auditor (src/monitor/auditor.ts) as
 * configured in the monitor config: audits hubs and logs in rounds, holds
 * promises, keeps durable state, raises incidents. With `audit.listen` it
 * serves:
 *
 *   POST /v1/promises   {"log": NAME, "promise": <promise, docs/evidence.md>}
 *                       → 202 {"held": true|false}; 400 when it does not verify
 *   GET  /metrics, /healthz, /readyz
 *
 * `--once` runs one round and exits: 0 when no proof incident was raised, 1
 * otherwise (for cron-style use).
 */
import type { Command } from 'commander';
import type { FastifyInstance } from 'fastify';
import { type Logger, pino } from 'pino';
import { Registry } from 'prom-client';
import { z } from 'zod';
import { splitListen } from '../config/fields.ts';
import { loadMonitorConfigText, type ResolvedMonitorConfig } from '../config/monitor.ts';
import { promiseSchema } from '../evidence/index.ts';
import { createApp, registerHealth, registerMetrics } from '../http/index.ts';
import type { IncidentReporter } from '../incidents/index.ts';
import { Auditor, GossipFeed, MonitorError, MonitorMetrics } from '../monitor/index.ts';
import { EXIT_FAIL } from './errors.ts';
import { incidentReporter, monitorParts, openAuditState } from './monitor-runtime.ts';
import { loadConfigFile } from './server-runtime.ts';

const promiseBody = z.strictObject({ log: z.string().min(1), promise: promiseSchema });

export interface BuiltAuditor {
  readonly auditor: Auditor;
  readonly reporter: IncidentReporter;
  readonly feed: GossipFeed | null;
  close(): Promise<void>;
}

export async function buildAuditor(c: ResolvedMonitorConfig, logger: Logger, registry: Registry): Promise<BuiltAuditor> {
  const { logs, hubs, ctx } = monitorParts(c);
  const state = await openAuditState(c.audit.state);
  const reporter = incidentReporter(c, logger, registry);
  const audited = c.audit.logs.map((n) => logs.get(n)).filter((l) => l !== undefined);
  const auditor = new Auditor({
    logs: audited,
    hubs: c.audit.hubs.map((n) => hubs.get(n)).filter((h) => h !== undefined),
    ctx,
    reporter,
    store: state.store,
    metrics: new MonitorMetrics(registry),
    log: logger,
    intervalMs: c.audit.intervalMs,
    pollLogs: c.audit.pollLogs,
    maxLeaves: c.audit.maxLeaves,
    proofAttempts: c.audit.proofAttempts,
  });
  const feed = c.audit.gossip ? new GossipFeed(c.audit.gossip, audited, ctx, (log, seen) => auditor.observe(log.name, seen)) : null;
  return {
    auditor,
    reporter,
    feed,
    close: async () => {
      await feed?.stop();
      await auditor.stop();
      await reporter.close();
      await state.close();
    },
  };
}

/** The auditor's HTTP adapter: parse → auditor.addPromise → answer. */
export async function auditRoutes(app: FastifyInstance, opts: { auditor: Auditor }): Promise<void> {
  app.post('/v1/promises', async (req, reply) => {
    const parsed = promiseBody.safeParse(req.body);
    if (!parsed.success) {
      const i = parsed.error.issues[0];
      return reply.code(400).send({ error: 'BAD_REQUEST', message: `${i.path.join('.') || '(body)'}: ${i.message}` });
    }
    try {
      const held = opts.auditor.addPromise(parsed.data.log, parsed.data.promise);
      return reply.code(202).send({ held });
    } catch (err) {
      if (err instanceof MonitorError) return reply.code(err.code === 'CONFIG' ? 404 : 400).send(err.toJSON());
      throw err;
    }
  });
}

export function registerAudit(cmd: Command): void {
  cmd
    .requiredOption('--config <file>', 'monitor config file (YAML; docs/monitoring.md)')
    .option('--once', 'run one round, then exit (1 when it raised a proof incident)')
    .action(async (o: { config: string; once?: boolean }) => {
      const c = loadConfigFile(o.config, loadMonitorConfigText);
      const logger = pino({ level: c.logLevel }, pino.destination(2));
      const registry = new Registry();
      const built = await buildAuditor(c, logger, registry);
      if (o.once) {
        let proofs = 0;
        await built.auditor.open();
        const watch = built.reporter.onRaised((i) => {
          if (i.class === 'proof') proofs++;
        });
        await built.auditor.round();
        watch();
        await built.close();
        if (proofs > 0) process.exitCode = EXIT_FAIL;
        return;
      }
      let app: FastifyInstance | null = null;
      if (c.audit.listen !== undefined) {
        app = createApp({ logger });
        registerHealth(app, { checks: [] });
        registerMetrics(app, { registry });
        await app.register(auditRoutes, { auditor: built.auditor });
        const { host, port } = splitListen(c.audit.listen);
        await app.listen({ host, port });
        logger.info({ listen: c.audit.listen }, 'auditor API listening');
      }
      built.feed?.start();
      built.auditor.start();
      logger.info({ logs: c.audit.logs, hubs: c.audit.hubs, state: c.audit.state }, 'auditor started');
      await new Promise<void>((resolve) => {
        process.once('SIGTERM', () => resolve());
        process.once('SIGINT', () => resolve());
      });
      await app?.close();
      await built.close();
    });
}
