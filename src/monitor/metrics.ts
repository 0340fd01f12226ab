/**
 * Prometheus metrics of the collector and the auditor, per source and per
 * destination. Label values are config names (bounded), never URLs.
 */
import { Counter, Gauge, type Registry } from 'prom-client';

function once<T>(registry: Registry, name: string, make: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? make();
}

export class MonitorMetrics {
  readonly polls: Counter<'source' | 'outcome'>;
  readonly headSize: Gauge<'source'>;
  readonly submissions: Counter<'destination' | 'source' | 'outcome'>;
  readonly audited: Counter<'hub' | 'outcome'>;
  readonly checks: Counter<'log' | 'outcome'>;
  readonly promises: Gauge<'log'>;

  constructor(registry: Registry) {
    const registers = [registry];
    this.polls = once(
      registry,
      'grapevine_monitor_polls_total',
      () =>
        new Counter({
          name: 'grapevine_monitor_polls_total',
          help: 'Polls of a source, by outcome: ok, or the MonitorError code (HTTP, TIMEOUT, TOO_LARGE, BAD_RESPONSE, BAD_SIGNATURE)',
          labelNames: ['source', 'outcome'],
          registers,
        }),
    );
    this.headSize = once(
      registry,
      'grapevine_monitor_head_size',
      () =>
        new Gauge({
          name: 'grapevine_monitor_head_size',
          help: 'Tree size of the latest verified head per source',
          labelNames: ['source'],
          registers,
        }),
    );
    this.submissions = once(
      registry,
      'grapevine_monitor_submissions_total',
      () =>
        new Counter({
          name: 'grapevine_monitor_submissions_total',
          help: 'Heads handed to a destination (hub, witness), by outcome',
          labelNames: ['destination', 'source', 'outcome'],
          registers,
        }),
    );
    this.audited = once(
      registry,
      'grapevine_audit_hub_entries_total',
      () =>
        new Counter({
          name: 'grapevine_audit_hub_entries_total',
          help: 'Hub entries audited (signature checked, included under a verified head), by outcome',
          labelNames: ['hub', 'outcome'],
          registers,
        }),
    );
    this.checks = once(
      registry,
      'grapevine_audit_consistency_checks_total',
      () =>
        new Counter({
          name: 'grapevine_audit_consistency_checks_total',
          help: 'Consistency checks between heads of a log, by outcome (consistent, inconsistent, unproven, fork, rollback)',
          labelNames: ['log', 'outcome'],
          registers,
        }),
    );
    this.promises = once(
      registry,
      'grapevine_audit_pending_promises',
      () =>
        new Gauge({
          name: 'grapevine_audit_pending_promises',
          help: 'SCTs and SGTs awaiting their deadline',
          labelNames: ['log'],
          registers,
        }),
    );
  }
}
