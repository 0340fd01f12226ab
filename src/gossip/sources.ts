/**
 * Heads the gossip loop can read. `ctLogHead`: a CT log of this process, its
 * current STH exactly as get-sth answers it (RFC 6962 §4.3), as an
 * ObservedHead (src/audit) whose `signed` is that get-sth JSON.
 */
import { logIdOfKey, type ObservedHead } from '../audit/index.ts';
import { formatGetSth } from '../codec/index.ts';
import { INTERNAL_CLIENT } from '../log/index.ts';
import type { CtLog } from '../personalities/ct/index.ts';

export function ctLogHead(ct: Pick<CtLog, 'processGetSth' | 'publicKey'>, clock: () => number = Date.now): () => Promise<ObservedHead> {
  const log = logIdOfKey(ct.publicKey.spki);
  return async () => {
    // The process itself reads: no client quota is charged.
    const sth = await ct.processGetSth(INTERNAL_CLIENT);
    return {
      log,
      format: 'rfc6962-sth',
      size: sth.treeSize,
      rootHash: sth.sha256RootHash,
      timestampMs: sth.timestamp,
      signed: Buffer.from(formatGetSth(sth)),
      observer: 'local',
      observedAtMs: clock(),
    };
  };
}
