/**
 * Signing and verifying each signature type: Ed25519 (0x01), ECDSA (0x02),
 * legacy witness (0x03), cosignature/v1 (0x04), RFC 6962 (0x05).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { decodeBase64 } from '../../src/codec/index.ts';
import {
  addSignatures,
  cosignatureV1Signer,
  cosignatureV1Time,
  cosignatureV1Verifier,
  cosignerFromSkey,
  ecdsaVerifier,
  ed25519NoteSigner,
  ed25519SignerFromSeed,
  formatNote,
  formatSkey,
  formatVkey,
  NoteError,
  type NoteSignature,
  noteSignerFromSkey,
  openNote,
  parseNote,
  parseRfc6962NoteSignature,
  parseSkey,
  parseVkey,
  rfc6962NoteSignature,
  rfc6962Verifier,
  SignatureType,
  signNote,
  verifierFromVkey,
  verifyNoteSignature,
} from '../../src/note/index.ts';
import { assertThrowsCode, thrownWithCode } from '../support/assert-code.ts';
import { loadTestdata } from '../testdata.ts';
import { testSigner } from './testing.ts';

const notes = loadTestdata('signed-notes.json');
const caseNote = (id: string): string => notes.cases.find((c: { id: string }) => c.id === id).note;
// sigsum-go's crypto.PrivateKey{17}: seed 0x11 followed by 31 zero bytes (signed-notes.json).
const SIGSUM_SEED = Buffer.concat([Buffer.of(0x11), Buffer.alloc(31)]);

describe('ed25519NoteSigner', () => {
  it('reproduces the sigsum test-log checkpoint byte for byte (deterministic Ed25519)', () => {
    const golden = caseNote('sigsum-log-checkpoint');
    const { text } = parseNote(golden);
    const origin = text.split('\n')[0];
    assert.equal(signNote(text, ed25519NoteSigner(origin, ed25519SignerFromSeed(SIGSUM_SEED))), golden);
  });

  it('produces notes that open under its own vkey', () => {
    const s = ed25519NoteSigner('example.com/log', testSigner('ed25519'));
    const opened = openNote(signNote('hello\n', s), [verifierFromVkey(s.vkey)]);
    assert.equal(opened.verified[0].type, SignatureType.Ed25519);
  });

  it('gives a vkey that formatVkey reproduces and parseVkey accepts', () => {
    const signer = testSigner('ed25519');
    const { vkey } = ed25519NoteSigner('k.example', signer);
    const parsed = parseVkey(vkey);
    assert.equal(formatVkey({ name: parsed.name, type: parsed.type, key: parsed.key }), vkey);
  });

  it('refuses a signer holding a non-Ed25519 key with NoteError BAD_KEY', () => {
    assertThrowsCode(() => ed25519NoteSigner('x', testSigner('ecdsa-p256')), NoteError, 'BAD_KEY');
  });

  it('refuses an invalid key name with NoteError BAD_KEY_NAME', () => {
    assertThrowsCode(() => ed25519NoteSigner('a b', testSigner('ed25519')), NoteError, 'BAD_KEY_NAME');
  });
});

// golang.org/x/mod/sumdb/note documentation: the PeterNeumann signer key and its signed note.
const GO_SKEY = 'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz';

describe('Go signer keys (skey)', () => {
  it('reproduce the x/mod/sumdb/note golden note', () => {
    const golden = caseNote('gomod-peter');
    const s = noteSignerFromSkey(GO_SKEY);
    assert.equal(s.vkey, 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW');
    assert.equal(signNote(parseNote(golden).text, s), golden);
  });

  it('round-trip through formatSkey', () => {
    const k = parseSkey(GO_SKEY);
    const seed = Buffer.from(GO_SKEY.split('+').slice(4).join('+'), 'base64').subarray(1);
    assert.equal(formatSkey(k.name, seed), GO_SKEY);
  });

  it('make a cosigner whose vkey is the 0x04 one', () => {
    const w = cosignerFromSkey(formatSkey('example.org/witness', SIGSUM_SEED));
    assert.equal(w.vkey, 'example.org/witness+cacf2e50+BGbguFjkYqYJ5m/nE3DIFtiEb/ED1UmaIqf+w3/bxCSn');
  });

  const bad: [string, string][] = [
    ['a wrong key ID', GO_SKEY.replace('c74f20a3', 'c74f20a4')],
    ['a missing PRIVATE+KEY prefix', GO_SKEY.replace('PRIVATE+KEY+', '')],
    ['a short seed', 'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKA=='],
    ['non-canonical base64', `${GO_SKEY.slice(0, -1)}`],
  ];
  for (const [desc, skey] of bad) {
    it(`reject ${desc} with NoteError BAD_KEY`, () => {
      const err = thrownWithCode(() => parseSkey(skey), NoteError, 'BAD_KEY');
      assert.ok(!err.message.includes('AYEKFALV'), 'the secret must not appear in the message');
    });
  }
});

describe('signNote', () => {
  const a = ed25519NoteSigner('a.example', testSigner('ed25519'));
  const b = ed25519NoteSigner('b.example', testSigner('ed25519'));

  it('appends new signatures after existing ones and replaces a re-signing key', () => {
    const once = signNote('t\n', a, b);
    const again = signNote(parseNote(once), a);
    assert.deepEqual(
      parseNote(again).signatures.map((s) => s.name),
      ['b.example', 'a.example'],
    );
  });

  it('rejects text without a final newline with NoteError MALFORMED', () => {
    assertThrowsCode(() => signNote('t', a), NoteError, 'MALFORMED');
  });

  it('rejects text with a control character with NoteError MALFORMED', () => {
    assertThrowsCode(() => signNote('t\u0007\n', a), NoteError, 'MALFORMED');
  });
});

describe('addSignatures', () => {
  it('merges cosignature lines, keeping one per key', () => {
    const log = ed25519NoteSigner('log', testSigner('ed25519'));
    const w = cosignatureV1Signer('witness', testSigner('ed25519'));
    const note = parseNote(signNote('log\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n', log));
    const merged = addSignatures(addSignatures(note, [w.cosign(note.text, 1)]), [w.cosign(note.text, 2)]);
    assert.equal(merged.signatures.length, 2);
    const opened = openNote(formatNote(merged), [verifierFromVkey(log.vkey), verifierFromVkey(w.vkey)]);
    assert.equal(opened.verified[1].time, 2);
  });
});

describe('cosignature/v1 (0x04)', () => {
  it('reproduces the sigsum-go cosignature vector at time 1234 byte for byte', () => {
    const golden = caseNote('sigsum-cosignature-v1-valid');
    const { text, signatures } = parseNote(golden);
    const w = cosignatureV1Signer('example.org/witness', ed25519SignerFromSeed(SIGSUM_SEED));
    assert.equal(w.vkey, 'example.org/witness+cacf2e50+BGbguFjkYqYJ5m/nE3DIFtiEb/ED1UmaIqf+w3/bxCSn');
    assert.deepEqual(w.cosign(text, 1234), signatures[0]);
    assert.equal(signNote(text, w.at(1234)), golden);
  });

  it('signs and verifies at the caller-supplied time, reporting it', () => {
    const w = cosignatureV1Signer('w.example', testSigner('ed25519'));
    const sig = w.cosign('o\n5\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n', 1_700_000_000);
    assert.equal(cosignatureV1Time(sig.signature), 1_700_000_000);
    const v = verifyNoteSignature('o\n5\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n', sig, [verifierFromVkey(w.vkey)]);
    assert.equal(v.time, 1_700_000_000);
  });

  it('does not verify under the plain Ed25519 (0x01) vkey of the same key: different key ID, unknown key', () => {
    const signer = testSigner('ed25519');
    const w = cosignatureV1Signer('w', signer);
    const plain = ed25519NoteSigner('w', signer);
    assertThrowsCode(() => openNote(signNote('x\n', w.at(1)), [verifierFromVkey(plain.vkey)]), NoteError, 'NO_VERIFIED_SIGNATURE');
  });

  for (const t of [-1, 1.5, 2 ** 53, Number.NaN]) {
    it(`refuses to sign at time ${t} with NoteError BAD_TIMESTAMP`, () => {
      const w = cosignatureV1Signer('w', testSigner('ed25519'));
      assertThrowsCode(() => w.cosign('x\n', t), NoteError, 'BAD_TIMESTAMP');
    });
  }

  it('rejects a timestamp above 2^63-1 even with a matching key', () => {
    const v = cosignatureV1Verifier('w', Buffer.alloc(32, 1));
    const sig = Buffer.alloc(72);
    sig.writeBigUInt64BE(1n << 63n, 0);
    assert.equal(v.verify(Buffer.from('x\n'), sig), null);
  });
});

describe('ECDSA (0x02)', () => {
  const signer = testSigner('ecdsa-p256');
  const v = ecdsaVerifier('rekor.example', signer.publicKey.spki);
  const text = 'rekor.example - 1\n7\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n';
  const sig: NoteSignature = { name: v.name, keyId: v.keyId, signature: signer.sign(Buffer.from(text)) };

  it('verifies a DER signature over SHA-256(text) under the vkey', () => {
    const opened = openNote(formatNote({ text, signatures: [sig] }), [verifierFromVkey(v.vkey)]);
    assert.equal(opened.verified[0].type, SignatureType.ECDSA);
  });

  it('rejects another text with NoteError BAD_SIGNATURE', () => {
    assertThrowsCode(() => openNote(formatNote({ text: `${text}x\n`, signatures: [sig] }), [v]), NoteError, 'BAD_SIGNATURE');
  });

  it('rejects garbage signature bytes with NoteError BAD_SIGNATURE, without throwing anything else', () => {
    const garbage = { ...sig, signature: Buffer.from('not DER at all') };
    assertThrowsCode(() => openNote(formatNote({ text, signatures: [garbage] }), [v]), NoteError, 'BAD_SIGNATURE');
  });
});

describe('RFC 6962 tree head signatures (0x05) over the real STHs of testdata/ct-sths.json', () => {
  const cts = loadTestdata('ct-sths.json');
  interface Sth {
    id: string;
    log: { key: string; url?: string };
    sth: { tree_size: number; timestamp: number; sha256_root_hash: string; tree_head_signature: string };
  }
  const origin = (s: Sth) => (s.log.url ?? 'test.example/ct/').replace(/^https:\/\//, '').replace(/\/$/, '');
  const body = (s: Sth, o = origin(s)) => `${o}\n${s.sth.tree_size}\n${s.sth.sha256_root_hash}\n`;
  /**
   * The note signature bytes taken verbatim from the STH: BE64(timestamp) || tree_head_signature.
   * Lenient base64 on purpose: the trailing-junk vector is not canonical base64, and what is
   * under test here is the note verifier, not the JSON decoder.
   */
  const rawSig = (s: Sth, timestamp = s.sth.timestamp): Buffer => {
    const t = Buffer.alloc(8);
    t.writeBigUInt64BE(BigInt(timestamp));
    return Buffer.concat([t, Buffer.from(s.sth.tree_head_signature, 'base64')]);
  };

  for (const s of [...cts.real_log_sths, ...cts.test_key_sths] as Sth[]) {
    describe(s.id, () => {
      const spki = decodeBase64(s.log.key);
      const v = rfc6962Verifier(origin(s), spki);

      it('verifies as a checkpoint note, reporting the STH timestamp', () => {
        const parsed = parseRfc6962NoteSignature(rawSig(s))!;
        const sig = rfc6962NoteSignature(origin(s), spki, s.sth.timestamp, parsed.treeHeadSignature);
        const opened = openNote(formatNote({ text: body(s), signatures: [sig] }), [verifierFromVkey(v.vkey)]);
        assert.equal(opened.verified[0].timestampMs, s.sth.timestamp);
      });

      const bad: [string, string, Buffer][] = [
        ['an origin other than the key name', body(s, 'other.example/log'), rawSig(s)],
        ['an extension line', `${body(s)}extra\n`, rawSig(s)],
        ['tree size + 1', body(s).replace(`\n${s.sth.tree_size}\n`, `\n${s.sth.tree_size + 1}\n`), rawSig(s)],
        ['timestamp + 1', body(s), rawSig(s, s.sth.timestamp + 1)],
        ['a trailing byte after the DigitallySigned', body(s), Buffer.concat([rawSig(s), Buffer.of(0)])],
      ];
      for (const [desc, text, signature] of bad) {
        it(`rejects ${desc} with NoteError BAD_SIGNATURE`, () => {
          assertThrowsCode(
            () => openNote(formatNote({ text, signatures: [{ name: v.name, keyId: v.keyId, signature }] }), [v]),
            NoteError,
            'BAD_SIGNATURE',
          );
        });
      }
    });
  }

  for (const s of (cts.negative_sths as (Sth & { why: string })[]).filter((n) => !n.id.includes('unknownlog'))) {
    it(`rejects ${s.id} with NoteError BAD_SIGNATURE`, () => {
      const v = rfc6962Verifier(origin(s), decodeBase64(s.log.key));
      const note = formatNote({ text: body(s), signatures: [{ name: v.name, keyId: v.keyId, signature: rawSig(s) }] });
      assertThrowsCode(() => openNote(note, [v]), NoteError, 'BAD_SIGNATURE');
    });
  }

  it('refuses an Ed25519 key for RFC 6962 with NoteError BAD_KEY', () => {
    assertThrowsCode(() => rfc6962Verifier('x', testSigner('ed25519').publicKey.spki), NoteError, 'BAD_KEY');
  });
});

describe('properties', () => {
  const s = ed25519NoteSigner('p.example', testSigner('ed25519'));
  const v = verifierFromVkey(s.vkey);
  const signed = signNote('p.example\n42\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n', s);
  const { text, signatures } = parseNote(signed);

  it('any single bit flip in the signature bytes gives BAD_SIGNATURE', () => {
    fc.assert(
      fc.property(fc.nat(64 * 8 - 1), (bit) => {
        const sig = Buffer.from(signatures[0].signature);
        sig[bit >> 3] ^= 1 << (bit & 7);
        assertThrowsCode(
          () => openNote(formatNote({ text, signatures: [{ ...signatures[0], signature: sig }] }), [v]),
          NoteError,
          'BAD_SIGNATURE',
        );
      }),
    );
  });

  it('any change to the text gives BAD_SIGNATURE (or MALFORMED)', () => {
    fc.assert(
      fc.property(fc.nat(text.length - 2), fc.constantFrom('0', 'x', '/', '\n'), (i, ch) => {
        fc.pre(text[i] !== ch);
        const t = `${text.slice(0, i)}${ch}${text.slice(i + 1)}`;
        try {
          openNote(formatNote({ text: t, signatures }), [v]);
          assert.fail('tampered note verified');
        } catch (err) {
          assert.ok(err instanceof NoteError && (err.code === 'BAD_SIGNATURE' || err.code === 'MALFORMED'), String(err));
        }
      }),
    );
  });
});
