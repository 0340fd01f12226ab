/**
 * Proofs served through Log + Sequencer + SQLite at the tile boundaries of
 * c2sp.org/tlog-tiles (width 256: sizes and indexes 255/256/257 for level-0
 * tiles, 65535/65536/65537 for level-1 tiles), checked against the literal
 * RFC 6962 §2.1.1/§2.1.2 reference in test/merkle/reference.ts.
 *
 * The tree is grown to each boundary size in turn and proofs are asked for
 * while that size is the latest one, so the right-edge tiles are partial and
 * the tile cache holds narrower versions from the step before. Each step uses
 * a fresh Sequencer (so it reloads the edge tiles from storage), and one step
 * is taken by a second sequencer so that the first loses the compare-and-swap
 * and has to reload after the CONFLICT.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isError } from '../../src/errors.ts';
import { Log, Sequencer, StorageError } from '../../src/log/index.ts';
import { hashLeaf } from '../../src/merkle/index.ts';
import { openStorage } from '../../src/storage/index.ts';
import { refPath, refProof, refRoot } from '../merkle/reference.ts';
import { newSigner } from '../support/keys.ts';
import { drain, leafValue } from './fixtures.ts';

const hexes = (hs: Buffer[]) => hs.map((h) => h.toString('hex'));

describe('proofs at tile boundaries through Log + Sequencer + SQLite', () => {
  it('match the RFC 6962 reference for sizes and indexes 255/256/257 and 65535/65536/65537', { timeout: 120_000 }, async () => {
    const storage = await openStorage('sqlite::memory:');
    const signer = newSigner();
    await Log.create(storage, 'edges', 'log', signer, 1_000);
    const log = await Log.open(storage, 'edges', signer);
    const leaves: Buffer[] = [];
    const seq = () => new Sequencer({ storage, tree: log.tree, signer, batchSize: 4096, maxRootAgeMs: 0 });

    /** Queues leaves up to `size` and sequences them with a sequencer that starts from stored state. */
    async function growTo(size: number, s = seq()): Promise<void> {
      for (let at = leaves.length; at < size; at += 5000) {
        const n = Math.min(5000, size - at);
        await log.queueLeaves(Array.from({ length: n }, (_, i) => ({ value: leafValue(at + i) })));
      }
      while (leaves.length < size) leaves.push(hashLeaf(leafValue(leaves.length)));
      await drain(s);
      const head = await log.latestHead();
      assert.equal(head.size, size);
      assert.ok(head.rootHash.equals(refRoot(leaves)), `root at size ${size}`);
    }

    async function checkInclusion(index: number, size: number): Promise<void> {
      const got = await log.getInclusionProof(index, size);
      assert.deepEqual(hexes(got), hexes(refPath(index, leaves.slice(0, size))), `inclusion of ${index} in ${size}`);
    }

    async function checkConsistency(size1: number, size2: number): Promise<void> {
      const got = await log.getConsistencyProof(size1, size2);
      assert.deepEqual(hexes(got), hexes(refProof(size1, leaves.slice(0, size2))), `consistency ${size1} → ${size2}`);
    }

    // Level-0 tile boundary: the right edge goes 255 (partial) → 256 (full, next empty) → 257.
    const small = [0, 1, 127, 128, 254, 255, 256];
    let sequencerA: Sequencer | null = null;
    for (const size of [255, 256, 257]) {
      if (size === 257) {
        // Another sequencer takes this step; A's cached state (size 256) is now stale.
        await growTo(257);
      } else {
        sequencerA = seq();
        await growTo(size, sequencerA);
      }
      for (const i of small.filter((x) => x < size)) await checkInclusion(i, size);
      for (const s1 of small.filter((x) => x >= 1 && x <= size)) await checkConsistency(s1, size);
      for (const s2 of [255, 256].filter((x) => x < size)) await checkConsistency(s2 - 1, s2);
    }

    // The stale sequencer loses the compare-and-swap once, then reloads the edge tiles and goes on.
    await log.queueLeaves([{ value: leafValue(257) }]);
    leaves.push(hashLeaf(leafValue(257)));
    await assert.rejects((sequencerA as Sequencer).runOnce(), (e) => isError(e, StorageError, 'CONFLICT'));
    assert.equal(await (sequencerA as Sequencer).runOnce(), 1);
    await checkInclusion(257, 258);
    await checkConsistency(256, 258);

    // Level-1 tile boundary: 65535 → 65536 → 65537, each step from a freshly loaded sequencer.
    await growTo(65535);
    await checkInclusion(65534, 65535);
    await growTo(65536);
    await checkInclusion(65535, 65536);
    await checkConsistency(65535, 65536);
    await growTo(65537);
    for (const i of [255, 256, 65535, 65536]) await checkInclusion(i, 65537);
    for (const s1 of [255, 256, 257, 65535, 65536]) await checkConsistency(s1, 65537);

    // A cold cache (a new Log) serves the same proofs as the warm one.
    const cold = await Log.open(storage, 'edges', null);
    for (const [i, size] of [
      [65534, 65535],
      [65536, 65537],
      [256, 65536],
    ]) {
      assert.deepEqual(hexes(await cold.getInclusionProof(i, size)), hexes(await log.getInclusionProof(i, size)));
    }
    assert.deepEqual(hexes(await cold.getConsistencyProof(257, 65537)), hexes(await log.getConsistencyProof(257, 65537)));
    await storage.close();
  });
});
