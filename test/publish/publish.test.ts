/**
 * Grapevine's own logs published the C2SP way, checked by a client that
 * imports nothing from src/ (independent-client.ts): a hub instance (Ed25519
 * checkpoint of its audited head, hash tiles across two levels, entry
 * bundles) and a CT log (RFC 6962 note signature with its existing key,
 * static-ct-api data tiles with x509 and precert entries, issuers). Tiles are
 * immutable and cacheable, never beyond the checkpoint; and with a 2-of-3
 * tlog-policy the log takes its checkpoints to three witnesses and serves
 * the cosigned checkpoint once two cosigned.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { checkPolicy, type Policy, parsePolicy } from '../../src/checkpoint/index.ts';
import { generatePrivateKey, signerFromPrivateKey } from '../../src/crypto/index.ts';
import { makeSource } from '../../src/hub/index.ts';
import { ed25519NoteSigner } from '../../src/note/index.ts';
import { openCtLog, publishCtLog } from '../../src/personalities/ct/index.ts';
import { openHubs, publishHub } from '../../src/personalities/hub/index.ts';
import { CheckpointWitnessing, PublishPart } from '../../src/publish/index.ts';
import { startServer } from '../../src/server/index.ts';
import { openStorage } from '../../src/storage/index.ts';
import { mintLeaf } from '../../src/x509/testca/index.ts';
import { demoSet } from '../ct/fixtures.ts';
import { blobBody, settle, tempDbUrl } from '../hub/fixtures.ts';
import { testSigner } from '../note/testing.ts';
import { newSigner } from '../support/keys.ts';
import { startWitness, testCosigner, type WitnessServer } from '../witness/fixtures.ts';
import { type Checkpoint, rebuild, verifyEd25519, verifyRfc6962 } from './independent-client.ts';

const closers: (() => Promise<void>)[] = [];
after(async () => {
  for (const c of closers.reverse()) await c();
});

describe('the independent client', () => {
  it('imports nothing from src/', () => {
    const text = readFileSync(new URL('./independent-client.ts', import.meta.url), 'utf8');
    const imports = [...text.matchAll(/from\s+['"]([^'"]+)['"]/g)].map((m) => m[1]);
    assert.deepEqual(imports, ['node:crypto']);
  });
});

const ORIGIN = 'hub.example/gamut';

/** A hub instance with `n` entries, published at <url>/gamut, with its checkpoints cosigned under `policy` when given. */
async function publishedHub(n: number, o: { noteKey?: ReturnType<typeof ed25519NoteSigner>; policy?: Policy } = {}) {
  const storage = await openStorage(tempDbUrl());
  const srcKey = signerFromPrivateKey(generatePrivateKey('ed25519'));
  const source = makeSource({ id: 'src.example/opaque', kind: 'UNKNOWN', publicKey: srcKey.publicKey });
  const registry = new Registry();
  const part = await openHubs([{ prefix: 'gamut', signer: newSigner(), sources: [source] }], {
    storage,
    registry,
    createMissing: true,
    timing: { intervalMs: 20 },
  });
  const noteKey = o.noteKey ?? ed25519NoteSigner(ORIGIN, testSigner('ed25519'));
  const tree = publishHub(part.hubs[0], ORIGIN, noteKey);
  const log = part.hubs[0].log;
  const witnessing = o.policy
    ? new CheckpointWitnessing({ tree, policy: o.policy, proofs: (m, k) => log.getConsistencyProof(m, k) })
    : undefined;
  const publish = new PublishPart({ prefix: '/gamut', tree, witnessIntervalMs: 50, ...(witnessing ? { witnessing } : {}) });
  const server = await startServer({ host: '127.0.0.1', port: 0, parts: [part, publish], registry, storage, ownStorage: true });
  closers.push(() => server.close());
  for (let i = 0; i < n; i += 50) {
    await Promise.all(
      Array.from({ length: Math.min(50, n - i) }, async (_, j) => {
        const blob = Buffer.from(`entry ${i + j} ${'x'.repeat((i + j) % 40)}`);
        const res = await fetch(`${server.url}/gamut/gossip/v0/add-signed-blob`, {
          method: 'POST',
          body: blobBody(source.id, blob, srcKey.sign(blob)),
        });
        assert.equal(res.status, 200, await res.text());
      }),
    );
  }
  await settle({ storage, hubs: part.hubs } as never);
  return { url: `${server.url}/gamut`, vkey: noteKey.vkey, part, publish, server };
}

describe('a hub instance, published', () => {
  it('rebuilds from its tiles and entry bundles: 600 entries, two tile levels, the checkpoint signed by its note key', async () => {
    const h = await publishedHub(600);
    const r = await rebuild(h.url, { entries: 'entries', verifyCheckpoint: (cp: Checkpoint) => verifyEd25519(cp, h.vkey) });
    assert.equal(r.checkpoint.size, 600);
    assert.equal(r.checkpoint.origin, ORIGIN);
    assert.deepEqual(r.checkpoint.root, h.part.hubs[0].hub.servedHead()?.rootHash);
    assert.ok(r.requests.some((q) => q.path === 'tile/1/000.p/2'));
    for (const q of r.requests) assert.equal(q.cacheControl, q.path === 'checkpoint' ? 'no-cache' : 'public, max-age=31536000, immutable');

    // Nothing beyond the checkpoint, and only canonical paths.
    for (const path of [
      'tile/0/002.p/89',
      'tile/0/003.p/1',
      'tile/entries/002.p/89',
      'tile/0/002.p/0',
      'tile/0/2',
      'tile/data/000',
      'issuer/00',
    ]) {
      assert.equal((await fetch(`${h.url}/${path}`)).status, 404, path);
    }
    // A partial tile of an older size is the prefix of today's.
    const older = Buffer.from(await (await fetch(`${h.url}/tile/0/002.p/10`)).arrayBuffer());
    const now = Buffer.from(await (await fetch(`${h.url}/tile/0/002.p/88`)).arrayBuffer());
    assert.deepEqual(older, now.subarray(0, 320));
  });
});

describe('a CT log, published', () => {
  it('rebuilds from its hash and data tiles, its checkpoint verifying under the log key as an RFC 6962 note signature', async () => {
    const d = await demoSet();
    const storage = await openStorage('sqlite::memory:');
    const signer = newSigner();
    const registry = new Registry();
    const part = await openCtLog(
      { tree: 'ct', signer, roots: [d.root.der] },
      { storage, registry, createMissing: true, timing: { intervalMs: 20 } },
    );
    const origin = 'ct.example/2026';
    const publish = new PublishPart({ prefix: '', tree: publishCtLog(part, origin) });
    const server = await startServer({ host: '127.0.0.1', port: 0, parts: [part, publish], registry, storage, ownStorage: true });
    closers.push(() => server.close());
    const post = async (path: string, chain: Uint8Array[]) => {
      const res = await fetch(`${server.url}/ct/v1/${path}`, {
        method: 'POST',
        body: JSON.stringify({ chain: chain.map((c) => Buffer.from(c).toString('base64')) }),
      });
      assert.equal(res.status, 200, await res.text());
    };
    for (let i = 0; i < 12; i++)
      await post('add-chain', [(await mintLeaf(d.intermediate, { dnsNames: [`h${i}.example`] })).der, d.intermediate.der]);
    await post('add-pre-chain', [d.precert.der, d.intermediate.der]);
    await post('add-pre-chain', [d.signedPrecert.der, d.precertSigner.der, d.intermediate.der]);
    for (let i = 0; i < 100 && (await part.log.latestHead()).size < 14; i++) await new Promise((r) => setTimeout(r, 50));
    const r = await rebuild(server.url, { entries: 'data', verifyCheckpoint: (cp) => verifyRfc6962(cp, signer.publicKey.spki) });
    assert.equal(r.checkpoint.size, 14);
    // The issuers the data tiles name are served, the root and the intermediate among them.
    for (const c of [d.root.der, d.intermediate.der, d.precertSigner.der]) {
      const res = await fetch(`${server.url}/issuer/${createHash('sha256').update(c).digest('hex')}`);
      assert.equal(res.status, 200);
      assert.deepEqual(Buffer.from(await res.arrayBuffer()), Buffer.from(c));
    }
  });
});

describe('a hub instance getting its checkpoints cosigned (2 of 3)', () => {
  const witnesses: WitnessServer[] = [];
  after(async () => {
    for (const w of witnesses) await w.close();
  });

  it('serves the checkpoint with the witnesses cosignatures once two cosigned, and a client following the policy accepts it', async () => {
    const noteKey = ed25519NoteSigner(ORIGIN, testSigner('ed25519'));
    const keys = [testCosigner('w1.example/w'), testCosigner('w2.example/w'), testCosigner('w3.example/w')];
    for (const k of keys.slice(0, 2))
      witnesses.push(await startWitness({ logs: [{ origin: ORIGIN, vkeys: [noteKey.vkey] }], cosigners: [k] }));
    // The third witness is down: its URL answers nothing.
    const policy = parsePolicy(
      [
        `log ${noteKey.vkey}`,
        ...witnesses.map((w, i) => `witness W${i + 1} ${keys[i].vkey} ${w.url}`),
        `witness W3 ${keys[2].vkey} http://127.0.0.1:9`,
        'group TWO 2 W1 W2 W3',
        'quorum TWO',
      ].join('\n'),
    );
    const h = await publishedHub(300, { noteKey, policy });
    // The loop runs every 50 ms; wait (bounded only to catch a stuck loop) until the served checkpoint has the quorum.
    let note = '';
    for (const deadline = Date.now() + 60_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 50))) {
      note = await (await fetch(`${h.url}/checkpoint`)).text();
      // Checkpoints were cosigned as the hub grew; wait for the one of all 300 entries.
      if (note.split('\n')[1] === '300' && note.includes('w2.example/w') && note.includes('w1.example/w')) break;
    }
    const v = checkPolicy(note, policy);
    assert.equal(v.satisfied, true);
    assert.deepEqual(v.witnesses, ['W1', 'W2']);
    assert.equal(v.checkpoint.checkpoint.size, 300);
    // Each witness holds the log's checkpoint, cosigned.
    for (const w of witnesses) assert.equal((await w.get(ORIGIN)).status, 200);
    // And the tiles under the cosigned checkpoint still rebuild it.
    await rebuild(h.url, { entries: 'entries', verifyCheckpoint: (cp) => verifyEd25519(cp, noteKey.vkey) });
  });
});
