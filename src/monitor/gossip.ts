/**
 * The collector and the auditor as peers of a gossip service (issue 11,
 * src/gossip): the collector hands every verified head to the service
 * (GossipDestination) to spread over its transports; the auditor takes the
 * heads the service brings in (GossipFeed), verifies them under its own keys
 * (never trusting the service's validation) and judges them like any other.
 *
 * Gossip data is the head in its own signed encoding (§5.1 of the gossip
 * service protocol: it "MUST include a signature by the log"): get-sth JSON
 * for CT logs, the signed note for checkpoint logs; `log-id` is the log id
 * (SHA-256 of the key; for note-only logs, of "o:" || origin).
 */

import { decodeBase64, decodeHubTimestampedEntry, decodeTreeHeadSignature, formatGetSth, parseGetSth } from '../codec/index.ts';
import { digitallySignedAlgorithm } from '../crypto/index.ts';
import { checkpointHead, checkSignedHead, type SignedHead, sthHead } from '../evidence/index.ts';
import { type ClientAddress, GossipClient } from '../gossip/client.ts';
import type { Destination } from './destinations.ts';
import { MonitorError } from './errors.ts';
import type { MonitoredLog } from './logs.ts';
import { asMonitorError, type ObserveContext } from './observe.ts';
import type { Seen } from './seen.ts';

/** The bytes a head travels as in gossip. */
export function gossipDataOf(head: SignedHead, log: MonitoredLog): Buffer {
  switch (head.format) {
    case 'rfc6962-sth':
      return Buffer.from(JSON.stringify(head.sth));
    case 'checkpoint':
      return Buffer.from(head.note, 'utf8');
    case 'hub-entry': {
      // A CT head relayed by a hub: the raw signature is the log's; the algorithm pair is the key's (crypto/digitally-signed.ts).
      const e = decodeHubTimestampedEntry(decodeBase64(head.entry));
      if (log.spec.type !== 'rfc6962' || !log.spec.publicKey) return e.blobData;
      const th = decodeTreeHeadSignature(e.blobData);
      const alg = digitallySignedAlgorithm(log.spec.publicKey.type);
      return Buffer.from(formatGetSth({ ...th, treeHeadSignature: { ...alg, signature: e.sourceSignature } }));
    }
    case 'hub-sth':
      throw new MonitorError('BAD_RESPONSE', `log ${log.name}: a hub's own head is not gossiped as a source head`);
  }
}

export class GossipDestination implements Destination {
  readonly name: string;
  readonly #addr: ClientAddress;
  #client: Promise<GossipClient> | null = null;

  constructor(name: string, addr: ClientAddress) {
    this.name = `gossip:${name}`;
    this.#addr = addr;
  }

  accepts(): boolean {
    return true;
  }

  async #connected(): Promise<GossipClient> {
    if (this.#client) {
      const c = await this.#client.catch(() => null);
      if (c && !c.closed) return c;
    }
    this.#client = GossipClient.connect(this.#addr);
    return this.#client;
  }

  async submit(log: MonitoredLog, seen: Seen): Promise<void> {
    try {
      const c = await this.#connected();
      await c.gossip({ logId: log.id, gossipData: gossipDataOf(seen.head, log), destination: ['all'] });
    } catch (err) {
      this.#client = null;
      throw asMonitorError(err, this.name);
    }
  }

  async close(): Promise<void> {
    const c = await this.#client?.catch(() => null);
    c?.close();
  }
}

/**
 * Heads from a gossip service, for the auditor: each message naming a log
 * it follows is decoded and verified under its key, then handed to
 * `onSeen`; anything else is counted in `ignored` and dropped.
 */
export class GossipFeed {
  readonly #addr: ClientAddress;
  readonly #byId: ReadonlyMap<string, MonitoredLog>;
  readonly #ctx: ObserveContext;
  readonly #onSeen: (log: MonitoredLog, seen: Seen) => void;
  #client: GossipClient | null = null;
  #stopped = false;
  #loop: Promise<void> | null = null;
  ignored = 0;
  received = 0;

  constructor(addr: ClientAddress, logs: readonly MonitoredLog[], ctx: ObserveContext, onSeen: (log: MonitoredLog, seen: Seen) => void) {
    this.#addr = addr;
    this.#byId = new Map(logs.map((l) => [l.id, l]));
    this.#ctx = ctx;
    this.#onSeen = onSeen;
  }

  start(): void {
    this.#stopped = false;
    this.#loop = this.#run();
  }

  async #run(): Promise<void> {
    while (!this.#stopped) {
      try {
        this.#client = await GossipClient.connect(this.#addr);
        for await (const m of this.#client.incoming()) {
          this.received++;
          const log = this.#byId.get(m.logId);
          const seen = log ? this.#decode(log, m.gossipData) : null;
          if (log && seen) this.#onSeen(log, seen);
          else this.ignored++;
        }
      } catch {
        // The service is down or went away: try again shortly.
      }
      if (!this.#stopped) await new Promise((r) => setTimeout(r, 1000));
    }
  }

  #decode(log: MonitoredLog, data: Buffer): Seen | null {
    const seen = { by: this.#ctx.by, from: 'gossip', atMs: this.#ctx.now() };
    try {
      const head = log.spec.type === 'rfc6962' && data[0] === 0x7b ? sthHead(parseGetSth(data), seen) : checkpointHead(data, seen);
      const o = checkSignedHead(head, log.evidence, 'gossip');
      return { size: o.size, root: o.root, timeNs: o.timeNs, head, latest: false, observedAtMs: Date.parse(head.observed.at) };
    } catch {
      return null;
    }
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#client?.close();
    await this.#loop;
  }
}
