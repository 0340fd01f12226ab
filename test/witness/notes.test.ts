/**
 * Every note case of signed-notes.json through the witness over loopback
 * HTTP: the case's vkeys are the keys the witness trusts for the note's
 * origin (its first line), and the note is submitted with `old 0`.
 *
 *   malformed                                 → 400
 *   invalid (no trusted signature, or a bad one) → 403
 *   valid, and the text is a checkpoint        → 200, and the monitoring GET serves
 *                                                 the text, the log signatures that
 *                                                 verified and the witness's cosignature
 *   valid, the text is not a checkpoint        → 400
 *
 * Only log key types (0x01, 0x02, 0x05) can be trusted for an origin: other
 * vkeys of a case are left out, so their lines become unknown keys, which a
 * verifier ignores. A vkey that does not parse is refused by the log list.
 * The cosignature/v1 cases (witness keys only) go the other way: a witness
 * that answers the vector's line over HTTP, to the witness client, which
 * accepts the valid one and refuses the others (BAD_COSIGNATURE); and a
 * witness holding their published test key cosigns their checkpoint at their
 * timestamp and answers the valid vector's line byte for byte.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import { parseCheckpoint } from '../../src/checkpoint/index.ts';
import {
  cosignatureV1Signer,
  ed25519SignerFromSeed,
  NoteError,
  parseNote,
  parseVkey,
  SignatureType,
  verifierFromVkey,
} from '../../src/note/index.ts';
import { WitnessClient, WitnessClientError, witnessLog } from '../../src/witness/index.ts';
import { assertThrowsCode } from '../support/assert-code.ts';
import { loadTestdata } from '../testdata.ts';
import { startWitness, TestLog, type WitnessServer } from './fixtures.ts';

interface NoteCase {
  id: string;
  vkeys: string[];
  expect: 'valid' | 'invalid' | 'malformed';
  note?: string;
  note_base64?: string;
  cosignature_timestamp?: number;
}

const cases: NoteCase[] = loadTestdata('signed-notes.json').cases;
const LOG_TYPES: number[] = [SignatureType.Ed25519, SignatureType.ECDSA, SignatureType.RFC6962];

function parses(vkey: string): boolean {
  try {
    parseVkey(vkey);
    return true;
  } catch {
    return false;
  }
}

function isCheckpoint(text: string): boolean {
  try {
    parseCheckpoint(text);
    return true;
  } catch {
    return false;
  }
}

describe('signed-notes.json through the witness over HTTP', () => {
  const servers: WitnessServer[] = [];
  after(async () => {
    for (const s of servers) await s.close();
  });

  for (const tc of cases) {
    const bytes = tc.note_base64 !== undefined ? Buffer.from(tc.note_base64, 'base64') : Buffer.from(tc.note ?? '', 'utf8');
    const origin = bytes.toString('utf8').split('\n')[0] || 'empty.example';
    const keyTypes = tc.vkeys.filter(parses).map((v) => parseVkey(v).type);

    if (!tc.vkeys.every(parses)) {
      it(`${tc.id}: the log list refuses its vkey (want ${tc.expect})`, () => {
        assert.equal(tc.expect, 'invalid');
        assertThrowsCode(() => witnessLog({ origin, vkeys: tc.vkeys }), NoteError, 'BAD_KEY');
      });
      continue;
    }
    if (keyTypes.length > 0 && keyTypes.every((t) => t === SignatureType.CosignatureV1)) continue; // below

    const logKeys = tc.vkeys.filter((v) => LOG_TYPES.includes(parseVkey(v).type));
    const text = (() => {
      try {
        return parseNote(bytes).text;
      } catch {
        return null;
      }
    })();
    const want = tc.expect === 'malformed' ? 400 : tc.expect === 'invalid' ? 403 : text !== null && isCheckpoint(text) ? 200 : 400;

    it(`${tc.id} (${tc.expect}): ${want}`, async () => {
      // No trusted key at all: the origin is known, with a key (of another name) that signed nothing here.
      const vkeys = logKeys.length > 0 ? logKeys : [new TestLog('unrelated.example').vkey];
      const w = await startWitness({ logs: [{ origin, vkeys }] });
      servers.push(w);
      const res = await w.add(0, [], bytes);
      assert.equal(res.status, want, res.text);
      const latest = await w.get(origin);
      if (want !== 200) {
        assert.equal(latest.status, 404);
        return;
      }
      // The stored note: the text, every log signature that verified, then the witness's cosignature.
      const stored = parseNote(latest.text);
      assert.equal(stored.text, text);
      const trusted = new Set(vkeys.map((v) => `${parseVkey(v).name}+${parseVkey(v).keyId}`));
      const known = parseNote(bytes).signatures.filter((s) => trusted.has(`${s.name}+${s.keyId}`));
      assert.ok(known.length > 0);
      assert.deepEqual(
        stored.signatures.slice(0, -1).map((s) => s.signature.toString('base64')),
        known.map((s) => s.signature.toString('base64')),
      );
      assert.equal(stored.signatures.at(-1)?.name, w.cosigners[0].name);
      assert.equal(`${stored.text}\n${res.text}`.endsWith(latest.text.slice(latest.text.lastIndexOf('—'))), true);
    });
  }

  describe('cosignature/v1 cases: a witness with their key reproduces the valid line', () => {
    // sigsum-go's crypto.PrivateKey{17}: the Ed25519 seed 0x11 followed by 31 zero bytes.
    const seed = Buffer.alloc(32);
    seed[0] = 17;
    const cosignerCases = cases.filter(
      (c) => c.vkeys.length > 0 && c.vkeys.every((v) => parses(v) && parseVkey(v).type === SignatureType.CosignatureV1),
    );

    it('covers the five cosignature cases', () => {
      assert.equal(cosignerCases.length, 5);
    });

    for (const tc of cosignerCases) {
      it(`${tc.id} (${tc.expect}): the witness client ${tc.expect === 'valid' ? 'accepts' : 'refuses'} the line from a witness over HTTP`, async () => {
        const line = `${tc.note?.slice(tc.note.lastIndexOf('—'))}`;
        // A witness that answers this vector's line to every add-checkpoint.
        const server = createServer((_req, res) => {
          res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
          res.end(line);
        });
        await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
        try {
          const port = (server.address() as AddressInfo).port;
          const client = new WitnessClient({ url: `http://127.0.0.1:${port}`, vkeys: tc.vkeys });
          const log = new TestLog('example.org/log');
          const cp = parseCheckpoint(parseNote(tc.note ?? '').text);
          const answer = client.addCheckpoint(0, [], log.checkpoint(cp.size, cp.rootHash));
          if (tc.expect === 'valid') {
            const a = await answer;
            assert.equal(a.kind === 'cosigned' && a.verified[0].time, tc.cosignature_timestamp);
          } else {
            await assert.rejects(answer, (e) => e instanceof WitnessClientError && e.code === 'BAD_COSIGNATURE');
          }
        } finally {
          await new Promise<void>((r) => server.close(() => r()));
        }
      });

      it(`${tc.id} (${tc.expect})`, async () => {
        const vkey = parseVkey(tc.vkeys[0]);
        const cosigner = cosignatureV1Signer(vkey.name, ed25519SignerFromSeed(seed));
        assert.equal(cosigner.vkey, verifierFromVkey(tc.vkeys[0]).vkey);
        const note = parseNote(tc.note ?? '');
        const time = 1234; // the valid vector's timestamp; the broken variants claim the same line
        const log = new TestLog(note.text.split('\n')[0]);
        const w = await startWitness({ logs: [log.spec()], cosigners: [cosigner], clock: () => time * 1000 });
        servers.push(w);
        const cp = parseCheckpoint(note.text);
        const res = await w.add(0, [], log.checkpoint(cp.size, cp.rootHash));
        assert.equal(res.status, 200, res.text);
        const line = `${tc.note?.slice(tc.note.lastIndexOf('—'))}`;
        assert.equal(res.text === line, tc.expect === 'valid');
      });
    }
  });
});
