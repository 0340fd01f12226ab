/**
 * Prometheus metrics of the witness. One WitnessMetrics per registry.
 * Labels are bounded: results are the closed set of outcome codes, never an
 * origin (a witness may follow tens of thousands of logs).
 */
import { Counter, type Registry } from 'prom-client';

export class WitnessMetrics {
  /** add-checkpoint outcomes: `cosigned`, `recosigned`, a WitnessError code, `QUOTA`, or `ERROR`. */
  readonly requests: Counter<'result'>;
  readonly incidents: Counter<'category'>;
  /** Compare-and-swaps of an origin's state lost to a concurrent request (each one is retried). */
  readonly casConflicts: Counter;

  constructor(registry: Registry) {
    const registers = [registry];
    this.requests = new Counter({
      name: 'grapevine_witness_add_checkpoint_total',
      help: 'add-checkpoint requests by outcome: cosigned, recosigned (same checkpoint), or the error code',
      labelNames: ['result'],
      registers,
    });
    this.incidents = new Counter({
      name: 'grapevine_witness_incidents_total',
      help: 'Checkpoints signed by their log and refused for inconsistency, by the kind of evidence raised (fork, empty-root, inconsistent, proof-refused)',
      labelNames: ['category'],
      registers,
    });
    this.casConflicts = new Counter({
      name: 'grapevine_witness_cas_conflicts_total',
      help: 'Compare-and-swaps of a log state lost to a concurrent request (retried)',
      registers,
    });
  }
}
