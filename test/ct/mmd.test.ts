/**
 * The MMD under load: many concurrent submissions over real HTTP while a
 * monitor polls get-sth. Every SCT's entry must be in an STH whose timestamp
 * is at most SCT timestamp + MMD (RFC 6962 §3: "the log MUST incorporate a
 * certificate in its Merkle Tree within the Maximum Merge Delay"), proven by
 * an inclusion proof against it.
 *
 * Two views are checked: the log's own (every signed head in storage, so the
 * first head covering each entry is known exactly: the MMD bound is checked
 * there) and a monitor's (the STHs it happened to fetch while the load ran:
 * each SCT is proven against the first later STH it saw, whose lateness is
 * bounded by the MMD plus the monitor's own polling gap).
 * A warm-up batch runs first so the measurement is of steady state, not of
 * the JIT compiling the X.509 code.
 */
import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { startCtServer } from '../../src/cli/ct-serve.ts';
import { encodeMerkleTreeLeaf, type SignedEntry, type SignedTreeHead } from '../../src/codec/index.ts';
import { parseCtConfig, resolveCtConfig } from '../../src/config/ct.ts';
import { publicKeyFromKeyObject } from '../../src/crypto/index.ts';
import { CtClient, CtClientError } from '../../src/ct/index.ts';
import { checkHead } from '../../src/log/index.ts';
import { hashLeaf, verifyInclusion } from '../../src/merkle/index.ts';
import type { CtLogPart } from '../../src/personalities/ct/index.ts';
import type { Site } from '../../src/server/index.ts';
import { parseCertificate } from '../../src/x509/index.ts';
import { certificatePem, mintLeaf, mintPrecertPair } from '../../src/x509/testca/index.ts';
import { demoSet } from './fixtures.ts';

const MMD_MS = 2000;
const SUBMISSIONS = 400;
const POLL_MS = 20;

describe('MMD under concurrent load', () => {
  let server: Site;
  let client: CtClient;
  const observed: { sth: SignedTreeHead; sentAt: number; at: number }[] = [];
  let polling = true;
  let poller: Promise<void>;

  before(async () => {
    const d = await demoSet();
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const files: Record<string, Buffer> = {
      '/cfg/key.pem': Buffer.from(privateKey.export({ type: 'pkcs8', format: 'pem' }) as string),
      '/cfg/root.pem': Buffer.from(certificatePem(d.root)),
    };
    const cfg = parseCtConfig(
      `{ listen: "127.0.0.1:0", database: "sqlite::memory:", keyFile: key.pem, roots: [root.pem], mmd: ${MMD_MS}ms, logLevel: silent }`,
    );
    const resolved = resolveCtConfig(cfg, { baseDir: '/cfg', readFile: (p) => files[p] ?? assert.fail(`no ${p}`) });
    server = await startCtServer(resolved, { createTrees: true });
    client = new CtClient({ url: server.url, logKey: publicKeyFromKeyObject(publicKey) });
    poller = (async () => {
      while (polling) {
        const sentAt = Date.now();
        observed.push({ sth: await client.getSth(), sentAt, at: Date.now() });
        await new Promise((r) => setTimeout(r, POLL_MS));
      }
    })();
  });

  after(async () => {
    polling = false;
    await poller;
    await server?.close();
  });

  it(`merges every one of ${SUBMISSIONS} concurrent submissions within the MMD (${MMD_MS} ms)`, async (t) => {
    // A log whose merge backlog passes MMD/2 refuses new submissions with 503 rather than issue SCTs it might not
    // honour (the guard that keeps the MMD on an overloaded machine); a client retries those, as this one does.
    let refused = 0;
    const addChain = async (chain: Buffer[], pre: boolean) => {
      for (const limit = Date.now() + 60_000; ; ) {
        try {
          return await client.addChain(chain, pre);
        } catch (err) {
          if (!(err instanceof CtClientError && err.code === 'HTTP' && err.status === 503) || Date.now() > limit) throw err;
          refused++;
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    };
    const d = await demoSet();
    const inter = parseCertificate(d.intermediate.der);
    const issuerKeyHash = createHash('sha256').update(inter.spki).digest();
    // Mint first, so the submission waves are pure load.
    const jobs: { chain: Buffer[]; pre: boolean; entry: SignedEntry }[] = [];
    for (let i = 0; i < SUBMISSIONS; i++) {
      if (i % 4 === 3) {
        const [pre, fin] = await mintPrecertPair(d.intermediate, d.intermediate, { dnsNames: [`p${i}.mmd.grapevine.test`] });
        jobs.push({
          chain: [pre.der, d.intermediate.der],
          pre: true,
          entry: { entryType: 'precert_entry', issuerKeyHash, tbsCertificate: parseCertificate(fin.der).tbs },
        });
      } else {
        const leaf = await mintLeaf(d.intermediate, { dnsNames: [`l${i}.mmd.grapevine.test`] });
        jobs.push({ chain: [leaf.der, d.intermediate.der], pre: false, entry: { entryType: 'x509_entry', certificate: leaf.der } });
      }
    }
    // Warm-up, not measured.
    const WARM = 60;
    for (let i = 0; i < 3; i++) {
      await Promise.all(
        Array.from({ length: WARM / 3 }, async (_, k) => {
          const l = await mintLeaf(d.intermediate, { dnsNames: [`w${i}-${k}.mmd.grapevine.test`] });
          await addChain([l.der, d.intermediate.der], false);
        }),
      );
    }
    // Four waves of concurrent submissions, 250 ms apart, so several sequencer batches and STHs are involved.
    const waves = 4;
    const per = SUBMISSIONS / waves;
    const results: { timestamp: number; entry: SignedEntry }[] = [];
    const running: Promise<void>[] = [];
    for (let w = 0; w < waves; w++) {
      running.push(
        ...jobs.slice(w * per, (w + 1) * per).map(async (j) => {
          const sct = await addChain(j.chain, j.pre);
          client.verifySct(sct, { signedEntry: j.entry, extensions: sct.extensions });
          results.push({ timestamp: sct.timestamp, entry: j.entry });
        }),
      );
      await new Promise((r) => setTimeout(r, 250));
    }
    await Promise.all(running);
    assert.equal(results.length, SUBMISSIONS);

    // Let the monitor see the last batch, then check every SCT against the first STH that covers it. The wait is
    // for the monitor (whose polls a busy machine can delay well past the MMD), not a check of the MMD: that is
    // checked below against the heads' and SCTs' own timestamps.
    const deadline = Date.now() + MMD_MS + 60_000;
    while (observed[observed.length - 1].sth.treeSize < SUBMISSIONS + WARM && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, POLL_MS));
    const final = observed[observed.length - 1].sth;
    assert.equal(final.treeSize, SUBMISSIONS + WARM);
    // The log's view: every signed head it stored, in revision order.
    const storage = server.storage;
    const treeId = (server.ct as CtLogPart).log.tree.id;
    const heads = [];
    for (let rev = 0; ; rev++) {
      const h = await storage.headAtRevision(treeId, rev);
      if (!h) break;
      heads.push(h);
    }
    let maxDelay = 0;
    let maxObserved = 0;
    for (const r of results) {
      const h = hashLeaf(encodeMerkleTreeLeaf({ timestamp: r.timestamp, signedEntry: r.entry, extensions: Buffer.alloc(0) }));
      const index: number = (await client.getProofByHash(h, final.treeSize)).leafIndex;
      // Log view: the first signed head holding the entry is within the MMD, and proves it.
      const head = heads.find((x) => x.size > index);
      assert.ok(head, `leaf ${index} is in a stored head`);
      const delay = head.timestamp - r.timestamp;
      maxDelay = Math.max(maxDelay, delay);
      assert.ok(delay >= 0, 'the covering head is not older than the SCT (§3.5)');
      assert.ok(delay <= MMD_MS, `leaf ${index}: merged ${delay} ms after its SCT, over the MMD`);
      const p = await client.getProofByHash(h, head.size);
      verifyInclusion(p.leafIndex, head.size, h, p.auditPath, head.rootHash);
      checkHead(head, (server.ct as CtLogPart).log.publicKey);
      // Monitor view: the first STH it fetched that covers the entry proves it. Its timestamp can exceed
      // SCT + MMD only by the monitor's own polling gap (the previous poll was answered before the covering
      // head existed, so that head is later than prev.sentAt), which a busy machine can stretch.
      const at = observed.findIndex((o) => o.sth.treeSize > index);
      assert.ok(at > 0, `leaf ${index} is in an observed STH`);
      const first = observed[at];
      const seen = first.sth.timestamp - r.timestamp;
      maxObserved = Math.max(maxObserved, seen);
      const gap = first.at - observed[at - 1].sentAt;
      assert.ok(
        seen <= MMD_MS + gap,
        `leaf ${index}: the monitor's first covering STH is ${seen} ms after the SCT, over MMD + polling gap ${gap} ms`,
      );
      assert.equal(await client.verifyInclusion(h, first.sth), index);
    }
    // Successive observed STHs are consistent.
    for (let i = 1; i < observed.length; i++) {
      if (observed[i].sth.treeSize !== observed[i - 1].sth.treeSize) await client.verifyConsistency(observed[i - 1].sth, observed[i].sth);
    }
    t.diagnostic(
      `largest SCT → merge delay ${maxDelay} ms (${heads.length} heads); largest as observed by the monitor ${maxObserved} ms (${observed.length} STHs fetched); ${refused} submissions refused for the backlog and retried`,
    );
  });
});
