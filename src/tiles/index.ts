/**
 * Tiled logs' read API, client half (c2sp.org/tlog-tiles, static-ct-api
 * paths, Go sumdb's layout): tile paths (pure), hash reading and proofs over
 * a tile source, rebuilding and checking a tree from its tiles, and an HTTP
 * client. No server code: a verifier or a feeder loads it alone.
 */
export { type TilesClientOptions, TlogTilesClient } from './client.ts';
export { TilesError, type TilesErrorCode } from './errors.ts';
export { entriesTilePath, formatTileIndex, hashTilePath, parseTilePath, type TileLayout, type TilePath } from './paths.ts';
export { TileHashReader, type TileSource } from './reader.ts';
export { type RebuildProgress, type RebuildResult, rebuildFromTiles, treeTiles } from './rebuild.ts';
