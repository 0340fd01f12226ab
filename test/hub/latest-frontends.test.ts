/**
 * get-latest-for-src across several frontends on one database (latest.ts):
 * two HubService instances, each with its own Log over the shared storage,
 * race submissions from one source. The interleavings are forced, not timed:
 * each frontend's storage reads (latestLeafByLabel) can be parked after
 * they have read, and released one frontend at a time, so both decide from
 * the same stored latest and then queue in a chosen order. Before label
 * ranks, the later-queued entry answered in each of these races.
 *
 * Runs on a SQLite file, and on PostgreSQL when GRAPEVINE_TEST_PG_URL is set.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { decodeHubTimestampedEntry, decodeTreeHeadSignature, encodeTreeHeadSignature } from '../../src/codec/index.ts';
import type { Signer } from '../../src/crypto/index.ts';
import { isError } from '../../src/errors.ts';
import { makeSource } from '../../src/hub/index.ts';
import { INTERNAL_CLIENT, type LeafInput, Log, type LogStorage, StorageError } from '../../src/log/index.ts';
import { HubService } from '../../src/personalities/hub/index.ts';
import { openStorage } from '../../src/storage/index.ts';
import { createTestDatabase, pgSkip, type TestDatabase } from '../storage/pg-harness.ts';
import { newSigner } from '../support/keys.ts';
import { tempDbUrl } from './fixtures.ts';

/** Parks reads while armed, after they have read, until released. */
class ReadGate {
  armed = false;
  readonly #parked: (() => void)[] = [];
  readonly #watchers: (() => void)[] = [];

  async hold<T>(value: T): Promise<T> {
    if (!this.armed) return value;
    await new Promise<void>((resolve) => {
      this.#parked.push(resolve);
      for (const w of this.#watchers.splice(0)) w();
    });
    return value;
  }

  /** Resolves once `n` reads are parked. */
  async parked(n: number): Promise<void> {
    while (this.#parked.length < n) await new Promise<void>((r) => this.#watchers.push(r));
  }

  release(): void {
    this.armed = false;
    for (const r of this.#parked.splice(0)) r();
  }
}

/** The shared storage as one frontend sees it: its latestLeafByLabel reads go through `gate`. */
function gated(storage: LogStorage, gate: ReadGate): LogStorage {
  return new Proxy(storage, {
    get(target, prop) {
      if (prop === 'latestLeafByLabel') {
        return async (treeId: number, label: string) => gate.hold(await target.latestLeafByLabel(treeId, label));
      }
      const v = Reflect.get(target, prop);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}

interface Frontend {
  readonly hub: HubService;
  readonly log: Log;
  readonly gate: ReadGate;
  /** Every leaf input this frontend queued, in call order. */
  readonly queued: LeafInput[];
  /** This frontend's clock, ms (its hub timestamps). */
  readonly clock: { ms: number };
}

const ROOT = (tag: string) => createHash('sha256').update(tag).digest();

interface Setup {
  readonly storage: LogStorage;
  readonly own: Signer;
  frontends(n: number): Promise<Frontend[]>;
}

let trees = 0;

async function setup(storage: LogStorage): Promise<Setup> {
  const key = newSigner();
  const own = newSigner();
  const name = `race-${trees++}`;
  await Log.create(storage, name, 'hub', key);
  const sources = [
    makeSource({ id: 'o', kind: 'RFC6962STH', publicKey: own.publicKey }),
    makeSource({ id: 'u', kind: 'UNKNOWN', publicKey: own.publicKey }),
  ];
  return {
    storage,
    own,
    async frontends(n) {
      return Promise.all(
        Array.from({ length: n }, async (_, i) => {
          const gate = new ReadGate();
          const log = await Log.open(gated(storage, gate), name, key);
          const queued: LeafInput[] = [];
          const queueLeaf = log.queueLeaf.bind(log);
          log.queueLeaf = (input) => {
            queued.push(input);
            return queueLeaf(input);
          };
          const clock = { ms: 1_700_000_000_000 + i * 1000 };
          const hub = new HubService({ prefix: `f${i}`, log, signer: key, sources, clock: () => clock.ms });
          return { hub, log, gate, queued, clock };
        }),
      );
    },
  };
}

/** An STH of the source's log with this size (and source timestamp and root, when a test needs equal keys). */
function sth(s: Setup, size: number, timestamp = 1_600_000_000_000 + size, root = ROOT(`root ${size}`)) {
  const blobData = encodeTreeHeadSignature({ timestamp, treeSize: size, sha256RootHash: root });
  return { sourceId: 'o', blobData, srcSignature: s.own.sign(blobData) };
}

function unknownBlob(s: Setup, text: string) {
  const blobData = Buffer.from(text);
  return { sourceId: 'u', blobData, srcSignature: s.own.sign(blobData) };
}

async function latest(f: Frontend, sourceId: string) {
  const value = await f.hub.processGetLatestForSource({ sourceId }, INTERNAL_CLIENT);
  assert.ok(value, `source ${sourceId} has a latest entry`);
  return decodeHubTimestampedEntry(value);
}

const latestSize = async (f: Frontend) => decodeTreeHeadSignature((await latest(f, 'o')).blobData).treeSize;

/**
 * A and B both decide from the same stored latest: their reads are parked
 * until both have read; then `first` queues (to completion) before the other.
 */
async function race(a: Frontend, b: Frontend, first: 'a' | 'b', subA: ReturnType<typeof sth>, subB: ReturnType<typeof sth>) {
  a.gate.armed = true;
  b.gate.armed = true;
  const pa = a.hub.processAddSignedBlob(subA, INTERNAL_CLIENT);
  const pb = b.hub.processAddSignedBlob(subB, INTERNAL_CLIENT);
  await Promise.all([a.gate.parked(1), b.gate.parked(1)]);
  const [x, y, px, py] = first === 'a' ? [a, b, pa, pb] : [b, a, pb, pa];
  x.gate.release();
  await px;
  y.gate.release();
  await py;
  // Both labelled (each saw only the older stored latest): storage alone must pick.
  assert.ok(a.queued.at(-1)?.label === 'o' && b.queued.at(-1)?.label === 'o', 'both racers labelled their entry');
}

function suite(backend: string, open: () => Promise<LogStorage>): void {
  describe(`get-latest-for-src across frontends (${backend})`, () => {
    let storage: LogStorage;
    before(async () => {
      storage = await open();
    });
    after(async () => storage.close());

    for (const first of ['a', 'b'] as const) {
      it(`answers size 9 when A (9) and B (7) both read size 5 and ${first === 'a' ? 'A' : 'B'} queues first`, {
        timeout: 20_000,
      }, async () => {
        const s = await setup(storage);
        const [seed, a, b] = await s.frontends(3);
        await seed.hub.processAddSignedBlob(sth(s, 5), INTERNAL_CLIENT);
        await race(a, b, first, sth(s, 9), sth(s, 7));
        for (const f of [a, b, seed]) assert.equal(await latestSize(f), 9);
        // A later submission that is not later (8 < 9) leaves the answer alone. Whether B labels it
        // depends on whether it reuses its read from the race (READ_REUSE_MS): either way is exact.
        await b.hub.processAddSignedBlob(sth(s, 8), INTERNAL_CLIENT);
        for (const f of [a, b, seed]) assert.equal(await latestSize(f), 9);
      });
    }

    for (const first of ['a', 'b'] as const) {
      it(`keeps the entry stamped first of two with equal keys, queued ${first === 'a' ? 'first' : 'last'}`, {
        timeout: 20_000,
      }, async () => {
        const s = await setup(storage);
        const [seed, a, b] = await s.frontends(3);
        await seed.hub.processAddSignedBlob(sth(s, 5), INTERNAL_CLIENT);
        // Same size and source timestamp, different roots (a split view): equal order keys, different entries.
        const subA = sth(s, 8, 1_600_000_000_123, ROOT('left'));
        const subB = sth(s, 8, 1_600_000_000_123, ROOT('right'));
        a.clock.ms = 1_700_000_000_000; // A stamps earlier: A's entry is the first
        b.clock.ms = 1_700_000_001_000;
        await race(a, b, first, subA, subB);
        const got = await latest(b, 'o');
        assert.ok(decodeTreeHeadSignature(got.blobData).sha256RootHash.equals(ROOT('left')), 'the entry A stamped first');
        assert.equal(got.hubTimestamp, 1_700_000_000_000n * 1_000_000n);
      });
    }

    it('answers the larger hub timestamp for UNKNOWN blobs, not the later-queued one', { timeout: 20_000 }, async () => {
      const s = await setup(storage);
      const [a, b] = await s.frontends(2);
      a.clock.ms = 1_700_000_005_000; // A's clock runs ahead of B's
      b.clock.ms = 1_700_000_001_000;
      await a.hub.processAddSignedBlob(unknownBlob(s, 'from A'), INTERNAL_CLIENT);
      await b.hub.processAddSignedBlob(unknownBlob(s, 'from B'), INTERNAL_CLIENT);
      for (const f of [a, b]) assert.equal((await latest(f, 'u')).blobData.toString(), 'from A');
    });

    it('never skips a label because of an entry whose queue call is still in flight (it may fail)', { timeout: 20_000 }, async () => {
      const s = await setup(storage);
      const [seed, a] = await s.frontends(2);
      await seed.hub.processAddSignedBlob(sth(s, 5), INTERNAL_CLIENT);
      // A's first queue call is held, then fails without storing anything (e.g. the database went away).
      const queueLeaf = a.log.queueLeaf;
      let fail!: () => void;
      const failed = new Promise<void>((r) => {
        fail = r;
      });
      a.log.queueLeaf = async (input) => {
        if (a.queued.length > 0) return queueLeaf(input);
        a.queued.push(input);
        await failed;
        throw new StorageError('UNAVAILABLE', 'test: the write was lost');
      };
      const p9 = a.hub.processAddSignedBlob(sth(s, 9), INTERNAL_CLIENT);
      await until(() => a.queued.length === 1);
      assert.equal(a.queued[0].label, 'o');
      const p7 = a.hub.processAddSignedBlob(sth(s, 7), INTERNAL_CLIENT);
      await until(() => a.queued.length === 2);
      assert.equal(a.queued[1].label, 'o', 'size 7 is labelled: size 9 is not known to be stored');
      fail();
      await assert.rejects(p9, (e) => isError(e, StorageError, 'UNAVAILABLE'));
      await p7;
      assert.equal(await latestSize(a), 7);
    });
  });
}

/** Waits (by event-loop turns, not time) until `cond` holds. */
async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; !cond(); i++) {
    if (i > 10_000) throw new Error('until: condition never held');
    await new Promise((r) => setImmediate(r));
  }
}

suite('SQLite file', () => openStorage(tempDbUrl()));

if (!pgSkip('test/hub/latest-frontends.test.ts')) {
  let db: TestDatabase;
  before(async () => {
    db = await createTestDatabase('gv_hub_latest');
  });
  after(async () => db.drop());
  suite('PostgreSQL', async () => openStorage(await db.freshSchema()));
}
