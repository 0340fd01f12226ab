/**
 * What a personality gives to publish its tree through the static read API
 * (c2sp.org/tlog-tiles; c2sp.org/static-ct-api for CT): its signed
 * checkpoint, its hash tiles and its entries. Declared here, by its consumer
 * (routes.ts, witnessing.ts); implemented by the CT log and the hub.
 */

export interface PublishedCheckpoint {
  /** The signed checkpoint note (c2sp.org/tlog-checkpoint), signed by the log. */
  readonly note: string;
  readonly size: number;
  readonly rootHash: Buffer;
}

export interface PublishedTree {
  readonly origin: string;
  /**
   * The checkpoint of the head the personality serves now (the hub: the
   * audited head, never the core's unaudited one). Tiles and entries are
   * served up to its size and no further. Safe to call per request: signed
   * once per head.
   */
  checkpoint(): Promise<PublishedCheckpoint>;
  /** The first `width` hashes of hash tile (level, index) of the tree of `size` leaves (≤ the checkpoint's). */
  hashTile(level: number, index: number, width: number, size: number): Promise<Buffer>;
  /** `entries` (tlog-tiles bundles) or `data` (static-ct-api TileLeaf tiles). */
  readonly entriesKind: 'entries' | 'data';
  /** The bundle (or data tile) of entries [256·index, 256·index + width). */
  entryBundle(index: number, width: number): Promise<Buffer>;
  /** static-ct-api `issuer/<hex sha256>`: a chain certificate, DER; null when unknown. */
  issuer?(fingerprint: string): Promise<Buffer | null>;
}
