import { GrapevineError } from '../errors.ts';

export type TilesErrorCode =
  /** A tile path that is not canonical (c2sp.org/tlog-tiles §Merkle Tree): bad level, index groups, width. */
  | 'BAD_PATH'
  /** A tile or bundle whose bytes do not have the length or structure its path says. */
  | 'BAD_TILE'
  /** A node or range the tree of the given size does not have. */
  | 'OUT_OF_RANGE'
  /** The server answered another status, or could not be reached. */
  | 'HTTP'
  /** The tiles do not rebuild the tree the checkpoint signs, or disagree between levels. */
  | 'MISMATCH';

/** A tile path, a tile's content or a tiled log that does not check out. */
export class TilesError extends GrapevineError<TilesErrorCode> {
  /** HTTP status for code HTTP (0 when unreachable). */
  readonly status: number;
  constructor(code: TilesErrorCode, message: string, options?: { cause?: unknown; status?: number }) {
    super(code, message, options);
    this.status = options?.status ?? 0;
  }
}
