/**
 * get-latest-for-src kept in storage (specs/gossip-hub.md §1.7, fixed): the
 * answer is `LogStorage.latestLeafByLabel(source id)`, the same for every
 * frontend on the database and after restarts, and exact across frontends.
 *
 * How: every labelled entry carries a label rank (blob.ts `labelRank`): its
 * order key (§1.7 `entryIsLater`) as fixed-width big-endian fields, then the
 * inverted hub timestamp. Storage answers the greatest rank, so the answer
 * is a function of the stored leaves alone: no matter which frontend
 * labelled what, or in which order their writes committed, it is the entry
 * with the greatest order key and, among entries with that key, the one with
 * the earliest hub timestamp ("equal keys are not later: the first such
 * entry stays"). The window of the old design (two frontends both label; the
 * later-QUEUED one answered even when not the later one) is closed without a
 * compare-and-set in storage.
 *
 * Not every entry is labelled: an entry that is not later than an entry
 * already known to be stored and labelled is queued without a label, which
 * keeps the label index to the entries that were ever the latest. That is
 * still exact: the answer is the max over labelled leaves, and an unlabelled
 * entry E was skipped only because a stored labelled leaf S had
 * key(S) ≥ key(E); the answer ranks at least as high as S, so its key is
 * ≥ key(E), and if the keys are equal S (or an equal-keyed leaf with an even
 * earlier hub timestamp) was there before E was decided, so E is not the
 * first of its key. Hence: skipping never loses the answer; labelling too
 * much only costs index space. "Known stored" means read from storage, or
 * returned by a queue call that resolved (durable) with the leaf labelled;
 * an in-flight or failed queue call never justifies a skip, since its leaf
 * may never be stored. Concurrent decisions need no serialization.
 *
 * Storage is read only until the process knows a stored, labelled key of
 * the source (its first entries after a start): from then on, what it knows
 * decides, with no read per submission. Another frontend's later entries
 * are then not seen, so this frontend may label entries that a read would
 * have let it skip: index space, never a wrong answer.
 *
 * Kinds ordered by hub timestamp (UNKNOWN) are always labelled: their rank
 * alone orders them, with no read before the queue call.
 *
 * Upgrades: leaves labelled before storage migration 2 have the empty rank,
 * below any ranked leaf. A ranked leaf is labelled only when later than the
 * stored answer, so an answer that was right before the upgrade stays right.
 */
import { decodeHubTimestampedEntry } from '../../codec/index.ts';
import { isLater, isOrderedKind, labelRank, orderKey, type ParsedBlob, parseBlob } from '../../hub/blob.ts';
import type { TrackedSource } from '../../hub/source.ts';
import type { Log, StoredLeaf } from '../../log/index.ts';

/**
 * How long a finished latest-by-label read is reused, ms: under a burst from
 * one source, one storage read serves the requests of a few milliseconds.
 * A stale read can only make us label more, never less (see above).
 */
const READ_REUSE_MS = 2;

/** What the queue callback passes to Log.queueLeaf: a label and its rank, or neither. */
export interface Labelling {
  readonly label: string | null;
  readonly labelRank?: Buffer;
}

/** The part of a queue result LatestLabels learns from. */
interface Queued {
  readonly leaf: Pick<StoredLeaf, 'label'>;
}

export class LatestLabels {
  readonly #log: Pick<Log, 'getLatestByLabel'>;
  /**
   * Per source, the greatest order key of a leaf this process knows to be
   * stored with its label. Only grows; written after a queue call resolves.
   */
  readonly #known = new Map<string, readonly bigint[]>();
  readonly #reads = new Map<string, { read: Promise<StoredRead>; doneAt: number | null }>();

  constructor(log: Pick<Log, 'getLatestByLabel'>) {
    this.#log = log;
  }

  /**
   * Decides the label of a new entry of `source` (its blob parsed as
   * `parsed`, stamped `hubTimestamp` ns) and calls `queue` with it. Resolves
   * with queue's result.
   */
  async queue<T extends Queued>(
    source: TrackedSource,
    parsed: ParsedBlob,
    hubTimestamp: bigint,
    queue: (labelling: Labelling) => Promise<T>,
  ): Promise<T> {
    const key = orderKey(parsed, hubTimestamp);
    const labelled: Labelling = { label: source.id, labelRank: labelRank(key, hubTimestamp) };
    if (!isOrderedKind(source.kind)) return queue(labelled);
    // Storage is read only while this process knows nothing of the source (after a start): a read's answer is
    // stored and labelled, so it is learnt like a queue result, and later decisions need no read at all.
    let best = this.#known.get(source.id) ?? null;
    if (best === null) {
      const stored = (await this.#stored(source)).key;
      if (stored) this.#learn(source.id, stored);
      best = this.#known.get(source.id) ?? null;
    }
    const skip = best !== null && !isLater(key, best);
    const result = await queue(skip ? { label: null } : labelled);
    // A duplicate answers the stored original, with the same blob and so the same key.
    if (result.leaf.label === source.id) this.#learn(source.id, key);
    return result;
  }

  #learn(sourceId: string, key: readonly bigint[]): void {
    const known = this.#known.get(sourceId);
    if (!known || isLater(key, known)) this.#known.set(sourceId, key);
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
