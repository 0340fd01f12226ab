/** Verifier keys: parseVkey / verifierFromVkey (c2sp.org/signed-note §Verifier keys). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  cosignatureV1Verifier,
  ecdsaKeyId,
  ed25519Verifier,
  formatKeyId,
  formatVkey,
  keyIdFor,
  NoteError,
  parseVkey,
  SignatureType,
  VerifierSet,
  verifierFromVkey,
} from '../../src/note/index.ts';
import { assertThrowsCode } from '../support/assert-code.ts';

const PETER = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
const SUMDB = 'sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8';

describe('parseVkey', () => {
  it('splits on the first two plus signs only (the base64 key contains more)', () => {
    const k = parseVkey(SUMDB);
    assert.equal(k.name, 'sum.golang.org');
    assert.equal(k.keyId, 0x033de0ae);
    assert.equal(k.type, SignatureType.Ed25519);
    assert.equal(k.key.length, 32);
  });

  it('accepts an upper-case key ID, as Go does', () => {
    assert.equal(parseVkey(PETER.replace('c74f20a3', 'C74F20A3')).keyId, 0xc74f20a3);
  });

  const bad: [string, string][] = [
    ['the corrupt sum.golang.org key from the brief (Finding 1)', 'sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ly4htXJ2p89ewJR'],
    ['a wrong key ID', PETER.replace('c74f20a3', 'c74f20a4')],
    ['a 7-digit key ID', PETER.replace('c74f20a3', 'c74f20a')],
    ['a signed key ID', PETER.replace('c74f20a3', '-74f20a3')],
    ['no key', 'PeterNeumann+c74f20a3'],
    ['an empty key', 'PeterNeumann+c74f20a3+'],
    ['a type byte only', 'PeterNeumann+c74f20a3+AQ=='],
    ['a name with a space', PETER.replace('PeterNeumann', 'Peter Neumann')],
    ['an empty name', PETER.replace('PeterNeumann', '')],
    ['a 31-byte Ed25519 key', 'x+00000000+AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=='],
    ['an ECDSA key that is not an SPKI', `x+${formatKeyId(ecdsaKeyId(Buffer.of(0, 0)))}+AgAA`],
  ];
  for (const [desc, vkey] of bad) {
    it(`rejects ${desc} with NoteError BAD_KEY`, () => {
      assertThrowsCode(() => verifierFromVkey(vkey), NoteError, 'BAD_KEY');
    });
  }

  it('rejects an unassigned type byte with NoteError UNSUPPORTED_ALGORITHM', () => {
    assertThrowsCode(() => parseVkey('x+00000000+/wAA'), NoteError, 'UNSUPPORTED_ALGORITHM');
  });

  it('parses an ML-DSA-44 (0x06) vkey but cannot verify it: UNSUPPORTED_ALGORITHM', () => {
    const key = Buffer.alloc(1312, 7);
    const vkey = `w+${formatKeyId(keyIdFor('w', 0x06, key))}+${Buffer.concat([Buffer.of(0x06), key]).toString('base64')}`;
    assert.equal(parseVkey(vkey).type, SignatureType.MLDSA44Cosignature);
    assertThrowsCode(() => verifierFromVkey(vkey), NoteError, 'UNSUPPORTED_ALGORITHM');
  });
});

describe('verifierFromVkey', () => {
  it('gives the same key a different key ID per signature type', () => {
    const raw = parseVkey(PETER).key;
    const plain = ed25519Verifier('PeterNeumann', raw);
    const cosig = cosignatureV1Verifier('PeterNeumann', raw);
    assert.equal(plain.keyId, 0xc74f20a3);
    assert.notEqual(cosig.keyId, plain.keyId);
    assert.equal(verifierFromVkey(cosig.vkey).type, SignatureType.CosignatureV1);
  });
});

describe('VerifierSet', () => {
  it('accepts the same vkey twice', () => {
    assert.equal(new VerifierSet([verifierFromVkey(PETER), verifierFromVkey(PETER)]).size, 1);
  });

  it('rejects two different keys with one (name, key ID) with NoteError AMBIGUOUS_KEY', () => {
    const a = verifierFromVkey(PETER);
    const impostor = { ...a, vkey: `${a.vkey}x` };
    assertThrowsCode(() => new VerifierSet([a, impostor]), NoteError, 'AMBIGUOUS_KEY');
  });
});

describe('formatVkey', () => {
  it('formats what parseVkey parsed, for every vkey in the shared vectors', () => {
    for (const vkey of [
      PETER,
      SUMDB,
      'rekor.sigstore.dev+c0d23d6a+AjBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABNhtmPtrWm3U1eQXBogSMdGvXwBcK5AW5i0hrZLOC96l+smGNM7nwZ4QvFK/4sueRoVj//QP22Ni4Qt9DPfkWLc=',
    ]) {
      assert.equal(formatVkey(parseVkey(vkey)), vkey);
    }
  });

  it('parseVkey ∘ formatVkey = id for 32-byte keys of types 0x01, 0x03, 0x04', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom('a', 'z', '.', '/', '0', 'é'), minLength: 1, maxLength: 20 }),
        fc.constantFrom(SignatureType.Ed25519, SignatureType.LegacyWitness, SignatureType.CosignatureV1),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        (name, type, key) => {
          const k = parseVkey(formatVkey({ name, type, key: Buffer.from(key) }));
          assert.deepEqual({ ...k }, { name, type, key: Buffer.from(key), keyId: k.keyId });
          assert.equal(k.keyId, keyIdFor(name, type, key));
        },
      ),
    );
  });
});
