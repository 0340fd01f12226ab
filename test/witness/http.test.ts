/**
 * The witness over loopback HTTP, rule by rule (c2sp.org/tlog-witness;
 * statuses in src/witness/errors.ts): real keys, a reference tree, memory
 * state. The shared vectors are in scenarios.test.ts and notes.test.ts.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { formatCheckpoint } from '../../src/checkpoint/index.ts';
import { signSth } from '../../src/crypto/index.ts';
import { type EvidenceDocument, verifyEvidence } from '../../src/evidence/index.ts';
import {
  cosignatureV1Time,
  ecdsaKeyId,
  formatNote,
  formatSignatureLine,
  parseNote,
  rfc6962NoteSignature,
  rfc6962Verifier,
  signNote,
  verifierFromVkey,
  verifyNote,
} from '../../src/note/index.ts';
import { MemoryHeadStore } from '../../src/storage/memory/head-store.ts';
import { formatAddCheckpointRequest, LogList, WitnessConfigError, WitnessService, witnessLog } from '../../src/witness/index.ts';
import { testSigner } from '../note/testing.ts';
import { answer, MemoryIncidents, startWitness, TestLog, testCosigner, type WitnessServer } from './fixtures.ts';

const servers: WitnessServer[] = [];
after(async () => {
  for (const s of servers) await s.close();
});
async function witness(...args: Parameters<typeof startWitness>): Promise<WitnessServer> {
  const w = await startWitness(...args);
  servers.push(w);
  return w;
}
const post = async (w: WitnessServer, body: string | Buffer) =>
  answer(await fetch(`${w.url}/add-checkpoint`, { method: 'POST', body: typeof body === 'string' ? body : new Uint8Array(body) }));
const json = (text: string) => JSON.parse(text) as { error: string; message: string };

describe('POST add-checkpoint', () => {
  describe('when the body is malformed', () => {
    const log = new TestLog('example.com/log', 4);
    const cp = log.checkpoint();
    const bodies: [string, string][] = [
      ['no "old" line', `\n${cp}`],
      ['an old size with a leading zero', `old 04\n\n${cp}`],
      ['a negative old size', `old -1\n\n${cp}`],
      ['"Old" in capitals', `Old 0\n\n${cp}`],
      ['a proof line that is not base64', `old 0\nnot*base64\n\n${cp}`],
      ['64 proof lines', `old 0\n${`${Buffer.alloc(32).toString('base64')}\n`.repeat(64)}\n${cp}`],
      ['no blank line before the checkpoint', `old 0\n${cp}`],
      ['nothing after the blank line', 'old 0\n\n'],
      ['a note without signatures', `old 0\n\n${formatCheckpoint({ origin: log.origin, size: 4, rootHash: log.root(), extensions: [] })}`],
    ];
    for (const [desc, body] of bodies) {
      it(`answers 400 MALFORMED for ${desc}`, async () => {
        const w = await witness({ logs: [log.spec()] });
        const res = await post(w, body);
        assert.equal(res.status, 400, res.text);
        assert.equal(json(res.text).error, 'MALFORMED');
      });
    }

    it('answers 400 for a checkpoint text with a bad size line, after its signature verified', async () => {
      const w = await witness({ logs: [log.spec()] });
      const res = await w.add(0, [], signNote(`${log.origin}\n04\n${log.root().toString('base64')}\n`, log.signer));
      assert.equal(res.status, 400);
      assert.equal(json(res.text).error, 'MALFORMED');
    });

    it('answers 400 OLD_SIZE_TOO_LARGE when old exceeds the checkpoint size', async () => {
      const w = await witness({ logs: [log.spec()] });
      const res = await w.add(5, [], cp);
      assert.equal(res.status, 400);
      assert.equal(json(res.text).error, 'OLD_SIZE_TOO_LARGE');
    });

    it('answers 413 for a body over 16 KiB', async () => {
      const w = await witness({ logs: [log.spec()] });
      const res = await post(w, `old 0\n\n${cp}${'x'.repeat(16 * 1024)}`);
      assert.equal(res.status, 413);
    });
  });

  describe('origins and signatures', () => {
    it('answers 404 for an origin it does not know, and for a disabled log', async () => {
      const known = new TestLog('example.com/known', 2);
      const off = new TestLog('example.com/disabled', 2);
      const w = await witness({ logs: [known.spec(), off.spec({ disabled: true })] });
      for (const cp of [new TestLog('example.com/other', 2).checkpoint(), off.checkpoint()]) {
        const res = await w.add(0, [], cp);
        assert.equal(res.status, 404);
        assert.equal(json(res.text).error, 'UNKNOWN_ORIGIN');
      }
    });

    it('answers 403 UNTRUSTED for a checkpoint signed only by a key it does not trust for the origin', async () => {
      const log = new TestLog('example.com/log', 3);
      const impostor = new TestLog('example.com/log', 3);
      const w = await witness({ logs: [log.spec()] });
      const res = await w.add(0, [], impostor.checkpoint());
      assert.equal(res.status, 403);
      assert.equal(json(res.text).error, 'UNTRUSTED');
    });

    it('answers 403 BAD_SIGNATURE when a trusted key name and ID carry a bad signature, even beside a good one', async () => {
      const log = new TestLog('example.com/log', 3);
      const rotated = new TestLog('example.com/log', 0, undefined, log.leaves);
      const w = await witness({ logs: [{ origin: log.origin, vkeys: [log.vkey, rotated.vkey] }] });
      const good = parseNote(log.checkpoint());
      const bad = parseNote(rotated.checkpoint());
      const flipped = Buffer.from(bad.signatures[0].signature);
      flipped[0] ^= 1;
      const note = formatNote({ text: good.text, signatures: [...good.signatures, { ...bad.signatures[0], signature: flipped }] });
      const res = await w.add(0, [], note);
      assert.equal(res.status, 403);
      assert.equal(json(res.text).error, 'BAD_SIGNATURE');
    });

    it('ignores signatures of unknown keys and leaves them out of what it stores', async () => {
      const log = new TestLog('example.com/log', 3);
      const other = testCosigner('other.witness/w');
      const w = await witness({ logs: [log.spec()] });
      const note = parseNote(log.checkpoint());
      const withOther = formatNote({ text: note.text, signatures: [...note.signatures, other.cosign(note.text, 1000)] });
      const res = await w.add(0, [], withOther);
      assert.equal(res.status, 200, res.text);
      const stored = parseNote((await w.get(log.origin)).text);
      assert.deepEqual(
        stored.signatures.map((s) => s.name),
        [log.origin, w.cosigners[0].name],
      );
    });

    it('cosigns a CT log checkpoint signed with the RFC 6962 note signature (0x05) under the log key', async () => {
      const origin = 'ct.example.com/2026h1';
      const signer = testSigner('ecdsa-p256');
      const tree = new TestLog(origin, 7);
      const sth = signSth(signer, { timestamp: 1_780_000_000_123, treeSize: 7, sha256RootHash: tree.root() });
      const text = formatCheckpoint({ origin, size: 7, rootHash: tree.root(), extensions: [] });
      const note = formatNote({
        text,
        signatures: [rfc6962NoteSignature(origin, signer.publicKey.spki, sth.timestamp, sth.treeHeadSignature)],
      });
      const vkey = rfc6962Verifier(origin, signer.publicKey.spki).vkey;
      const w = await witness({ logs: [{ origin, vkeys: [vkey] }] });
      const res = await w.add(0, [], note);
      assert.equal(res.status, 200, res.text);
    });

    it('cosigns a checkpoint signed with an ECDSA note signature (0x02, Rekor)', async () => {
      const origin = 'rekor.example.com - 42';
      const signer = testSigner('ecdsa-p256');
      const tree = new TestLog('tree', 3);
      const text = formatCheckpoint({ origin, size: 3, rootHash: tree.root(), extensions: [] });
      const ecdsa = { name: 'rekor.example.com', keyId: ecdsaKeyId(signer.publicKey.spki), sign: (t: Buffer) => signer.sign(t) };
      const vkey = `rekor.example.com+${ecdsa.keyId.toString(16).padStart(8, '0')}+${Buffer.concat([Buffer.of(2), signer.publicKey.spki]).toString('base64')}`;
      const w = await witness({ logs: [{ origin, vkeys: [vkey] }] });
      const res = await w.add(0, [], signNote(text, ecdsa));
      assert.equal(res.status, 200, res.text);
    });
  });

  describe('the state per origin', () => {
    it('answers 409 with text/x.tlog.size and the cosigned size, so a client with no state can probe with old 0', async () => {
      const log = new TestLog('example.com/log', 10);
      const w = await witness({ logs: [log.spec()] });
      assert.equal((await w.add(0, [], log.checkpoint(6))).status, 200);
      const res = await w.add(0, [], log.checkpoint(10));
      assert.equal(res.status, 409);
      assert.equal(res.type, 'text/x.tlog.size');
      assert.equal(res.text, '6\n');
      const retry = await w.add(6, log.proof(6, 10), log.checkpoint(10));
      assert.equal(retry.status, 200, retry.text);
    });

    it('answers 422 BAD_PROOF for a size-0 checkpoint whose root is not the empty-tree hash', async () => {
      const log = new TestLog('example.com/log', 3);
      const w = await witness({ logs: [log.spec()] });
      const res = await w.add(0, [], log.checkpoint(0, log.root(3)));
      assert.equal(res.status, 422);
      assert.equal(json(res.text).error, 'BAD_PROOF');
      assert.equal((await w.get(log.origin)).status, 404);
    });

    it('answers 422 BAD_PROOF for a non-empty proof between equal sizes', async () => {
      const log = new TestLog('example.com/log', 4);
      const w = await witness({ logs: [log.spec()] });
      assert.equal((await w.add(0, [], log.checkpoint(4))).status, 200);
      const res = await w.add(4, [log.root(2)], log.checkpoint(4));
      assert.equal(res.status, 422);
      assert.equal(json(res.text).error, 'BAD_PROOF');
    });

    it('cosigns the same checkpoint again with a fresh timestamp, and stores it', async () => {
      const log = new TestLog('example.com/log', 4);
      let now = 1_800_000_000_000;
      const w = await witness({ logs: [log.spec()], clock: () => now });
      const first = await w.add(0, [], log.checkpoint());
      now += 60_000;
      const second = await w.add(4, [], log.checkpoint());
      assert.equal(second.status, 200);
      const t = (line: string) => cosignatureV1Time(parseNote(`x\n\n${line}`).signatures[0].signature);
      assert.equal(t(first.text), 1_800_000_000);
      assert.equal(t(second.text), 1_800_000_060);
      assert.ok((await w.get(log.origin)).text.endsWith(second.text));
    });

    it('never cosigns with an earlier time than the stored cosignature when the clock steps back', async () => {
      const log = new TestLog('example.com/log', 6);
      let now = 1_800_000_000_000;
      const w = await witness({ logs: [log.spec()], clock: () => now });
      await w.add(0, [], log.checkpoint(3));
      now -= 3_600_000;
      const res = await w.add(3, log.proof(3, 6), log.checkpoint(6));
      assert.equal(res.status, 200);
      assert.equal(cosignatureV1Time(parseNote(`x\n\n${res.text}`).signatures[0].signature), 1_800_000_000);
    });

    it('cosigns with a non-zero timestamp even at the epoch', async () => {
      const log = new TestLog('example.com/log', 1);
      const w = await witness({ logs: [log.spec()], clock: () => 0 });
      const res = await w.add(0, [], log.checkpoint());
      assert.equal(cosignatureV1Time(parseNote(`x\n\n${res.text}`).signatures[0].signature), 1);
    });
  });

  describe('witness keys', () => {
    it('cosigns with every key, the first key first, each line verifying under its vkey', async () => {
      const log = new TestLog('example.com/log', 2);
      const keys = [testCosigner('witness.example/w1'), testCosigner('witness.example/w1'), testCosigner('witness.example/w2')];
      const w = await witness({ logs: [log.spec()], cosigners: keys });
      const res = await w.add(0, [], log.checkpoint());
      const note = parseNote(`${parseNote(log.checkpoint()).text}\n${res.text}`);
      assert.deepEqual(
        note.signatures.map((s) => s.keyId),
        keys.map((k) => k.keyId),
      );
      const verified = verifyNote(
        note,
        keys.map((k) => verifierFromVkey(k.vkey)),
      );
      assert.equal(verified.verified.length, 3);
    });

    it('refuses to start with no key, or with one key twice', () => {
      const logs = new LogList([witnessLog(new TestLog('example.com/log').spec())]);
      const k = testCosigner();
      const store = new MemoryHeadStore();
      assert.throws(() => new WitnessService({ logs, cosigners: [], store }), WitnessConfigError);
      assert.throws(() => new WitnessService({ logs, cosigners: [k, k], store }), WitnessConfigError);
    });
  });

  describe('qpd', () => {
    it('answers 429 with Retry-After once a log spent its budget, and only verified requests spend it', async () => {
      const log = new TestLog('example.com/log', 2);
      const impostor = new TestLog('example.com/log', 2);
      const w = await witness({ logs: [log.spec({ qpd: 24 })], clock: () => 1_800_000_000_000 });
      // A burst of max(4, ⌈24/24⌉) = 4 requests; forged ones spend nothing.
      for (let i = 0; i < 10; i++) assert.equal((await w.add(0, [], impostor.checkpoint())).status, 403);
      assert.equal((await w.add(0, [], log.checkpoint())).status, 200);
      for (let i = 0; i < 3; i++) assert.equal((await w.add(2, [], log.checkpoint())).status, 200);
      const res = await fetch(`${w.url}/add-checkpoint`, {
        method: 'POST',
        body: new Uint8Array(formatAddCheckpointRequest({ oldSize: 2, proof: [], checkpoint: log.checkpoint() })),
      });
      assert.equal(res.status, 429);
      assert.equal(res.headers.get('retry-after'), '3600');
    });
  });
});

describe('GET <origin hash>/checkpoint', () => {
  it('answers 404 before the first cosignature, for an unknown origin hash, and for a malformed one', async () => {
    const log = new TestLog('example.com/log', 2);
    const w = await witness({ logs: [log.spec()] });
    assert.equal((await w.get(log.origin)).status, 404);
    assert.equal((await w.get('example.com/unknown')).status, 404);
    const hash = createHash('sha256').update(log.origin).digest('hex').toUpperCase();
    assert.equal((await answer(await fetch(`${w.url}/${hash}/checkpoint`))).status, 404);
  });

  it('serves the latest cosigned checkpoint: the log signature it verified, then its own cosignature', async () => {
    const log = new TestLog('example.com/log', 9);
    const w = await witness({ logs: [log.spec()], prefix: '/witness' });
    await w.add(0, [], log.checkpoint(5));
    const res = await w.add(5, log.proof(5, 9), log.checkpoint(9));
    const latest = await w.get(log.origin);
    assert.equal(latest.status, 200);
    assert.equal(latest.type, 'text/plain; charset=utf-8');
    const expected = `${log.checkpoint(9)}${res.text}`;
    assert.equal(latest.text, expected);
    verifyNote(parseNote(latest.text), [verifierFromVkey(log.vkey), verifierFromVkey(w.cosigners[0].vkey)]);
  });
});

describe('evidence of a log that forks', () => {
  /** The document verifies by itself, pinned to the log's key, and shows what it claims. */
  function proves(doc: EvidenceDocument, kind: string, vkey: string): void {
    assert.equal(doc.kind, kind);
    const v = verifyEvidence(doc, { keys: [{ vkey }] });
    assert.ok(v.proves, v.line);
    assert.equal(v.class, 'proof');
  }

  it('keeps a same-size fork whole as fork evidence (proof), the stored state untouched', async () => {
    const log = new TestLog('example.com/log', 8);
    const fork = log.fork(5, 3);
    const incidents = new MemoryIncidents();
    const w = await witness({ logs: [log.spec({ url: 'https://example.com/log' })], incidents, clock: () => 1_800_000_000_000 });
    await w.add(0, [], log.checkpoint(8));
    const before = (await w.get(log.origin)).text;
    const forked = fork.checkpoint(8);
    const res = await w.add(8, [], forked);
    assert.equal(res.status, 422);
    assert.equal(json(res.text).error, 'ROOT_MISMATCH');
    assert.equal((await w.get(log.origin)).text, before);
    assert.equal(incidents.raised.length, 1);
    const [doc] = incidents.raised;
    proves(doc, 'fork', log.vkey);
    assert.equal(doc.createdBy, w.cosigners[0].name);
    assert.equal(doc.createdAt, '2027-01-15T08:00:00.000Z');
    assert.equal(doc.log.url, 'https://example.com/log');
    // Kept whole: the cosigned note with the witness's cosignature, and the refused one byte for byte.
    const notes = doc.heads.map((h) => (h as { note: string }).note);
    assert.deepEqual(notes, [before, forked]);
  });

  it('keeps a checkpoint whose own proof shows another prefix as inconsistent evidence (proof)', async () => {
    const log = new TestLog('example.com/log', 8);
    const fork = log.fork(5, 3);
    const incidents = new MemoryIncidents();
    const w = await witness({ logs: [log.spec()], incidents });
    await w.add(0, [], log.checkpoint(6));
    const res = await w.add(6, fork.proof(6, 8), fork.checkpoint(8));
    assert.equal(res.status, 422);
    assert.equal(json(res.text).error, 'BAD_PROOF');
    assert.equal(incidents.raised.length, 1);
    proves(incidents.raised[0], 'inconsistent', log.vkey);
  });

  it('keeps a size-0 checkpoint with another root as empty-root evidence (proof)', async () => {
    const log = new TestLog('example.com/log', 3);
    const incidents = new MemoryIncidents();
    const w = await witness({ logs: [log.spec()], incidents });
    assert.equal((await w.add(0, [], log.checkpoint(0, log.root(3)))).status, 422);
    proves(incidents.raised[0], 'empty-root', log.vkey);
  });

  it('raises a suspicion (proof-refused) for a proof that shows nothing, keeping the attempt', async () => {
    const log = new TestLog('example.com/log', 8);
    const incidents = new MemoryIncidents();
    const w = await witness({ logs: [log.spec()], incidents });
    await w.add(0, [], log.checkpoint(6));
    const res = await w.add(6, [Buffer.alloc(32, 1), Buffer.alloc(32, 2)], log.checkpoint(8));
    assert.equal(res.status, 422);
    const [doc] = incidents.raised;
    assert.equal(doc.kind, 'proof-refused');
    const v = verifyEvidence(doc, { keys: [{ vkey: log.vkey }] });
    assert.equal(v.class, 'suspicion');
    assert.equal(v.proves, false);
  });

  it('raises nothing for refusals that say nothing about the log: 400, 403, 404, 409, a proof between equal checkpoints', async () => {
    const log = new TestLog('example.com/log', 8);
    const incidents = new MemoryIncidents();
    const w = await witness({ logs: [log.spec()], incidents });
    await w.add(0, [], log.checkpoint(4));
    assert.equal((await w.add(6, [], log.checkpoint(5))).status, 400);
    assert.equal((await w.add(4, [], new TestLog(log.origin, 8).checkpoint())).status, 403);
    assert.equal((await w.add(0, [], new TestLog('example.com/x', 8).checkpoint())).status, 404);
    assert.equal((await w.add(2, log.proof(2, 8), log.checkpoint(8))).status, 409);
    assert.equal((await w.add(4, [log.root(1)], log.checkpoint(4))).status, 422);
    assert.equal(incidents.raised.length, 0);
  });

  it('answers the refusal even when raising fails', async () => {
    const log = new TestLog('example.com/log', 8);
    const w = await witness({
      logs: [log.spec()],
      incidents: {
        raise: async () => {
          throw new Error('disk full');
        },
      },
    });
    await w.add(0, [], log.checkpoint(8));
    assert.equal((await w.add(8, [], log.fork(4, 4).checkpoint(8))).status, 422);
  });
});

describe('formatSignatureLine of the answer', () => {
  it('is what a client appends to its checkpoint to get the cosigned note', async () => {
    const log = new TestLog('example.com/log', 3);
    const w = await witness({ logs: [log.spec()] });
    const res = await w.add(0, [], log.checkpoint());
    const sig = parseNote(`${log.checkpoint()}${res.text}`).signatures[1];
    assert.equal(formatSignatureLine(sig), res.text);
  });
});
