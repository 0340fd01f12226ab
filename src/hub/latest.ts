/**
 * get-latest-for-src kept in storage (specs/gossip-hub.md §1.7, fixed): a
 * new entry gets its source id as leaf label only if it is later than the
 * source's current latest by the original's `entryIsLater` rule (blob.ts
 * `orderKey`); the answer is then `LogStorage.latestLeafByLabel`, the same
 * for every frontend and after restarts.
 *
 * Concurrency:
 * - Within a process the decision is exact: `#mem` (the order key of the
 *   newest entry this process labelled, per source) is compared and updated
 *   in the same synchronous run that calls the queue function, so labels
 *   follow queue order (Log.queueLeaves is FIFO).
 * - Across frontends, two submissions that race within one storage read
 *   (plus READ_REUSE_MS) can both be labelled; the later-queued one answers
 *   until the next later entry. Closing that window needs a compare-and-set
 *   in storage, which the core's storage contract does not offer.
 */
import type { Log } from '../log/index.ts';
import { decodeHubTimestampedEntry } from '../codec/index.ts';
import { isLater, orderKey, parseBlob } from './blob.ts';
import type { TrackedSource } from './source.ts';

/**
 * How long a finished latest-by-label read is reused, ms: under a burst from
 * one source, one storage read serves the requests of a few milliseconds.
 */
const READ_REUSE_MS = 2;

export class LatestLabels {
  readonly #log: Pick<Log, 'getLatestByLabel'>;
  readonly #mem = new Map<string, readonly bigint[]>();
  readonly #reads = new Map<string, { read: Promise<StoredRead>; doneAt: number | null }>();

  constructor(log: Pick<Log, 'getLatestByLabel'>) {
    this.#log = log;
  }

  /**
   * Decides the label of a new entry of `source` whose sort key is `order`
   * (null: kinds ordered by hub timestamp, always labelled) and calls
   * `queue(label)` synchronously with the decision. Resolves with queue's result.
   */
  async queue<T>(source: TrackedSource, order: readonly bigint[] | null, queue: (label: string | null) => Promise<T>): Promise<T> {
    if (order === null) return queue(source.id);
    const read = await this.#stored(source);
    // From here to the queue call: synchronous.
    const storedKey = read.key;
    const mem = this.#mem.get(source.id) ?? null;
    const best = storedKey && mem ? (isLater(storedKey, mem) ? storedKey : mem) : (storedKey ?? mem);
    const label = best && !isLater(order, best) ? null : source.id;
    if (label !== null) this.#mem.set(source.id, order);
    try {
      return await queue(label);
    } catch (err) {
      if (label !== null) {
        // Unknown outcome: decide from a fresh storage read next time.
        this.#mem.delete(source.id);
        this.#reads.delete(source.id);
      }
      throw err;
    }
  }

  /** The stored latest of a source with its order key, parsed once per read and shared (see READ_REUSE_MS). */
  #stored(source: TrackedSource): Promise<StoredRead> {
    const now = performance.now();
    const hit = this.#reads.get(source.id);
    if (hit && (hit.doneAt === null || now - hit.doneAt < READ_REUSE_MS)) return hit.read;
    const entry: { read: Promise<StoredRead>; doneAt: number | null } = {
      read: this.#log.getLatestByLabel(source.id).then((leaf) => ({ key: leaf ? storedOrderKey(source, leaf.value) : null })),
      doneAt: null,
    };
    entry.read.then(
      () => {
        entry.doneAt = performance.now();
      },
      () => this.#reads.delete(source.id),
    );
    this.#reads.set(source.id, entry);
    return entry.read;
  }
}

interface StoredRead {
  /** Order key of the stored latest entry; null when there is none (or it does not parse). */
  readonly key: readonly bigint[] | null;
}

/** §1.7: an unparsable previous entry is always replaced (null sorts first). */
function storedOrderKey(source: TrackedSource, value: Buffer): readonly bigint[] | null {
  try {
    const e = decodeHubTimestampedEntry(value);
    return orderKey(parseBlob(source, e.blobData), e.hubTimestamp);
  } catch {
    return null;
  }
}
