/**
 * What `grapevine collect` and `grapevine audit` share: the monitor config
 * turned into monitored logs and hubs (keys from the config, never from the
 * servers), bounded fetch, the incident reporter, and the auditor's state
 * store (a directory, or a SQLite/PostgreSQL HeadStore).
 */
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { HeadStore } from '../audit/index.ts';
import type { ResolvedMonitorConfig } from '../config/monitor.ts';
import { buildIncidentReporter, type IncidentReporter } from '../incidents/index.ts';
import {
  boundedFetch,
  JsonFileHeadStore,
  type MonitoredHub,
  type MonitoredLog,
  monitoredHub,
  monitoredLog,
  type ObserveContext,
} from '../monitor/index.ts';
import { openHeadStore } from '../storage/index.ts';

export interface MonitorParts {
  readonly logs: ReadonlyMap<string, MonitoredLog>;
  readonly hubs: ReadonlyMap<string, MonitoredHub>;
  readonly ctx: ObserveContext;
}

export function monitorParts(c: ResolvedMonitorConfig, by = c.observer): MonitorParts {
  const logs = new Map(c.logs.map((l) => [l.name, monitoredLog(l)]));
  const hubs = new Map(c.hubs.map((h) => [h.name, monitoredHub(h, logs)]));
  return { logs, hubs, ctx: { by, fetch: boundedFetch({ timeoutMs: c.http.timeoutMs, maxBytes: c.http.maxBytes }), now: Date.now } };
}

export function incidentReporter(c: ResolvedMonitorConfig, logger: Logger, registry: Registry, observer = c.observer): IncidentReporter {
  return buildIncidentReporter(c.incidents, { observer, log: logger, registry });
}

/** The auditor's state store and how to close it. */
export async function openAuditState(state: string): Promise<{ store: HeadStore; close: () => Promise<void> }> {
  if (/^(sqlite:|postgres:\/\/|postgresql:\/\/)/.test(state)) {
    const s = await openHeadStore(state);
    return { store: s, close: () => s.close() };
  }
  return { store: new JsonFileHeadStore(state), close: async () => {} };
}
