/**
 * `grapevine collect --config FILE`: the collector (src/monitor/collector.ts)
 * as configured in the monitor config (src/config/monitor.ts): polls, verifies,
 * hands heads to hubs, witnesses and gossip services. Runs until SIGTERM or
 * SIGINT; `--once` runs one round of every poll and exits (0 when every poll
 * succeeded, 1 otherwise).
 */
import type { Command } from 'commander';
import type { FastifyInstance } from 'fastify';
import { type Logger, pino } from 'pino';
import { Registry } from 'prom-client';
import { splitListen } from '../config/fields.ts';
import { loadMonitorConfigText, type ResolvedMonitorConfig } from '../config/monitor.ts';
import { createApp, registerHealth, registerMetrics } from '../http/index.ts';
import {
  Collector,
  type Destination,
  GossipDestination,
  HubDestination,
  MonitorMetrics,
  type PollSpec,
  WitnessDestination,
} from '../monitor/index.ts';
import { EXIT_FAIL } from './errors.ts';
import { monitorParts } from './monitor-runtime.ts';
import { loadConfigFile } from './server-runtime.ts';

export function buildCollector(c: ResolvedMonitorConfig, logger: Logger, registry: Registry): Collector {
  const { logs, hubs, ctx } = monitorParts(c);
  const polls: PollSpec[] = c.collect.polls.map((q) => {
    const log = logs.get(q.log);
    if (!log) throw new Error(`unreachable: poll of unknown log ${q.log}`);
    const hub = q.via !== undefined ? hubs.get(q.via) : undefined;
    const sourceId = hub ? [...hub.sources].find(([, l]) => l.name === q.log)?.[0] : undefined;
    return { name: q.name, log, timing: q.timing, ...(hub && sourceId !== undefined ? { via: { hub, sourceId } } : {}) };
  });
  const destinations: Destination[] = c.collect.destinations.map((d) => {
    if (d.type === 'hub') return new HubDestination(hubs.get(d.hub) as NonNullable<ReturnType<typeof hubs.get>>, ctx);
    if (d.type === 'witness') return new WitnessDestination(d.name, d.url, ctx);
    return new GossipDestination(d.name, d.address);
  });
  return new Collector({ polls, destinations, ctx, metrics: new MonitorMetrics(registry), log: logger });
}

export function registerCollect(cmd: Command): void {
  cmd
    .requiredOption('--config <file>', 'monitor config file (YAML; docs/monitoring.md)')
    .option('--once', 'run one round of every poll, then exit')
    .action(async (o: { config: string; once?: boolean }) => {
      const c = loadConfigFile(o.config, loadMonitorConfigText);
      const logger = pino({ level: c.logLevel }, pino.destination(2));
      const registry = new Registry();
      const collector = buildCollector(c, logger, registry);
      if (o.once) {
        await collector.pollOnce();
        const failed = c.collect.polls.filter((q) => collector.lastError(q.name) !== null);
        for (const q of failed) process.stderr.write(`grapevine: poll ${q.name}: ${collector.lastError(q.name)?.message}\n`);
        if (failed.length > 0) process.exitCode = EXIT_FAIL;
        return;
      }
      let app: FastifyInstance | null = null;
      if (c.collect.listen !== undefined) {
        app = createApp({ logger });
        registerHealth(app, { checks: [] });
        registerMetrics(app, { registry });
        const { host, port } = splitListen(c.collect.listen);
        await app.listen({ host, port });
      }
      collector.start();
      logger.info(
        { polls: c.collect.polls.length, destinations: c.collect.destinations.length, listen: c.collect.listen },
        'collector started',
      );
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGTERM', stop);
        process.once('SIGINT', stop);
      });
      await app?.close();
      await collector.stop();
    });
}
