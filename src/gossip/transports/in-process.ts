/**
 * The in-process transport: submits an RFC 6962 STH straight to a hub
 * instance of this process, as source `sourceId` — what an HTTP
 * add-signed-blob with the STH's TreeHeadSignature and signature would do
 * (specs/gossip-hub.md §3.3: an RFC6962STH source signs the 50-byte
 * TreeHeadSignature), without the socket. Not charged to any quota.
 */
import type { ObservedHead } from '../../audit/index.ts';
import { encodeTreeHeadSignature, parseGetSth } from '../../codec/index.ts';
import { INTERNAL_CLIENT } from '../../log/index.ts';
import type { HubService } from '../../personalities/hub/index.ts';
import { GossipError } from '../errors.ts';
import type { GossipTransport } from '../transport.ts';

export function inProcessHubTransport(hub: Pick<HubService, 'processAddSignedBlob'>, sourceId: string): GossipTransport {
  return {
    async send(head: ObservedHead): Promise<void> {
      if (head.format !== 'rfc6962-sth') {
        throw new GossipError('UNSUPPORTED_HEAD', `got a ${head.format} head, want rfc6962-sth (the hub source ${sourceId} takes STHs)`);
      }
      const sth = parseGetSth(head.signed);
      await hub.processAddSignedBlob(
        { sourceId, blobData: encodeTreeHeadSignature(sth), srcSignature: sth.treeHeadSignature.signature },
        INTERNAL_CLIENT,
      );
    },
  };
}
