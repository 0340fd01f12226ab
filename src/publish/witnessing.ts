/**
 * A log getting its checkpoints cosigned (c2sp.org/tlog-witness, the log's
 * side): every round it takes its current checkpoint to each witness of its
 * tlog-policy that has a URL (submit.ts: from the size that witness last
 * cosigned, with the log's own consistency proof; 409 recovery), merges the
 * cosignatures that verified, and once the witnesses that cosigned make the
 * policy's quorum, that cosigned checkpoint is what the log serves as
 * `checkpoint` (c2sp.org/tlog-policy; the policy must list the log's key).
 * Until a newer checkpoint reaches the quorum the last one that did is
 * served; before any did, the log's own checkpoint is. The same checkpoint
 * is taken to the witnesses again every round (fresh timestamps).
 *
 * Concurrency: one round at a time (the loop awaits each); `#known` and
 * `#cosigned` are written only by the round in flight.
 */
import type { Logger } from 'pino';
import { checkPolicy, type Policy } from '../checkpoint/index.ts';
import { addSignatures, formatNote, type NoteSignature, parseNote } from '../note/index.ts';
import { type ProofSource, submitCheckpoint, WitnessClient } from '../witness/index.ts';
import type { PublishedCheckpoint, PublishedTree } from './tree.ts';

export interface WitnessingOptions {
  readonly tree: Pick<PublishedTree, 'origin' | 'checkpoint'>;
  readonly policy: Policy;
  /** The log's consistency proofs (its own tree). */
  readonly proofs: ProofSource;
  readonly logger?: Logger;
  readonly fetch?: typeof fetch;
  /** Per request to a witness, ms (default 10 s). */
  readonly timeoutMs?: number;
}

export interface WitnessingRound {
  readonly size: number;
  /** Names (policy) of the witnesses that cosigned in this round. */
  readonly cosignedBy: readonly string[];
  readonly quorum: boolean;
}

export class CheckpointWitnessing {
  readonly #o: WitnessingOptions;
  readonly #witnesses: { readonly name: string; readonly client: WitnessClient }[];
  /** Per witness: the size it holds for this log, as last seen. */
  readonly #known = new Map<string, number>();
  #cosigned: PublishedCheckpoint | null = null;
  /** Per witness: the last failure logged at warn, so a witness that stays down is logged once, then at debug. */
  readonly #lastError = new Map<string, string>();
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<unknown> | null = null;

  constructor(o: WitnessingOptions) {
    this.#o = o;
    this.#witnesses = [...o.policy.witnesses]
      .filter(([, w]) => w.url !== undefined)
      .map(([name, w]) => ({
        name,
        client: new WitnessClient({
          url: w.url as string,
          vkeys: [w.key.vkey],
          ...(o.fetch ? { fetch: o.fetch } : {}),
          timeoutMs: o.timeoutMs ?? 10_000,
        }),
      }));
  }

  /** The checkpoint to serve: the latest that reached the quorum, else the log's own. */
  async served(): Promise<string> {
    return (this.#cosigned ?? (await this.#o.tree.checkpoint())).note;
  }

  /** The latest checkpoint that reached the quorum, or null. */
  get cosigned(): PublishedCheckpoint | null {
    return this.#cosigned;
  }

  /** One round: the current checkpoint to every witness with a URL. Never throws. */
  async round(): Promise<WitnessingRound | null> {
    let cp: PublishedCheckpoint;
    try {
      cp = await this.#o.tree.checkpoint();
    } catch (err) {
      this.#o.logger?.warn({ origin: this.#o.tree.origin, err: (err as Error).message }, 'witnessing: no checkpoint to take');
      return null;
    }
    const results = await Promise.all(
      this.#witnesses.map(async (w) => {
        try {
          const r = await submitCheckpoint(w.client, cp.note, cp.size, this.#o.proofs, this.#known.get(w.name) ?? 0);
          this.#known.set(w.name, r.size);
          this.#lastError.delete(w.name);
          return r.kind === 'cosigned' ? { name: w.name, sigs: r.cosignatures } : null;
        } catch (err) {
          this.#known.delete(w.name);
          const message = (err as Error).message;
          const level = this.#lastError.get(w.name) === message ? 'debug' : 'warn';
          this.#lastError.set(w.name, message);
          this.#o.logger?.[level]({ origin: this.#o.tree.origin, witness: w.name, err: message }, 'witnessing: submission failed');
          return null;
        }
      }),
    );
    const sigs: NoteSignature[] = results.flatMap((r) => r?.sigs ?? []);
    const note = formatNote(addSignatures(parseNote(cp.note), sigs));
    let quorum = false;
    try {
      const v = checkPolicy(note, this.#o.policy);
      quorum = v.satisfied;
      // Serve the newest checkpoint that reached the quorum; a round that fails to does not take it back.
      if (quorum && (this.#cosigned === null || cp.size >= this.#cosigned.size)) this.#cosigned = { ...cp, note };
    } catch (err) {
      this.#o.logger?.error(
        { origin: this.#o.tree.origin, err: (err as Error).message },
        'witnessing: the cosigned checkpoint does not check under the policy',
      );
    }
    return { size: cp.size, cosignedBy: results.filter((r) => r !== null).map((r) => (r as { name: string }).name), quorum };
  }

  /** A round now, then one every `intervalMs` after the previous one ended. */
  start(intervalMs: number): void {
    if (this.#timer) return;
    const loop = () => {
      this.#running = this.round().finally(() => {
        this.#running = null;
        if (this.#timer !== null) this.#timer = setTimeout(loop, intervalMs);
      });
    };
    this.#timer = setTimeout(loop, 0);
  }

  async stop(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    await this.#running;
  }
}
