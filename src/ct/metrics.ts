/**
 * Prometheus metrics of the CT personality, on the process registry shared
 * with the log core (LogMetrics). Labels are bounded: endpoint names, status
 * codes, entry types and CtError codes.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export class CtMetrics {
  readonly requests: Counter<'endpoint' | 'status'>;
  readonly requestSeconds: Histogram<'endpoint'>;
  /** Accepted submissions; `duplicate` = "true" when the original SCT timestamp was returned. */
  readonly submissions: Counter<'entry_type' | 'duplicate'>;
  readonly rejections: Counter<'entry_type' | 'code'>;
  readonly sthSigned: Counter;
  readonly entriesServed: Counter;
  readonly oldestPendingSeconds: Gauge;
  readonly mmdViolations: Counter;

  constructor(registry: Registry) {
    const registers = [registry];
    this.requests = new Counter({
      name: 'grapevine_ct_requests_total',
      help: 'RFC 6962 API requests by endpoint and HTTP status',
      labelNames: ['endpoint', 'status'],
      registers,
    });
    this.requestSeconds = new Histogram({
      name: 'grapevine_ct_request_seconds',
      help: 'RFC 6962 API request latency',
      labelNames: ['endpoint'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers,
    });
    this.submissions = new Counter({
      name: 'grapevine_ct_submissions_total',
      help: 'Chains accepted by add-chain/add-pre-chain',
      labelNames: ['entry_type', 'duplicate'],
      registers,
    });
    this.rejections = new Counter({
      name: 'grapevine_ct_rejections_total',
      help: 'Chains refused by admission, by CtError code',
      labelNames: ['entry_type', 'code'],
      registers,
    });
    this.sthSigned = new Counter({ name: 'grapevine_ct_sth_signatures_total', help: 'STHs signed (one per new head revision)', registers });
    this.entriesServed = new Counter({ name: 'grapevine_ct_entries_served_total', help: 'Entries returned by get-entries', registers });
    this.oldestPendingSeconds = new Gauge({
      name: 'grapevine_ct_oldest_unmerged_seconds',
      help: 'Age of the oldest SCT whose entry is not yet in a signed head',
      registers,
    });
    this.mmdViolations = new Counter({
      name: 'grapevine_ct_mmd_violations_total',
      help: 'Watchdog runs that found an entry older than the MMD still unmerged',
      registers,
    });
  }
}
