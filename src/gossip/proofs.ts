/**
 * Consistency proofs for the split-view detector, from the log itself:
 * - a tiled log (`tiles`: its checkpoint URL, c2sp.org/tlog-tiles or Go
 *   sumdb's layout) — folded from its hash tiles of the larger tree;
 * - a CT log (`url`) — RFC 6962 §4.4 get-sth-consistency.
 * One client per log, made on first use. The proof is returned as the log's
 * data gives it: the detector judges it (audit/judge.ts), so a wrong proof
 * is evidence, not an error here.
 */
import { CtClient } from '../ct/index.ts';
import { TlogTilesClient } from '../tiles/index.ts';
import type { ProofSource } from './service/index.ts';
import type { KnownLog } from './validate/index.ts';

export class LogProofSource implements ProofSource {
  readonly #clients = new Map<string, CtClient>();
  readonly #tiles = new Map<string, TlogTilesClient>();
  readonly #timeoutMs: number;
  readonly #fetch: typeof fetch | undefined;

  constructor(opts: { timeoutMs?: number; fetch?: typeof fetch } = {}) {
    this.#timeoutMs = opts.timeoutMs ?? 10_000;
    this.#fetch = opts.fetch;
  }

  canProve(log: KnownLog): boolean {
    return this.#tilesOf(log) !== null || (log.url !== null && log.key !== null);
  }

  consistency(log: KnownLog, first: number, second: number): Promise<Buffer[]> {
    const tiles = this.#tilesOf(log);
    if (tiles) return tiles.reader().consistencyProof(first, second);
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

  /** The tiles client of a log whose `tiles` is a tiled log's checkpoint URL (else null), made on first use. */
  #tilesOf(log: KnownLog): TlogTilesClient | null {
    if (log.tiles === null) return null;
    let t = this.#tiles.get(log.id);
    if (!t) {
      const made = TlogTilesClient.forCheckpointUrl(log.tiles, {
        timeoutMs: this.#timeoutMs,
        ...(this.#fetch ? { fetch: this.#fetch } : {}),
      });
      if (!made) return null;
      t = made;
      this.#tiles.set(log.id, t);
    }
    return t;
  }
}
