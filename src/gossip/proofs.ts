/**
 * Consistency proofs for the split-view detector, fetched from a CT log's
 * RFC 6962 §4.4 get-sth-consistency at the URL the config gives the log.
 * One CtClient per log, made on first use. The proof is returned as served:
 * the detector judges it (audit/judge.ts), so a wrong proof is evidence, not
 * an error here.
 */
import { CtClient } from '../ct/index.ts';
import type { ProofSource } from './service/index.ts';
import type { KnownLog } from './validate/index.ts';

export class CtProofSource implements ProofSource {
  readonly #clients = new Map<string, CtClient>();
  readonly #timeoutMs: number;
  readonly #fetch: typeof fetch | undefined;

  constructor(opts: { timeoutMs?: number; fetch?: typeof fetch } = {}) {
    this.#timeoutMs = opts.timeoutMs ?? 10_000;
    this.#fetch = opts.fetch;
  }

  canProve(log: KnownLog): boolean {
    return log.url !== null && log.key !== null;
  }

  consistency(log: KnownLog, first: number, second: number): Promise<Buffer[]> {
    let c = this.#clients.get(log.id);
    if (!c) {
      c = new CtClient({
        url: log.url as string,
        logKey: log.key,
        timeoutMs: this.#timeoutMs,
        ...(this.#fetch ? { fetch: this.#fetch } : {}),
      });
      this.#clients.set(log.id, c);
    }
    return c.getSthConsistency(first, second);
  }
}
