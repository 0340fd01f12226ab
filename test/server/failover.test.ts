/**
 * Issue 8 §4, the MMD promise under failover (RFC 6962 §3: "the log MUST
 * incorporate a certificate in its Merkle Tree within the Maximum Merge
 * Delay"; an SGT promises the same, specs/gossip-hub.md §2.4). Three
 * `grapevine serve` frontends on one database (PostgreSQL; SQLite, one file)
 * at the tightest MMD src/log/timing.ts accepts take add-chain and add-signed-blob load
 * spread over all of them; the process holding a sequencer lease is killed
 * with SIGKILL mid-load. Then, from the outside only — CtClient and
 * HubClient, every signature and proof verified — every SCT and SGT that was
 * issued must have its entry in a signed tree head whose timestamp is at
 * most the promise's timestamp + MMD.
 *
 * Every figure compared is one the system signed (SCT, SGT and tree head
 * timestamps); the test's own clock only bounds a stuck system. Heads are
 * observed by polling get-sth on the live frontends throughout; the head a
 * promise is checked against is the earliest observed one that includes it,
 * so a missed head can only make the check stricter, never looser.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it, type TestContext } from 'node:test';
import type { SignedCertificateTimestamp, SignedTreeHead } from '../../src/codec/index.ts';
import { CtClient, leafInput, timestampedEntry } from '../../src/ct/index.ts';
import { HubClient, msToNs, nsToMs, type VerifiedSgt, type VerifiedSth } from '../../src/hub/index.ts';
import { minimumMmdMs } from '../../src/log/index.ts';
import { hashLeaf } from '../../src/merkle/index.ts';
import { generateTestKeys, mintLeaf } from '../../src/x509/testca/index.ts';
import { ownSth } from '../hub/fixtures.ts';
import { createTestDatabase, pgSkip, type TestDatabase } from '../storage/pg-harness.ts';
import { grapevine } from '../support/cli.ts';
import { waitUntil } from '../support/wait.ts';
import { Frontend, type Site, SOURCE_ID, tearDown, writeSite } from './frontends.ts';

const FRONTENDS = 3;
/** Concurrent submitters per personality. */
const SUBMITTERS = 3;
/** Promises issued before the kill, and after the takeover, at least. */
const BEFORE_KILL = 40;
const AFTER_TAKEOVER = 40;
const TREES = ['ct', 'hub-hub'];
/** Concurrent get-sth pollers per personality. */
const POLLERS = 2;

interface Sct {
  readonly der: Buffer;
  readonly sct: SignedCertificateTimestamp;
  /** Issued before the leader was killed (its response had arrived). */
  readonly beforeKill: boolean;
}
interface Sgt {
  readonly sgt: VerifiedSgt;
  readonly beforeKill: boolean;
}

/** What the load got: promises, and the submissions that got none (503 refusals, connections cut by the kill). */
class Outcomes {
  readonly scts: Sct[] = [];
  readonly sgts: Sgt[] = [];
  readonly refused = { ct: 0, hub: 0 };
  readonly failed = { ct: 0, hub: 0 };
  killed = false;
  /** A submission answered with something other than a promise, a 503 or a cut connection. */
  error: unknown = null;
  /** Called as each promise arrives, with the frontend that issued it (the kill is triggered here). */
  onPromise: (from: Frontend, tree: string) => void = () => {};
  get promises(): number {
    return this.scts.length + this.sgts.length;
  }
}

/** The live frontends, round robin. */
function picker(fronts: Frontend[]): () => Frontend {
  let n = 0;
  return () => {
    const live = fronts.filter((f) => f.alive);
    if (live.length === 0) throw new Error('no frontend is alive');
    return live[n++ % live.length];
  };
}

/** Submits until `stop()`: add-chain of fresh leaves and add-signed-blob of fresh STHs of the source log. */
function load(site: Site, next: () => Frontend, out: Outcomes, stop: () => boolean): Promise<void> {
  let serial = 0;
  let treeSize = 0;
  const statusOf = (err: unknown) => (err as { status?: number }).status ?? 0;
  const ctWorker = async (keys: CryptoKeyPair) => {
    while (!stop()) {
      const n = serial++;
      const leaf = await mintLeaf(site.root, { keys, dnsNames: [`n${n}.failover.test`] });
      const front = next();
      const ct = new CtClient({ url: front.url, logKey: site.ctKey });
      const beforeKill = !out.killed;
      try {
        const sct = await ct.addChain([leaf.der, site.root.der], false);
        ct.verifySct(sct, { signedEntry: { entryType: 'x509_entry', certificate: leaf.der }, extensions: sct.extensions });
        out.scts.push({ der: leaf.der, sct, beforeKill: beforeKill && !out.killed });
        out.onPromise(front, 'ct');
      } catch (err) {
        if (statusOf(err) === 503) out.refused.ct++;
        else if (statusOf(err) === 0) out.failed.ct++;
        else throw err;
      }
    }
  };
  const hubWorker = async () => {
    while (!stop()) {
      const { blob, signature } = ownSth(site.source, ++treeSize);
      const front = next();
      const hub = new HubClient({ url: `${front.url}/hub`, hubKey: site.hubKey });
      const beforeKill = !out.killed;
      try {
        const sgt = await hub.addSignedBlob(SOURCE_ID, blob, signature);
        out.sgts.push({ sgt, beforeKill: beforeKill && !out.killed });
        out.onPromise(front, 'hub-hub');
      } catch (err) {
        if (statusOf(err) === 503) out.refused.hub++;
        else if (statusOf(err) === 0) out.failed.hub++;
        else throw err;
      }
    }
  };
  const run = async () => {
    const keys = await generateTestKeys();
    await Promise.all([...Array.from({ length: SUBMITTERS }, () => ctWorker(keys)), ...Array.from({ length: SUBMITTERS }, hubWorker)]);
  };
  return run().catch((err) => {
    out.error ??= err;
  });
}

/** Every distinct signed head get-sth answered on the live frontends until `stop()`, each verified. */
class Observer {
  readonly ct = new Map<string, SignedTreeHead>();
  readonly hub = new Map<string, VerifiedSth>();
  /** get-sth answers received, per personality. */
  readonly polls = { ct: 0, hub: 0 };
  #stop = false;
  readonly #done: Promise<void>;

  constructor(site: Site, next: () => Frontend) {
    const poll = async (get: (url: string) => Promise<void>) => {
      while (!this.#stop) {
        await get(next().url).catch(() => {}); // a frontend killed mid-request
      }
    };
    // Several pollers per personality, so a slow answer leaves no long gap between observed heads.
    this.#done = Promise.all(
      Array.from({ length: POLLERS }, () => [
        poll(async (url) => {
          const sth = await new CtClient({ url, logKey: site.ctKey }).getSth();
          this.polls.ct++;
          this.ct.set(`${sth.timestamp}/${sth.treeSize}`, sth);
        }),
        poll(async (url) => {
          const sth = await new HubClient({ url: `${url}/hub`, hubKey: site.hubKey }).getSth();
          this.polls.hub++;
          this.hub.set(`${sth.head.timestamp}/${sth.head.treeSize}`, sth);
        }),
      ]).flat(),
    ).then(() => {});
  }

  latestCt(): SignedTreeHead | undefined {
    return [...this.ct.values()].sort((a, b) => a.timestamp - b.timestamp).at(-1);
  }

  latestHub(): VerifiedSth | undefined {
    return [...this.hub.values()].sort((a, b) => (a.head.timestamp < b.head.timestamp ? -1 : 1)).at(-1);
  }

  stop(): Promise<void> {
    this.#stop = true;
    return this.#done;
  }
}

/** Runs `f` over `items`, `width` at a time. */
async function eachLimited<T>(items: readonly T[], width: number, f: (x: T) => Promise<void>): Promise<void> {
  let i = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (i < items.length) await f(items[i++]);
    }),
  );
}

interface Delays {
  /** Largest (head timestamp − promise timestamp) over every promise, ms. */
  worst: number;
  /** The same over promises issued before the kill. */
  worstBeforeKill: number;
  /** Promises issued before the kill whose first observed head came after the kill was seen. */
  outstandingAtKill: number;
}

/** For a failure message: the last observed head without the entry, against the deadline. */
function verdict(lastWithoutMs: number | undefined, deadlineMs: number): string {
  return lastWithoutMs === undefined
    ? 'no head without it was observed'
    : `the last observed head without it was signed at ${lastWithoutMs} ms, ${lastWithoutMs > deadlineMs ? 'after' : 'before'} the deadline ${deadlineMs} ms`;
}

/** Every SCT's entry in the earliest observed STH that includes it, proven; that STH's timestamp within the SCT's + MMD. */
async function checkScts(site: Site, url: string, obs: Observer, scts: readonly Sct[], mmdMs: number, killSize: number): Promise<Delays> {
  const ct = new CtClient({ url, logKey: site.ctKey });
  const heads = [...obs.ct.values()].sort((a, b) => a.timestamp - b.timestamp);
  const final = heads[heads.length - 1];
  const d: Delays = { worst: 0, worstBeforeKill: 0, outstandingAtKill: 0 };
  const used = new Set<SignedTreeHead>();
  await eachLimited(scts, 4, async ({ der, sct, beforeKill }) => {
    const leafHash = hashLeaf(leafInput(timestampedEntry({ entryType: 'x509_entry', certificate: der }, sct.timestamp)));
    const index = await ct.verifyInclusion(leafHash, final);
    const first = heads.find((h) => h.treeSize > index);
    assert.ok(first);
    assert.equal(await ct.verifyInclusion(leafHash, first), index);
    used.add(first);
    const delay = first.timestamp - sct.timestamp;
    assert.ok(
      delay <= mmdMs,
      `SCT at ${sct.timestamp} (leaf ${index}) first in the STH of size ${first.treeSize} at ${first.timestamp}: ${delay} ms after it, want ≤ MMD ${mmdMs} ms; ` +
        verdict(heads.filter((h) => h.treeSize <= index).at(-1)?.timestamp, sct.timestamp + mmdMs),
    );
    d.worst = Math.max(d.worst, delay);
    if (beforeKill) {
      d.worstBeforeKill = Math.max(d.worstBeforeKill, delay);
      if (index >= killSize) d.outstandingAtKill++;
    }
  });
  // The heads relied on are one log's: each is a prefix of the final one.
  for (const h of used) await ct.verifyConsistency(h, final);
  return d;
}

/** As checkScts, for SGTs and hub tree heads (timestamps in ns on the hub's wire). */
async function checkSgts(site: Site, url: string, obs: Observer, sgts: readonly Sgt[], mmdMs: number, killSize: number): Promise<Delays> {
  const hub = new HubClient({ url: `${url}/hub`, hubKey: site.hubKey });
  const heads = [...obs.hub.values()].sort((a, b) => (a.head.timestamp < b.head.timestamp ? -1 : 1));
  const final = heads[heads.length - 1];
  const mmdNs = msToNs(mmdMs);
  const d: Delays = { worst: 0, worstBeforeKill: 0, outstandingAtKill: 0 };
  const used = new Set<VerifiedSth>();
  await eachLimited(sgts, 4, async ({ sgt, beforeKill }) => {
    const index = (await hub.proveInclusion(sgt.leafHash, final)).leafIndex;
    const first = heads.find((h) => h.head.treeSize > index);
    assert.ok(first);
    assert.equal((await hub.proveInclusion(sgt.leafHash, first)).leafIndex, index);
    used.add(first);
    const delayNs = first.head.timestamp - sgt.entry.hubTimestamp;
    assert.ok(
      delayNs <= mmdNs,
      `SGT at ${sgt.entry.hubTimestamp} ns (leaf ${index}) first in the head of size ${first.head.treeSize} at ${first.head.timestamp} ns: want ≤ MMD ${mmdMs} ms after it; ` +
        verdict(
          heads
            .filter((h) => h.head.treeSize <= index)
            .map((h) => nsToMs(h.head.timestamp))
            .at(-1),
          nsToMs(sgt.entry.hubTimestamp) + mmdMs,
        ),
    );
    const delay = nsToMs(delayNs);
    d.worst = Math.max(d.worst, delay);
    if (beforeKill) {
      d.worstBeforeKill = Math.max(d.worstBeforeKill, delay);
      if (index >= killSize) d.outstandingAtKill++;
    }
  });
  for (const h of used) await hub.proveConsistency(h.head.treeSize, h.head.rootHash, final);
  return d;
}

describe('the MMD promise when the sequencer leader is killed under load', () => {
  let db: TestDatabase | undefined;
  after(async () => db?.drop());
  const backends = [
    {
      name: 'PostgreSQL',
      skip: pgSkip('the failover test on PostgreSQL'),
      database: async () => {
        db = await createTestDatabase('gv_failover');
        return db.freshSchema();
      },
    },
    { name: 'SQLite', skip: false, database: async () => 'sqlite:grapevine.db' },
  ];

  for (const backend of backends) {
    it(`merges every SCT and SGT issued within the tightest accepted MMD, by the signed timestamps (${backend.name})`, {
      timeout: 240_000,
      skip: backend.skip,
    }, async (t: TestContext) => {
      const mmdMs = minimumMmdMs();
      const site = await writeSite(await backend.database(), mmdMs);
      const fronts = Array.from({ length: FRONTENDS }, (_, i) => new Frontend(`f${i}`, site, ['--create-trees']));
      const out = new Outcomes();
      let stopLoad = false;
      let observer: Observer | undefined;
      let loading: Promise<void> | undefined;
      try {
        await Promise.all(fronts.map((f) => f.ready));
        await waitUntil('a sequencer leader for each tree', () => TREES.every((tree) => fronts.some((f) => f.leads.has(tree))));
        const next = picker(fronts);
        observer = new Observer(site, next);
        const obs = observer;
        // SIGKILL every process holding a lease (one or two) mid-load, the moment the CT leader has just issued an
        // SCT (add-chain is the slower load): that entry is queued, most likely not yet merged, and the next leader
        // must keep the promise.
        let victims: Frontend[] = [];
        let sizesAtKill = { ct: 0, hub: 0 };
        out.onPromise = (from, tree) => {
          if (out.killed || out.promises < BEFORE_KILL || tree !== 'ct' || !from.leads.has(tree)) return;
          victims = fronts.filter((f) => TREES.some((x) => f.leads.has(x)));
          sizesAtKill = { ct: obs.latestCt()?.treeSize ?? 0, hub: obs.latestHub()?.head.treeSize ?? 0 };
          for (const v of victims) v.child.kill('SIGKILL');
          out.killed = true;
        };
        loading = load(site, next, out, () => stopLoad);
        const loaded = (n: number) => () => {
          if (out.error) throw out.error;
          return out.promises >= n;
        };
        await waitUntil('the kill, after some promises', () => loaded(0)() && out.killed);
        await Promise.all(victims.map((v) => v.exited));
        const survivors = fronts.filter((f) => !victims.includes(f));
        const takenOver = () => TREES.every((tree) => survivors.some((f) => f.leads.has(tree)));
        await waitUntil('a survivor to take over each lease', takenOver);
        const issuedAtTakeover = out.promises;
        await waitUntil(`${AFTER_TAKEOVER} promises after the takeover`, loaded(issuedAtTakeover + AFTER_TAKEOVER));
        stopLoad = true;
        await loading;
        if (out.error) throw out.error;

        // Wait until each log has signed a head later than every promise's deadline (its own clock, not ours).
        const lastSct = Math.max(...out.scts.map((s) => s.sct.timestamp));
        const lastSgt = out.sgts.reduce((m, s) => (s.sgt.entry.hubTimestamp > m ? s.sgt.entry.hubTimestamp : m), 0n);
        await waitUntil(
          'heads signed after every deadline',
          () => (obs.latestCt()?.timestamp ?? 0) > lastSct + mmdMs && (obs.latestHub()?.head.timestamp ?? 0n) > lastSgt + msToNs(mmdMs),
        );
        await observer.stop();

        const url = survivors[0].url;
        const ct = await checkScts(site, url, observer, out.scts, mmdMs, sizesAtKill.ct);
        const hub = await checkSgts(site, url, observer, out.sgts, mmdMs, sizesAtKill.hub);
        t.diagnostic(
          `MMD ${mmdMs} ms; killed ${victims.map((v) => `${v.name} (leading ${[...v.leads].join(', ')})`).join(', ')}; ` +
            `${out.scts.length} SCTs (${out.scts.filter((s) => s.beforeKill).length} before the kill, ${ct.outstandingAtKill} of them not yet in a head seen then), ` +
            `${out.sgts.length} SGTs (${out.sgts.filter((s) => s.beforeKill).length} before, ${hub.outstandingAtKill} outstanding); ` +
            `worst merge delay by the signed timestamps: CT ${ct.worst} ms (${ct.worstBeforeKill} ms before the kill), hub ${hub.worst} ms (${hub.worstBeforeKill} ms); ` +
            `refused 503: CT ${out.refused.ct}, hub ${out.refused.hub}; cut by the kill: CT ${out.failed.ct}, hub ${out.failed.hub}; ` +
            `heads observed: CT ${observer.ct.size} in ${observer.polls.ct} polls, hub ${observer.hub.size} in ${observer.polls.hub}`,
        );
        // The kill hit promises the killed leader had not merged: the new leader had to keep them.
        assert.ok(ct.outstandingAtKill + hub.outstandingAtKill > 0, 'some promises were outstanding at the kill');
        for (const f of survivors) assert.deepEqual(await f.stop(), { code: 0, signal: null }, `${f.name} shuts down cleanly`);
      } finally {
        stopLoad = true;
        for (const f of fronts) f.kill();
        await observer?.stop();
        await loading?.catch(() => {});
        await tearDown(site, fronts);
      }
    });
  }

  it('refuses at start, before touching the database, a site 1 ms below the tightest MMD, naming each tree', async () => {
    const mmdMs = minimumMmdMs() - 1;
    const site = await writeSite('sqlite:grapevine.db', mmdMs);
    const r = grapevine(['serve', '--config', site.config, '--create-trees']);
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.stderr.trim().split('\n').length, 1, 'one line');
    for (const key of ['ct.mmd', 'hub.instances[0].mmd']) {
      assert.ok(r.stderr.includes(`${key}: with an MMD of ${mmdMs} ms a sequencer takeover takes up to`), `${key} named: ${r.stderr}`);
    }
    assert.equal(existsSync(join(site.dir, 'grapevine.db')), false, 'no database created');
    await tearDown(site, []);
  });
});
