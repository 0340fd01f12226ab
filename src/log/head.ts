/**
 * Building and checking signed heads: the core's LogRoot, signed with the
 * tree key over LOG_ROOT_DOMAIN || LogRootV1.
 */
import type { PublicKey, Signer } from '../crypto/index.ts';
import { verifySignature } from '../crypto/index.ts';
import { CompactRange } from '../merkle/index.ts';
import { LogError } from './errors.ts';
import { decodeLogRoot, encodeLogRoot, logRootSigningInput } from './log-root.ts';
import type { TreeHead } from './storage.ts';

export function signHead(signer: Signer, range: CompactRange, timestamp: number, revision: number): TreeHead {
  const rootHash = range.root();
  const logRoot = encodeLogRoot({ size: range.size, rootHash, timestamp, revision });
  return {
    revision,
    size: range.size,
    rootHash,
    timestamp,
    compactRange: range.hashes(),
    logRoot,
    signature: signer.sign(logRootSigningInput(logRoot)),
  };
}

/**
 * Checks that a stored head is self-consistent and signed by `key`: the
 * LogRoot matches the columns, the compact range folds to the root, and the
 * signature verifies. Throws LogError CORRUPT-class codes otherwise.
 */
export function checkHead(head: TreeHead, key: PublicKey): void {
  const r = decodeLogRoot(head.logRoot);
  if (r.size !== head.size || !r.rootHash.equals(head.rootHash) || r.timestamp !== head.timestamp || r.revision !== head.revision) {
    throw new LogError('INCONSISTENT_ROOT', `stored head ${head.revision} disagrees with its signed LogRoot`);
  }
  if (!CompactRange.fromHashes(head.size, head.compactRange).root().equals(head.rootHash)) {
    throw new LogError('INCONSISTENT_ROOT', `stored head ${head.revision}: compact range does not fold to the root`);
  }
  if (!verifySignature(key, logRootSigningInput(head.logRoot), head.signature)) {
    throw new LogError('WRONG_KEY', `stored head ${head.revision}: signature does not verify with the tree key`);
  }
}
