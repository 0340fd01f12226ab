/**
 * The CT log published the static-ct-api way, beside its RFC 6962 API
 * (c2sp.org/static-ct-api; src/publish): its checkpoint is its current STH
 * as a note with the RFC 6962 note signature (type 0x05: the timestamp and
 * the STH's TreeHeadSignature, so anyone holding the log's existing key
 * verifies it; no new key), hash tiles from the core, `tile/data/…` with
 * TileLeaf entries (src/ct/tile-leaf.ts) and `issuer/<sha256>`.
 *
 * Issuers: the accepted roots, and every chain certificate of the data tiles
 * this process served (an LRU of `MAX_ISSUERS`). A reader fetches data tiles
 * before the issuers they name, so it finds them; a frontend that served no
 * tile naming an issuer answers 404 for it (a durable issuer table is left
 * for later).
 */
import { createHash } from 'node:crypto';
import { formatCheckpoint } from '../../checkpoint/index.ts';
import { tileLeaf } from '../../ct/index.ts';
import { INTERNAL_CLIENT } from '../../log/index.ts';
import { TILE_WIDTH } from '../../merkle/index.ts';
import { formatNote, rfc6962NoteSignature } from '../../note/index.ts';
import type { PublishedCheckpoint, PublishedTree } from '../../publish/index.ts';
import type { CtLogPart } from './part.ts';

const MAX_ISSUERS = 10_000;

/** The CT log `part` published with checkpoint origin `origin` (static-ct-api: the submission prefix without scheme). */
export function publishCtLog(
  part: CtLogPart,
  origin: string,
  roots: readonly Uint8Array[] = part.ct.processGetRoots(INTERNAL_CLIENT),
): PublishedTree {
  const issuers = new Map<string, Buffer>();
  const remember = (fp: string, der: Buffer) => {
    issuers.delete(fp);
    issuers.set(fp, der);
    if (issuers.size > MAX_ISSUERS + roots.length) issuers.delete(issuers.keys().next().value as string);
  };
  for (const r of roots) remember(createHash('sha256').update(r).digest('hex'), Buffer.from(r));
  const spki = part.log.publicKey.spki;
  let cached: { size: number; timestamp: number; cp: PublishedCheckpoint } | null = null;
  return {
    origin,
    entriesKind: 'data',
    async checkpoint() {
      const sth = await part.ct.processGetSth(INTERNAL_CLIENT);
      if (cached?.size === sth.treeSize && cached.timestamp === sth.timestamp) return cached.cp;
      const text = formatCheckpoint({ origin, size: sth.treeSize, rootHash: sth.sha256RootHash, extensions: [] });
      const note = formatNote({ text, signatures: [rfc6962NoteSignature(origin, spki, sth.timestamp, sth.treeHeadSignature)] });
      const cp = { note, size: sth.treeSize, rootHash: Buffer.from(sth.sha256RootHash) };
      cached = { size: sth.treeSize, timestamp: sth.timestamp, cp };
      return cp;
    },
    hashTile: (level, index, width, size) => part.log.readTile(level, index, width, size),
    async entryBundle(index, width) {
      const out: Buffer[] = [];
      for (let at = index * TILE_WIDTH; at < index * TILE_WIDTH + width; ) {
        const leaves = await part.log.getLeaves(at, index * TILE_WIDTH + width);
        for (const l of leaves) {
          const t = tileLeaf(l.value, l.extraData ?? Buffer.alloc(0));
          for (const [fp, der] of t.issuers) remember(fp, der);
          out.push(t.leaf);
        }
        at += leaves.length;
      }
      return Buffer.concat(out);
    },
    async issuer(fp) {
      return issuers.get(fp) ?? null;
    },
  };
}
