/**
 * The `echo` transport (draft-linus-trans-gossip-00 working copy: "a less
 * complex alternative … built-in transports only, one of which is 'echo'.
 * Adding a tag … would make it possible for clients to match sent and
 * received messages"): every message sent to it comes back, validated again
 * like any incoming message, to the peer that sent it alone, tag kept.
 */
import type { Outgoing, Transport, TransportContext } from '../../service/index.ts';

export class EchoTransport implements Transport {
  readonly name: string;
  #ctx: TransportContext | null = null;

  constructor(name = 'echo') {
    this.name = name;
  }

  start(ctx: TransportContext): void {
    this.#ctx = ctx;
  }

  async send(msg: Outgoing): Promise<void> {
    this.#ctx?.deliver({
      logId: msg.logId,
      gossipData: msg.gossipData,
      toPeer: msg.fromPeer,
      ...(msg.tag !== undefined ? { tag: msg.tag } : {}),
    });
  }

  stop(): void {
    this.#ctx = null;
  }
}
