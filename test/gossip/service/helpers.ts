/** In-process peers and transports for service tests: the real interfaces, recording what passes. */
import type { Counter } from 'prom-client';
import type { Incoming, Outgoing, PeerLink, Transport, TransportContext } from '../../../src/gossip/service/index.ts';
import type { GossipMessage } from '../../../src/gossip/wire/index.ts';

export class InboxPeer implements PeerLink {
  readonly inbox: GossipMessage[] = [];
  accept = true;
  constructor(readonly id: string) {}
  send(msg: GossipMessage): boolean {
    if (!this.accept) return false;
    this.inbox.push(msg);
    return true;
  }
}

/** A transport that records what it is sent and lets the test deliver incoming messages. */
export class RecordingTransport implements Transport {
  readonly sent: Outgoing[] = [];
  ctx: TransportContext | null = null;
  /** When set, every send rejects with it. */
  failWith: Error | null = null;
  constructor(readonly name: string) {}
  start(ctx: TransportContext): void {
    this.ctx = ctx;
  }
  async send(msg: Outgoing): Promise<void> {
    if (this.failWith) throw this.failWith;
    this.sent.push(msg);
  }
  deliver(msg: Incoming): boolean {
    if (!this.ctx) throw new Error('not started');
    return this.ctx.deliver(msg);
  }
}

/** The value of a counter for one label set (0 when never incremented). */
export async function counterValue(c: Counter<string>, labels: Record<string, string>): Promise<number> {
  const m = await c.get();
  return m.values.find((v) => Object.entries(labels).every(([k, x]) => v.labels[k] === x))?.value ?? 0;
}
