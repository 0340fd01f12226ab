/**
 * Prometheus metrics of the log core. One LogMetrics per registry (take it
 * with `LogMetrics.of(registry)`); every series carries the tree name, so
 * several trees share the same metrics.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export class LogMetrics {
  readonly leavesQueued: Counter<'tree'>;
  readonly leavesDuplicate: Counter<'tree'>;
  readonly leavesSequenced: Counter<'tree'>;
  readonly sequencerBatchSeconds: Histogram<'tree'>;
  readonly sequencerErrors: Counter<'tree' | 'code'>;
  readonly treeSize: Gauge<'tree'>;
  readonly headTimestamp: Gauge<'tree'>;
  readonly pendingLeaves: Gauge<'tree'>;
  readonly reads: Counter<'tree' | 'op'>;
  readonly isLeader: Gauge<'tree'>;
  readonly oldestUnmergedSeconds: Gauge<'tree'>;
  readonly mmdViolations: Counter<'tree'>;

  static readonly #byRegistry = new WeakMap<Registry, LogMetrics>();

  /** The registry's LogMetrics, made on first use (metric names are fixed, so a registry holds one). */
  static of(registry: Registry): LogMetrics {
    return LogMetrics.#byRegistry.get(registry) ?? new LogMetrics(registry);
  }

  /** Registers the metrics on `registry` (once per registry: a second throws); `of` finds them afterwards. */
  constructor(registry: Registry) {
    LogMetrics.#byRegistry.set(registry, this);
    const registers = [registry];
    this.leavesQueued = new Counter({
      name: 'grapevine_log_leaves_queued_total',
      help: 'New leaves queued',
      labelNames: ['tree'],
      registers,
    });
    this.leavesDuplicate = new Counter({
      name: 'grapevine_log_leaves_duplicate_total',
      help: 'Queue requests answered with a pre-existing leaf (same identity hash)',
      labelNames: ['tree'],
      registers,
    });
    this.leavesSequenced = new Counter({
      name: 'grapevine_log_leaves_sequenced_total',
      help: 'Leaves integrated into the tree',
      labelNames: ['tree'],
      registers,
    });
    this.sequencerBatchSeconds = new Histogram({
      name: 'grapevine_log_sequencer_batch_seconds',
      help: 'Time to integrate one batch (read queue, hash, write tiles, sign, commit)',
      labelNames: ['tree'],
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
      registers,
    });
    this.sequencerErrors = new Counter({
      name: 'grapevine_log_sequencer_errors_total',
      help: 'Failed sequencer runs by error code',
      labelNames: ['tree', 'code'],
      registers,
    });
    this.treeSize = new Gauge({ name: 'grapevine_log_tree_size', help: 'Size of the latest signed root', labelNames: ['tree'], registers });
    this.headTimestamp = new Gauge({
      name: 'grapevine_log_root_timestamp_seconds',
      help: 'Timestamp of the latest signed root',
      labelNames: ['tree'],
      registers,
    });
    this.pendingLeaves = new Gauge({
      name: 'grapevine_log_pending_leaves',
      help: 'Queued leaves not yet sequenced (sampled by the sequencer)',
      labelNames: ['tree'],
      registers,
    });
    this.reads = new Counter({ name: 'grapevine_log_reads_total', help: 'Read operations served', labelNames: ['tree', 'op'], registers });
    this.isLeader = new Gauge({
      name: 'grapevine_log_sequencer_leader',
      help: '1 while this process holds the sequencer lease',
      labelNames: ['tree'],
      registers,
    });
    this.oldestUnmergedSeconds = new Gauge({
      name: 'grapevine_log_oldest_unmerged_seconds',
      help: 'Age of the oldest queued entry not yet merged (probed by the merge watchdog)',
      labelNames: ['tree'],
      registers,
    });
    this.mmdViolations = new Counter({
      name: 'grapevine_log_mmd_violations_total',
      help: 'Watchdog probes that found an entry older than the MMD still unmerged',
      labelNames: ['tree'],
      registers,
    });
  }
}
