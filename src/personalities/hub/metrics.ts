/**
 * Prometheus metrics of the Gossip Hub personality. One HubMetrics per
 * registry, shared by all hub instances (series carry the `hub` prefix).
 *
 * The original declared `last_sth_timestamp` / `last_sth_treesize` but never
 * set them (specs/gossip-hub.md §4); ours are set each time a head is served.
 * Names carry a `grapevine_hub_` prefix so they cannot collide with the CT
 * personality's series in the same registry. The merge watchdog's series
 * are the log core's (`grapevine_log_oldest_unmerged_seconds{tree}`,
 * `grapevine_log_mmd_violations_total{tree}`).
 */
import { Counter, Gauge, type Registry } from 'prom-client';

export class HubMetrics {
  readonly knownHubs: Gauge<'hub'>;
  /** Timestamp of the last served tree head, ms since the epoch (the original's help text says ms). */
  readonly lastSthTimestamp: Gauge<'hub'>;
  readonly lastSthTreeSize: Gauge<'hub'>;
  /** add-signed-blob outcomes; count them with `countSubmission` (added up here, handed to prom-client at scrape time). */
  readonly submissions: Counter<'hub' | 'source' | 'result'>;
  /** Counts since the last scrape, hub → source → result: map look-ups per request instead of prom-client's label hashing. */
  readonly #pendingSubmissions = new Map<string, Map<string, Map<string, number>>>();
  readonly inconsistentRoots: Counter<'hub'>;
  readonly rootAlert: Gauge<'hub'>;

  static readonly #byRegistry = new WeakMap<Registry, HubMetrics>();

  /** The registry's HubMetrics, made on first use. */
  static of(registry: Registry): HubMetrics {
    return HubMetrics.#byRegistry.get(registry) ?? new HubMetrics(registry);
  }

  /** One add-signed-blob outcome (grapevine_hub_submissions_total, handed over at the next scrape). */
  countSubmission(hub: string, source: string, result: string): void {
    let bySource = this.#pendingSubmissions.get(hub);
    if (!bySource) {
      bySource = new Map();
      this.#pendingSubmissions.set(hub, bySource);
    }
    let byResult = bySource.get(source);
    if (!byResult) {
      byResult = new Map();
      bySource.set(source, byResult);
    }
    byResult.set(result, (byResult.get(result) ?? 0) + 1);
  }

  /** Registers the metrics on `registry` (once per registry: a second throws); `of` finds them afterwards. */
  constructor(registry: Registry) {
    HubMetrics.#byRegistry.set(registry, this);
    const registers = [registry];
    this.knownHubs = new Gauge({
      name: 'grapevine_hub_known_hubs',
      help: 'Hub instances served by this process (1 per prefix)',
      labelNames: ['hub'],
      registers,
    });
    this.lastSthTimestamp = new Gauge({
      name: 'grapevine_hub_last_sth_timestamp',
      help: 'Timestamp of the last tree head served, ms since the epoch',
      labelNames: ['hub'],
      registers,
    });
    this.lastSthTreeSize = new Gauge({
      name: 'grapevine_hub_last_sth_treesize',
      help: 'Size of the last tree head served',
      labelNames: ['hub'],
      registers,
    });
    const pending = this.#pendingSubmissions;
    this.submissions = new Counter({
      name: 'grapevine_hub_submissions_total',
      help: 'add-signed-blob outcomes: new, duplicate, or the HubError/QuotaError code',
      labelNames: ['hub', 'source', 'result'],
      registers,
      collect() {
        for (const [hub, bySource] of pending) {
          for (const [source, byResult] of bySource) for (const [result, n] of byResult) this.inc({ hub, source, result }, n);
        }
        pending.clear();
      },
    });
    this.inconsistentRoots = new Counter({
      name: 'grapevine_hub_inconsistent_roots_total',
      help: 'Core roots refused by the audit (not consistent with the last served root, or badly signed)',
      labelNames: ['hub'],
      registers,
    });
    this.rootAlert = new Gauge({
      name: 'grapevine_hub_root_alert',
      help: '1 while the latest core root is refused and an older root is being served',
      labelNames: ['hub'],
      registers,
    });
  }
}
