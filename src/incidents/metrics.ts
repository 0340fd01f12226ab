/**
 * Prometheus metrics of incidents: a counter per category and class (every
 * category present from the start, at 0, so an alert rule can reference it
 * before the first incident), and sink failures.
 */
import { Counter, type Registry } from 'prom-client';
import { EVIDENCE_KINDS, type Incident } from '../evidence/index.ts';
import type { SinkFailures } from './sink.ts';

function once<T>(registry: Registry, name: string, make: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? make();
}

export class IncidentMetrics implements SinkFailures {
  readonly #raised: Counter<'category' | 'class'>;
  readonly #failures: Counter<'sink' | 'reason'>;

  constructor(registry: Registry) {
    const registers = [registry];
    this.#raised = once(
      registry,
      'grapevine_incidents_total',
      () =>
        new Counter({
          name: 'grapevine_incidents_total',
          help: 'Incidents raised (deduplicated by id), by category (the evidence kind) and class (proof or suspicion)',
          labelNames: ['category', 'class'],
          registers,
        }),
    );
    for (const [category, cls] of Object.entries(EVIDENCE_KINDS)) this.#raised.inc({ category, class: cls }, 0);
    this.#failures = once(
      registry,
      'grapevine_incident_sink_failures_total',
      () =>
        new Counter({
          name: 'grapevine_incident_sink_failures_total',
          help: 'Incidents a sink could not deliver (error, timeout) or dropped from a full queue',
          labelNames: ['sink', 'reason'],
          registers,
        }),
    );
  }

  raised(i: Incident): void {
    this.#raised.inc({ category: i.category, class: i.class });
  }

  failed(sink: string, reason: 'error' | 'dropped' | 'timeout'): void {
    this.#failures.inc({ sink, reason });
  }
}
