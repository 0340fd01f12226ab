/**
 * Reading a log's tree through its own API, for the auditor: leaf hashes of
 * a range, inclusion proofs, consistency proofs. One interface, three
 * adapters (RFC 6962 §4, the hub's /gossip/v0/, and the hash tiles of a
 * tiled log, c2sp.org/tlog-tiles), so the auditor's decisions are written
 * once. Nothing read here is trusted: every caller verifies against a signed
 * root.
 */
import type { CtClient } from '../ct/index.ts';
import type { HubClient } from '../hub/index.ts';
import { hashLeaf, inclusionPlan } from '../merkle/index.ts';
import type { TlogTilesClient } from '../tiles/index.ts';
import { MonitorError } from './errors.ts';
import { asMonitorError } from './observe.ts';

export interface TreeReader {
  /** Leaf hashes [start, end), paging as the server allows. Throws MonitorError. */
  leafHashes(start: number, end: number): Promise<Buffer[]>;
  /** Leaf `index` of the tree of `size` and its audit path. */
  inclusionAt(index: number, size: number): Promise<{ leafHash: Buffer; path: readonly Buffer[] }>;
  /** The audit path of `leafHash` in the tree of `size`, or null when the server says it has no such leaf. */
  proveByHash(leafHash: Buffer, size: number): Promise<{ index: number; path: readonly Buffer[] } | null>;
  consistency(m: number, n: number): Promise<Buffer[]>;
}

async function pages<T>(start: number, end: number, fetchPage: (s: number, e: number) => Promise<T[]>): Promise<T[]> {
  const out: T[] = [];
  while (start + out.length < end) {
    const s = start + out.length;
    const got = await fetchPage(s, end - 1);
    if (got.length === 0) throw new MonitorError('BAD_RESPONSE', `get-entries returned nothing at ${s} of [${start}, ${end})`);
    out.push(...got.slice(0, end - s));
  }
  return out;
}

const is404 = (err: unknown) => (err as { status?: number }).status === 404;

/** Runs a read of the server at `url`, its failures as MonitorErrors naming the server and what was read. */
function wrapper(url: string) {
  return async <T>(what: string, f: () => Promise<T>): Promise<T> => {
    try {
      return await f();
    } catch (err) {
      throw asMonitorError(err, `${url} ${what}`);
    }
  };
}

export function ctTreeReader(c: CtClient): TreeReader {
  const wrap = wrapper(c.url);
  return {
    leafHashes: (start, end) =>
      wrap('get-entries', () => pages(start, end, async (s, e) => (await c.getEntries(s, e)).map((x) => hashLeaf(x.leafInput)))),
    inclusionAt: (index, size) =>
      wrap('get-entry-and-proof', async () => {
        const r = await c.getEntryAndProof(index, size);
        return { leafHash: hashLeaf(r.leafInput), path: r.auditPath };
      }),
    proveByHash: (leafHash, size) =>
      wrap('get-proof-by-hash', async () => {
        try {
          const p = await c.getProofByHash(leafHash, size);
          return { index: p.leafIndex, path: p.auditPath };
        } catch (err) {
          // RFC 6962 §4.5 names no status for an unknown hash; CTFE answers 404, others 400.
          if (is404(err) || (err as { status?: number }).status === 400) return null;
          throw err;
        }
      }),
    consistency: (m, n) => wrap('get-sth-consistency', () => c.getSthConsistency(m, n)),
  };
}

export function hubTreeReader(c: HubClient): TreeReader {
  const wrap = wrapper(c.url);
  const leafHashes = (start: number, end: number) =>
    wrap('get-entries', () => pages(start, end, async (s, e) => (await c.getEntries(s, e)).map((x) => x.leafHash)));
  return {
    leafHashes,
    inclusionAt: async (index, size) => {
      const [leafHash] = await leafHashes(index, index + 1);
      const p = await wrap('get-proof-by-hash', () => c.getProofByHash(leafHash, size));
      return { leafHash, path: p.auditPath };
    },
    proveByHash: (leafHash, size) =>
      wrap('get-proof-by-hash', async () => {
        try {
          const p = await c.getProofByHash(leafHash, size);
          return { index: p.leafIndex, path: p.auditPath };
        } catch (err) {
          if (is404(err)) return null;
          throw err;
        }
      }),
    consistency: (m, n) => wrap('get-sth-consistency', () => c.getConsistency(m, n)),
  };
}

/**
 * A tiled log's tree from its hash tiles: level-0 tiles hold the leaf
 * hashes, and every proof is folded from the tiles of the tree of the size
 * asked for (tiles/reader.ts). A tiled log has no index of leaf hashes, so
 * `proveByHash` cannot be answered (a MonitorError, never "no such leaf":
 * only a log that says so shows a promise absent). Each call reads through
 * a fresh reader, so nothing read is held past the call.
 */
export function tilesTreeReader(c: TlogTilesClient): TreeReader {
  const wrap = wrapper(c.url);
  const leafHashes = (start: number, end: number) =>
    wrap('leaf tiles', () =>
      c.reader().nodeHashes(
        end,
        Array.from({ length: end - start }, (_, i) => ({ level: 0, index: start + i })),
      ),
    );
  return {
    leafHashes,
    inclusionAt: (index, size) =>
      wrap('tiles for an inclusion proof', async () => {
        const r = c.reader();
        const [[leafHash], path] = await Promise.all([
          r.nodeHashes(size, [{ level: 0, index }]),
          r.rangeHashes(size, inclusionPlan(index, size)),
        ]);
        return { leafHash, path };
      }),
    proveByHash: async () => {
      throw new MonitorError('UNSUPPORTED', `${c.url}: a tiled log cannot be asked for a leaf by its hash`);
    },
    consistency: (m, n) => wrap('tiles for a consistency proof', () => c.reader().consistencyProof(m, n)),
  };
}
