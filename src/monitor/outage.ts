/**
 * A source that stopped answering: consecutive failed polls, kept as
 * attempts, reported once per outage as an unresponsive suspicion (never
 * proof: a failed fetch looks the same as a network problem,
 * specs/gossip-protocols.md §5). A success ends the outage.
 *
 * Ownership: one per audited log or hub, touched by its round only.
 */
import { type Attempt, attempt } from '../evidence/index.ts';

const KEEP = 20;

export class Outage {
  #attempts: Attempt[] = [];
  #failures = 0;
  #reported = false;

  /** Records a failure; true when this one makes the outage reportable (once). */
  failed(request: string, atMs: number, outcome: string, threshold: number): boolean {
    this.#failures++;
    this.#attempts = [...this.#attempts, attempt(request, atMs, outcome)].slice(-KEEP);
    if (this.#reported || this.#failures < threshold) return false;
    this.#reported = true;
    return true;
  }

  ok(): void {
    this.#attempts = [];
    this.#failures = 0;
    this.#reported = false;
  }

  get attempts(): readonly Attempt[] {
    return this.#attempts;
  }
}
