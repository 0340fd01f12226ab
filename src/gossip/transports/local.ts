/**
 * The gossip loop's way into a gossip service of the same process: each head
 * the loop reads (the local CT log's STH) is handed to the service as a
 * message of the peer `local`, addressed to every transport — so it is
 * validated, pooled and compared like any head, and gossiped on by whatever
 * transports the service runs. A refusal (rate limit, shutdown) rejects.
 */
import type { ObservedHead } from '../../audit/index.ts';
import { GossipError } from '../errors.ts';
import type { GossipService } from '../service/index.ts';
import type { GossipTransport } from '../transport.ts';
import { ALL_TRANSPORTS, Command } from '../wire/index.ts';

export const LOCAL_PEER = 'local';

export function localServiceTransport(service: GossipService): GossipTransport {
  return {
    async send(head: ObservedHead): Promise<void> {
      const replies = service.fromPeer(LOCAL_PEER, {
        command: Command.gossipMsg,
        logId: head.log,
        gossipData: Buffer.from(head.signed),
        destination: [ALL_TRANSPORTS],
      });
      const refusal = replies.find((r) => r.command === Command.error);
      if (refusal && refusal.command === Command.error) throw new GossipError('REFUSED', `${refusal.code}: ${refusal.message}`);
    },
  };
}
