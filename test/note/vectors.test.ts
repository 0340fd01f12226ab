/**
 * The shared signed-note vectors (testdata/signed-notes.json) and the
 * omniwitness log list (testdata/checkpoint-logs.json): every case must get
 * its `expect` verdict.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  formatKeyId,
  formatNote,
  NoteError,
  type NoteVerifier,
  openNote,
  parseNote,
  parseVkey,
  SignatureType,
  type VerifiedNote,
  verifierFromVkey,
} from '../../src/note/index.ts';
import { loadTestdata } from '../testdata.ts';
import { sha256, type Verdict } from './testing.ts';

const notes = loadTestdata('signed-notes.json');
const logs = loadTestdata('checkpoint-logs.json');

interface NoteCase {
  id: string;
  desc: string;
  vkeys: string[];
  expect: Verdict;
  note?: string;
  note_base64?: string;
  our_result: { per_signature?: string[] };
  cosignature_timestamp?: number;
}

const message = (c: NoteCase): string | Buffer => c.note ?? Buffer.from(c.note_base64!, 'base64');

/** Runs the whole pipeline a verifier would: vkeys → verifiers → openNote. */
function judge(c: NoteCase): { verdict: Verdict; opened?: VerifiedNote; error?: NoteError } {
  let verifiers: NoteVerifier[];
  try {
    verifiers = c.vkeys.map(verifierFromVkey);
  } catch (err) {
    // A vkey we refuse (Finding 1: the corrupt sum.golang.org key) verifies nothing.
    assert.ok(err instanceof NoteError && err.code === 'BAD_KEY', `unexpected vkey error ${err}`);
    return { verdict: 'invalid', error: err };
  }
  try {
    return { verdict: 'valid', opened: openNote(message(c), verifiers) };
  } catch (err) {
    assert.ok(err instanceof NoteError, `unexpected error ${err}`);
    return { verdict: err.code === 'MALFORMED' ? 'malformed' : 'invalid', error: err };
  }
}

describe('openNote over testdata/signed-notes.json', () => {
  it('has every case', () => assert.equal(notes.cases.length, notes.count));

  for (const c of notes.cases as NoteCase[]) {
    describe(`${c.id}: ${c.desc}`, () => {
      const per = c.our_result.per_signature ?? [];
      const got = judge(c);

      it(`is ${c.expect}`, () => assert.equal(got.verdict, c.expect));

      if (c.expect === 'valid') {
        it('reports each verified key and each unknown key', () => {
          assert.equal(got.opened!.verified.length, per.filter((s) => s === 'verified').length);
          assert.equal(got.opened!.unverified.length, per.filter((s) => s === 'unknown-key').length);
        });
      } else if (per.includes('BAD-SIGNATURE')) {
        it('throws NoteError BAD_SIGNATURE', () => assert.equal(got.error?.code, 'BAD_SIGNATURE'));
      } else if (per.length > 0 && per.every((s) => s === 'unknown-key')) {
        it('throws NoteError NO_VERIFIED_SIGNATURE', () => assert.equal(got.error?.code, 'NO_VERIFIED_SIGNATURE'));
      } else if (per.includes('bad-vkey')) {
        it('rejects the vkey with NoteError BAD_KEY', () => assert.equal(got.error?.code, 'BAD_KEY'));
      }

      if (c.expect !== 'malformed') {
        it('re-serializes byte for byte', () => {
          const m = message(c);
          assert.equal(formatNote(parseNote(m)), typeof m === 'string' ? m : m.toString('utf8'));
        });
      }
    });
  }

  describe('sumdb-15081221-cosigned', () => {
    const c = (notes.cases as NoteCase[]).find((x) => x.id === 'sumdb-15081221-cosigned')!;

    it('ignores the obsolete type-0x03 witness line when only the log key is configured', () => {
      const opened = openNote(c.note!, [verifierFromVkey(c.vkeys[0])]);
      assert.deepEqual(
        opened.verified.map((s) => s.name),
        ['sum.golang.org'],
      );
      assert.equal(opened.unverified.length, 2);
    });

    it('verifies the type-0x03 signature as legacy with its little-endian timestamp', () => {
      const legacy = verifierFromVkey(c.vkeys[2]);
      assert.equal(legacy.type, SignatureType.LegacyWitness);
      const opened = openNote(c.note!, [legacy]);
      assert.equal(opened.verified[0].time, 1673352439);
    });
  });

  it('reports the cosignature/v1 timestamp of sigsum-cosignature-v1-valid', () => {
    const c = (notes.cases as NoteCase[]).find((x) => x.id === 'sigsum-cosignature-v1-valid')!;
    const opened = openNote(c.note!, c.vkeys.map(verifierFromVkey));
    assert.equal(opened.verified[0].time, c.cosignature_timestamp);
    assert.equal(opened.verified[0].type, SignatureType.CosignatureV1);
  });
});

describe('parseVkey over testdata/checkpoint-logs.json', () => {
  it('has every log', () => assert.equal(logs.logs.length, logs.count));

  for (const log of logs.logs as { origin: string; vkey: string; key_type: string }[]) {
    describe(log.origin, () => {
      it('parses and its key ID recomputes', () => {
        const k = parseVkey(log.vkey);
        const want =
          log.key_type === 'ecdsa'
            ? sha256(k.key).subarray(0, 4)
            : sha256(Buffer.concat([Buffer.from(`${k.name}\n`), Buffer.of(k.type), k.key])).subarray(0, 4);
        assert.equal(formatKeyId(k.keyId), want.toString('hex'));
        assert.equal(k.type, log.key_type === 'ecdsa' ? SignatureType.ECDSA : SignatureType.Ed25519);
      });

      it('builds a verifier that formats back to the same vkey', () => {
        assert.equal(verifierFromVkey(log.vkey).vkey, log.vkey);
      });
    });
  }
});
