/**
 * The messages seen recently, by identity (hex SHA-256 of log id and
 * gossip-data), with what validation said, so that a message is verified
 * once however often it arrives, and a transport's repeat is not forwarded to
 * the peers again (which also ends loops between services). Bounded by count:
 * the oldest identity is forgotten first (Map insertion order).
 *
 * Concurrency: synchronous; the service's event-loop turns only.
 */
export class RecentSet<V> {
  readonly #max: number;
  readonly #map = new Map<string, V>();

  constructor(max: number) {
    this.#max = max;
  }

  get size(): number {
    return this.#map.size;
  }

  get(key: string): V | undefined {
    return this.#map.get(key);
  }

  /** Remembers `key` (as the newest); forgets the oldest beyond the bound. */
  set(key: string, value: V): void {
    this.#map.delete(key);
    this.#map.set(key, value);
    if (this.#map.size > this.#max) {
      const oldest = this.#map.keys().next().value;
      if (oldest !== undefined) this.#map.delete(oldest);
    }
  }
}
