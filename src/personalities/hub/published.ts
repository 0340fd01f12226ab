/**
 * A hub instance published the tlog-tiles way, beside its Gossip Hub API
 * (c2sp.org/tlog-tiles; src/publish): its checkpoint is the *served* (audited)
 * head — never a core head the hub's audit has not accepted — signed with an
 * Ed25519 note key of its own; hash tiles from the core up to that size; and
 * entry bundles of its leaves, each the TLS TimestampedEntry the leaf hash
 * covers (specs/gossip-hub.md §2.1).
 *
 * The note key is not the hub key: the hub key signs SGTs and tree heads in
 * two TLS languages kept disjoint (signer.ts), and a third, textual message
 * type would need its own disjointness argument. A separate Ed25519 key
 * (named as the origin, c2sp.org/tlog-checkpoint: the key name SHOULD be the
 * origin) needs none.
 */
import { formatCheckpoint } from '../../checkpoint/index.ts';
import { TILE_WIDTH } from '../../merkle/index.ts';
import { type NoteSigner, signNote } from '../../note/index.ts';
import { encodeEntryBundle, PublishError, type PublishedCheckpoint, type PublishedTree } from '../../publish/index.ts';
import type { OpenedHub } from './hub.ts';

/** Hub instance `h` published with checkpoint origin `origin`, its checkpoints signed by `signer` (Ed25519, named `origin`). */
export function publishHub(h: OpenedHub, origin: string, signer: NoteSigner): PublishedTree {
  let cached: { revision: number; cp: PublishedCheckpoint } | null = null;
  return {
    origin,
    entriesKind: 'entries',
    async checkpoint() {
      const head = h.hub.servedHead();
      if (!head) throw new PublishError('NOT_FOUND', `hub ${h.hub.prefix} serves no head yet`);
      if (cached?.revision === head.revision) return cached.cp;
      const note = signNote(formatCheckpoint({ origin, size: head.size, rootHash: head.rootHash, extensions: [] }), signer);
      const cp = { note, size: head.size, rootHash: Buffer.from(head.rootHash) };
      if (!cached || head.revision > cached.revision) cached = { revision: head.revision, cp };
      return cp;
    },
    hashTile: (level, index, width, size) => h.log.readTile(level, index, width, size),
    async entryBundle(index, width) {
      const entries: Buffer[] = [];
      for (let at = index * TILE_WIDTH; at < index * TILE_WIDTH + width; ) {
        const leaves = await h.log.getLeaves(at, index * TILE_WIDTH + width);
        entries.push(...leaves.map((l) => l.value));
        at += leaves.length;
      }
      return encodeEntryBundle(entries);
    },
  };
}
