/**
 * The RFC 6962 Certificate Transparency wire and client half: the MerkleTreeLeaf
 * and SCT structures, and `CtClient`, which verifies every signature and proof a
 * log returns. It imports no server code (no fastify, prom-client, pino or log
 * core), so a monitor or a browser bundle can load it alone; the log itself is
 * in src/personalities/ct.
 */
export {
  type AuditProgress,
  type AuditResult,
  CtClient,
  CtClientError,
  type CtClientErrorCode,
  type CtClientOptions,
  sthJson,
} from './client.ts';
export { leafInput, NO_EXTENSIONS, signSct, timestampedEntry } from './entry.ts';
export { CT_PATH_PREFIX } from './paths.ts';
export { type TileLeafParts, tileLeaf } from './tile-leaf.ts';
