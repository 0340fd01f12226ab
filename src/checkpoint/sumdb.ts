/**
 * The Go checksum database tree note (golang.org/x/mod/sumdb/tlog
 * `ParseTree`/`FormatTree`): a checkpoint whose origin is the fixed line
 * "go.sum database tree". Unlike `parseCheckpoint`, and for forwards
 * compatibility as upstream says, anything after the third line is ignored,
 * even an unterminated line.
 */

import { formatCheckpoint, parseCheckpoint, SHA256_SIZE } from './checkpoint.ts';
import { CheckpointError } from './errors.ts';

export const SUMDB_ORIGIN = 'go.sum database tree';

export interface SumdbTree {
  readonly size: number;
  readonly hash: Buffer;
}

/** Go `tlog.ParseTree`. Throws CheckpointError (BAD_ORIGIN for any other origin). */
export function parseSumdbTree(text: string): SumdbTree {
  // strings.SplitN(text, "\n", 4): the three lines must each end in "\n"; the rest is ignored.
  const parts = text.split('\n');
  if (parts.length < 4) throw new CheckpointError('MALFORMED', `got ${parts.length - 1} complete lines, want at least 3`);
  const cp = parseCheckpoint(`${parts.slice(0, 3).join('\n')}\n`, { origin: SUMDB_ORIGIN, hashSize: SHA256_SIZE });
  return Object.freeze({ size: cp.size, hash: cp.rootHash });
}

/** Go `tlog.FormatTree`. */
export function formatSumdbTree(tree: SumdbTree): string {
  return formatCheckpoint({ origin: SUMDB_ORIGIN, size: tree.size, rootHash: tree.hash, extensions: [] });
}
