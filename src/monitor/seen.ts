/**
 * A verified head as the monitor holds it: the facts it was judged on and
 * the signed form it will go into evidence in. Pure.
 */
import type { SignedHead } from '../evidence/index.ts';

export interface Seen {
  readonly size: number;
  readonly root: Buffer;
  /** Signed timestamp, ns since the epoch (as evidence/open.ts: the hub's unit, so deadlines compare unrounded); null when the encoding signs none (plain checkpoints). */
  readonly timeNs: bigint | null;
  readonly head: SignedHead;
  /** True when the log itself served it as its latest (an own poll), not relayed by a hub or a peer. */
  readonly latest: boolean;
  /** When this observer received it, ms since the epoch (orders the log's claims of "latest"). */
  readonly observedAtMs: number;
}
