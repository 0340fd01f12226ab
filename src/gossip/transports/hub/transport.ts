/**
 * The `hub` transport: Gossip Hubs (specs/gossip-hub.md) as a way out and a
 * way in.
 *
 * - Out: a head addressed to `hub` is submitted with add-signed-blob to every
 *   configured hub that tracks its log (as the source id configured for it),
 *   and the SGT that comes back is verified under the hub's key (HubClient:
 *   signature over exactly the entry, the entry is for this source and
 *   blob). The head-level half is `remoteHubTransport`, a GossipTransport
 *   like the gossip loop's in-process one (../../transport.ts).
 * - In: every `pollMs`, each hub's latest entry of each tracked source
 *   (get-latest-for-src, §1.7) — other observers' latest view of the log —
 *   is rebuilt into a head (blob.ts) and handed to the service as an
 *   incoming message of this transport, validated there like any other.
 *
 * A hub that fails is counted and logged; the next message or poll tries it
 * again (the service's lane backs the transport off between sends).
 */
import type { Logger } from 'pino';
import type { ObservedHead } from '../../../audit/index.ts';
import type { HubClient } from '../../../hub/index.ts';
import { GossipError } from '../../errors.ts';
import type { GossipService, Outgoing, Transport, TransportContext } from '../../service/index.ts';
import type { GossipTransport } from '../../transport.ts';
import { blobOfHead, headOfBlob } from './blob.ts';

/** Submits heads to a remote hub as `sourceId`, verifying each SGT (the gossip loop's interface). */
export function remoteHubTransport(client: HubClient, sourceId: string, log: Parameters<typeof blobOfHead>[2]): GossipTransport {
  return {
    async send(head: ObservedHead): Promise<void> {
      const b = blobOfHead(head.format, Buffer.from(head.signed), log);
      if (!b)
        throw new GossipError('UNSUPPORTED_HEAD', `got a ${head.format} head, want an RFC 6962 STH or a checkpoint signed by the log`);
      await client.addSignedBlob(sourceId, b.blob, b.signature);
    },
  };
}

export interface HubTarget {
  /** For logs and metrics. */
  readonly name: string;
  readonly client: HubClient;
  /** Canonical log id → the hub's source id for that log. */
  readonly sources: ReadonlyMap<string, string>;
}

export interface HubTransportOptions {
  readonly service: GossipService;
  readonly hubs: readonly HubTarget[];
  /** Polls of get-latest-for-src, ms (0: none). */
  readonly pollMs: number;
  readonly logger?: Logger;
}

export class HubTransport implements Transport {
  readonly name = 'hub';
  readonly #o: HubTransportOptions;
  #ctx: TransportContext | null = null;
  #timer: NodeJS.Timeout | null = null;
  #polling: Promise<void> | null = null;

  constructor(o: HubTransportOptions) {
    this.#o = o;
  }

  start(ctx: TransportContext): void {
    this.#ctx = ctx;
    if (this.#o.pollMs > 0) this.#schedule(0);
  }

  #schedule(wait: number): void {
    this.#timer = setTimeout(() => {
      this.#polling = this.poll().finally(() => {
        this.#polling = null;
        if (this.#ctx) this.#schedule(this.#o.pollMs);
      });
    }, wait);
    this.#timer.unref();
  }

  async send(msg: Outgoing): Promise<void> {
    if ((msg.kind !== 'rfc6962-sth' && msg.kind !== 'checkpoint') || msg.head === null) return; // hubs record heads
    const log = this.#o.service.logs.get(msg.logId);
    if (!log) return;
    const head: ObservedHead = {
      log: log.id,
      format: msg.kind,
      size: msg.head.size,
      rootHash: msg.head.rootHash,
      timestampMs: msg.head.timestampMs,
      signed: msg.gossipData,
      observer: `peer:${msg.fromPeer}`,
      observedAtMs: msg.timestamp,
    };
    const targets = this.#o.hubs.filter((h) => h.sources.has(log.id));
    const results = await Promise.allSettled(
      targets.map((h) => remoteHubTransport(h.client, h.sources.get(log.id) as string, log).send(head)),
    );
    const failed = results.flatMap((r, i) => (r.status === 'rejected' ? [`${targets[i].name}: ${(r.reason as Error).message}`] : []));
    if (failed.length > 0) throw new Error(`add-signed-blob failed at ${failed.join('; ')}`);
  }

  /** One poll of every hub's latest entry of every tracked source. */
  async poll(): Promise<void> {
    await Promise.all(
      this.#o.hubs.flatMap((h) =>
        [...h.sources].map(async ([logId, sourceId]) => {
          const log = this.#o.service.logs.get(logId);
          if (!log) return;
          try {
            const latest = await h.client.getLatestForSource(sourceId);
            if (!latest) return;
            const data = headOfBlob(latest.entry.blobData, latest.entry.sourceSignature, log);
            if (data) this.#ctx?.deliver({ logId: log.id, gossipData: data });
          } catch (err) {
            this.#o.service.metrics.transportFailures.inc({ transport: this.name });
            this.#o.logger?.warn({ hub: h.name, source: sourceId, err: (err as Error).message }, 'gossip: hub poll failed');
          }
        }),
      ),
    );
  }

  async stop(): Promise<void> {
    this.#ctx = null;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    await this.#polling;
  }
}
