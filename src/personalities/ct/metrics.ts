/**
 * Prometheus metrics of the CT personality, on the process registry shared
 * with the log core (LogMetrics). Every series carries the `log` label (the
 * tree name), and a second CtMetrics on the same registry reuses the
 * registered metrics, so several CT logs can share one process. Labels are
 * bounded: tree names, endpoint names, status codes, entry types and
 * CtError codes. The merge watchdog's series are the log core's
 * (`grapevine_log_oldest_unmerged_seconds`, `grapevine_log_mmd_violations_total`).
 */
import { Counter, Histogram, type Registry } from 'prom-client';

function once<T>(registry: Registry, name: string, make: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? make();
}

export class CtMetrics {
  readonly requests: Counter<'log' | 'endpoint' | 'status'>;
  readonly requestSeconds: Histogram<'log' | 'endpoint'>;
  /** Accepted submissions; `duplicate` = "true" when the original SCT timestamp was returned. */
  readonly submissions: Counter<'log' | 'entry_type' | 'duplicate'>;
  readonly rejections: Counter<'log' | 'entry_type' | 'code'>;
  readonly sthSigned: Counter<'log'>;
  readonly entriesServed: Counter<'log'>;

  constructor(registry: Registry) {
    const registers = [registry];
    this.requests = once(
      registry,
      'grapevine_ct_requests_total',
      () =>
        new Counter({
          name: 'grapevine_ct_requests_total',
          help: 'RFC 6962 API requests by endpoint and HTTP status',
          labelNames: ['log', 'endpoint', 'status'],
          registers,
        }),
    );
    this.requestSeconds = once(
      registry,
      'grapevine_ct_request_seconds',
      () =>
        new Histogram({
          name: 'grapevine_ct_request_seconds',
          help: 'RFC 6962 API request latency',
          labelNames: ['log', 'endpoint'],
          buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
          registers,
        }),
    );
    this.submissions = once(
      registry,
      'grapevine_ct_submissions_total',
      () =>
        new Counter({
          name: 'grapevine_ct_submissions_total',
          help: 'Chains accepted by add-chain/add-pre-chain',
          labelNames: ['log', 'entry_type', 'duplicate'],
          registers,
        }),
    );
    this.rejections = once(
      registry,
      'grapevine_ct_rejections_total',
      () =>
        new Counter({
          name: 'grapevine_ct_rejections_total',
          help: 'Chains refused by admission, by CtError code',
          labelNames: ['log', 'entry_type', 'code'],
          registers,
        }),
    );
    this.sthSigned = once(
      registry,
      'grapevine_ct_sth_signatures_total',
      () =>
        new Counter({
          name: 'grapevine_ct_sth_signatures_total',
          help: 'STHs signed (one per new head revision)',
          labelNames: ['log'],
          registers,
        }),
    );
    this.entriesServed = once(
      registry,
      'grapevine_ct_entries_served_total',
      () =>
        new Counter({ name: 'grapevine_ct_entries_served_total', help: 'Entries returned by get-entries', labelNames: ['log'], registers }),
    );
  }
}
