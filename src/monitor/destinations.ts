/**
 * Where the collector hands verified heads: a Gossip Hub (add-signed-blob,
 * as the log's source id there; the SGT it returns is checked and passed to
 * `onPromise`, e.g. an auditor), or a C2SP witness (add-checkpoint,
 * c2sp.org/tlog-witness: `old` is the size the witness last cosigned, learnt
 * from its 409 answer; the consistency proof comes from the log).
 *
 * Gossip services (issue 11) are not a destination yet: their client
 * library had not landed when this was written.
 */
import { encodeBase64 } from '../codec/index.ts';
import { type SignedPromise, sgtPromise } from '../evidence/index.ts';
import { MonitorError } from './errors.ts';
import type { MonitoredHub, MonitoredLog } from './logs.ts';
import { asMonitorError, ctClient, hubClient, type ObserveContext, tilesClient } from './observe.ts';
import type { Seen } from './seen.ts';
import { checkpointNoteOf, hubSubmissionOf } from './submission.ts';
import { tilesTreeReader } from './tree-reader.ts';

export interface Destination {
  /** Metrics label and log name. */
  readonly name: string;
  /** Whether this destination takes heads of `log`. */
  accepts(log: MonitoredLog): boolean;
  /** Hands on a verified head. Throws MonitorError. */
  submit(log: MonitoredLog, seen: Seen): Promise<void>;
  /** Releases connections (optional). */
  close?(): Promise<void>;
}

export class HubDestination implements Destination {
  readonly name: string;
  readonly #hub: MonitoredHub;
  readonly #ctx: ObserveContext;
  readonly #onPromise: ((hub: MonitoredHub, p: SignedPromise) => void) | undefined;

  constructor(hub: MonitoredHub, ctx: ObserveContext, onPromise?: (hub: MonitoredHub, p: SignedPromise) => void) {
    this.name = `hub:${hub.name}`;
    this.#hub = hub;
    this.#ctx = ctx;
    this.#onPromise = onPromise;
  }

  #sourceId(log: MonitoredLog): string | undefined {
    for (const [id, l] of this.#hub.sources) if (l.name === log.name) return id;
    return undefined;
  }

  accepts(log: MonitoredLog): boolean {
    return this.#sourceId(log) !== undefined;
  }

  async submit(log: MonitoredLog, seen: Seen): Promise<void> {
    const id = this.#sourceId(log) as string;
    const { blob, signature } = hubSubmissionOf(seen.head, log);
    try {
      // HubClient verifies the SGT's hub signature and that it is for this source and blob.
      const sgt = await hubClient(this.#hub, this.#ctx).addSignedBlob(id, blob, signature);
      this.#onPromise?.(
        this.#hub,
        sgtPromise(sgt.value, sgt.hubSignature, { by: this.#ctx.by, from: this.#hub.spec.url, atMs: this.#ctx.now() }),
      );
    } catch (err) {
      throw asMonitorError(err, `${this.#hub.spec.url} add-signed-blob`);
    }
  }
}

export class WitnessDestination implements Destination {
  readonly name: string;
  readonly #url: string;
  readonly #ctx: ObserveContext;
  /** Per log, the size this witness last cosigned (0 before the first answer). */
  readonly #old = new Map<string, number>();

  constructor(name: string, url: string, ctx: ObserveContext) {
    this.name = `witness:${name}`;
    this.#url = url.replace(/\/+$/, '');
    this.#ctx = ctx;
  }

  /** CT logs with an origin (their STHs go as static-ct-api checkpoints) and tiled checkpoint logs: both have proofs. */
  accepts(log: MonitoredLog): boolean {
    if (log.spec.type === 'rfc6962') return log.spec.origin !== undefined;
    return tilesClient(log, this.#ctx) !== null;
  }

  /** The consistency proof old → size from the log itself: get-sth-consistency, or its hash tiles. */
  #proof(log: MonitoredLog, old: number, size: number): Promise<Buffer[]> {
    const tiles = tilesClient(log, this.#ctx);
    if (tiles) return tilesTreeReader(tiles).consistency(old, size);
    return ctClient(log, this.#ctx)
      .getSthConsistency(old, size)
      .catch((err) => {
        throw asMonitorError(err, `${log.name} get-sth-consistency ${old} ${size}`);
      });
  }

  async submit(log: MonitoredLog, seen: Seen): Promise<void> {
    const note = checkpointNoteOf(seen.head, log);
    let old = Math.min(this.#old.get(log.name) ?? 0, seen.size);
    for (let attempt = 0; attempt < 2; attempt++) {
      const proof = old === 0 || old === seen.size ? [] : await this.#proof(log, old, seen.size);
      const body = `old ${old}\n${proof.map((h) => `${encodeBase64(h)}\n`).join('')}\n${note}`;
      let res: Response;
      try {
        res = await this.#ctx.fetch(`${this.#url}/add-checkpoint`, { method: 'POST', body, headers: { 'content-type': 'text/plain' } });
      } catch (err) {
        throw asMonitorError(err, `${this.#url}/add-checkpoint`);
      }
      const text = Buffer.from(await res.arrayBuffer()).toString('utf8');
      if (res.status === 200) {
        this.#old.set(log.name, seen.size);
        return;
      }
      // §add-checkpoint 409: "<size>\n", the size the witness has; retry once from there.
      if (res.status === 409 && /^(0|[1-9][0-9]*)\n$/.test(text) && Number(text) <= seen.size) {
        old = Number(text);
        this.#old.set(log.name, old);
        continue;
      }
      // 409 with a larger size: the witness is ahead of this head (an older head); nothing to do.
      if (res.status === 409) return;
      throw new MonitorError('HTTP', `${this.#url}/add-checkpoint: HTTP ${res.status}: ${text.slice(0, 200).replace(/\s+/g, ' ')}`);
    }
  }
}
