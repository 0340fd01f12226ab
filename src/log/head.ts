/**
 * Building and checking signed heads: the core's LogRoot, signed with the
 * tree key over LOG_ROOT_DOMAIN || LogRootV1.
 */
import type { PublicKey, Signer } from '../crypto/index.ts';
import { verifySignature } from '../crypto/index.ts';
import { CompactRange } from '../merkle/index.ts';
import { LogError } from './errors.ts';
import { decodeLogRoot, encodeLogRoot, type LogRoot, logRootSigningInput } from './log-root.ts';
import type { StoredHead } from './storage.ts';

export function signHead(signer: Signer, range: CompactRange, timestamp: number, revision: number): StoredHead {
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
 * LogRoot decodes and matches the columns, the compact range has the shape
 * its size wants and folds to the root, and the signature verifies. Throws
 * LogError INCONSISTENT_ROOT or WRONG_KEY otherwise: both are fatal to the
 * sequencer, which must not sign over a damaged head. (A decoding failure is
 * damage here, not a bad request, so it is reported as INCONSISTENT_ROOT.)
 */
export function checkHead(head: StoredHead, key: PublicKey): void {
  let r: LogRoot;
  try {
    r = decodeLogRoot(head.logRoot);
  } catch (err) {
    throw new LogError('INCONSISTENT_ROOT', `stored head ${head.revision}: its LogRoot does not decode`, { cause: err });
  }
  if (r.size !== head.size || !r.rootHash.equals(head.rootHash) || r.timestamp !== head.timestamp || r.revision !== head.revision) {
    throw new LogError('INCONSISTENT_ROOT', `stored head ${head.revision} disagrees with its signed LogRoot`);
  }
  let range: CompactRange;
  try {
    range = CompactRange.fromHashes(head.size, head.compactRange);
  } catch (err) {
    throw new LogError('INCONSISTENT_ROOT', `stored head ${head.revision}: compact range does not fit size ${head.size}`, { cause: err });
  }
  if (!range.root().equals(head.rootHash)) {
    throw new LogError('INCONSISTENT_ROOT', `stored head ${head.revision}: compact range does not fold to the root`);
  }
  if (!verifySignature(key, logRootSigningInput(head.logRoot), head.signature)) {
    throw new LogError('WRONG_KEY', `stored head ${head.revision}: signature does not verify with the tree key`);
  }
}
