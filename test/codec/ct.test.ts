import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  CodecError,
  type CodecErrorCode,
  decodeDigitallySigned,
  decodeTreeHeadSignature,
  encodeDigitallySigned,
  encodeTreeHeadSignature,
  TREE_HEAD_SIGNATURE_SIZE,
} from '../../src/codec/index.ts';
import { assertThrowsCode } from '../support/assert-code.ts';
import { loadTestdata } from '../testdata.ts';
import { b64, hex } from './testing.ts';

const sths = loadTestdata('ct-sths.json');
/** Every STH in the file that carries a computed tbs_hex. */
const withTbs = [...sths.real_log_sths, ...sths.test_key_sths, ...sths.negative_sths].filter((s) => s.tbs_hex);

describe('encodeTreeHeadSignature (RFC 6962 §3.5)', () => {
  for (const s of withTbs) {
    it(`${s.id}: matches tbs_hex byte for byte`, () => {
      const tbs = encodeTreeHeadSignature({
        timestamp: s.sth.timestamp,
        treeSize: s.sth.tree_size,
        sha256RootHash: b64(s.sth.sha256_root_hash),
      });
      assert.equal(tbs.length, TREE_HEAD_SIGNATURE_SIZE);
      assert.equal(tbs.toString('hex'), s.tbs_hex);
    });
  }

  it('refuses a root hash that is not 32 bytes with LENGTH_OUT_OF_BOUNDS', () =>
    assertThrowsCode(
      () => encodeTreeHeadSignature({ timestamp: 1, treeSize: 1, sha256RootHash: Buffer.alloc(31) }),
      CodecError,
      'LENGTH_OUT_OF_BOUNDS',
    ));
});

describe('decodeTreeHeadSignature', () => {
  for (const s of withTbs) {
    it(`${s.id}: decodes tbs_hex to the STH's fields`, () => {
      const th = decodeTreeHeadSignature(hex(s.tbs_hex));
      assert.equal(th.timestamp, s.sth.timestamp);
      assert.equal(th.treeSize, s.sth.tree_size);
      assert.equal(th.sha256RootHash.toString('base64'), s.sth.sha256_root_hash);
    });
  }

  const good = withTbs[0].tbs_hex as string;
  const bad: { desc: string; input: string; code: CodecErrorCode }[] = [
    { desc: 'version v2 (1)', input: `01${good.slice(2)}`, code: 'BAD_VALUE' },
    { desc: 'signature_type certificate_timestamp (0)', input: `0000${good.slice(4)}`, code: 'BAD_VALUE' },
    { desc: 'a truncated root hash', input: good.slice(0, -2), code: 'TRUNCATED' },
    { desc: 'a trailing byte', input: `${good}00`, code: 'TRAILING_DATA' },
    { desc: 'a tree size above 2^53-1', input: `0001${'00'.repeat(8)}0020000000000000${'00'.repeat(32)}`, code: 'UNSAFE_INTEGER' },
  ];
  for (const tc of bad) {
    it(`rejects ${tc.desc} with CodecError ${tc.code}`, () =>
      assertThrowsCode(() => decodeTreeHeadSignature(hex(tc.input)), CodecError, tc.code));
  }

  it('round-trips any tree head', () => {
    fc.assert(
      fc.property(fc.maxSafeNat(), fc.maxSafeNat(), fc.uint8Array({ minLength: 32, maxLength: 32 }), (timestamp, treeSize, root) => {
        const th = decodeTreeHeadSignature(encodeTreeHeadSignature({ timestamp, treeSize, sha256RootHash: Buffer.from(root) }));
        assert.deepEqual([th.timestamp, th.treeSize, new Uint8Array(th.sha256RootHash)], [timestamp, treeSize, root]);
      }),
    );
  });
});

describe('decodeDigitallySigned (RFC 5246 §4.7)', () => {
  for (const s of [...sths.real_log_sths, ...sths.test_key_sths]) {
    it(`${s.id}: reads hash ${s.signature_alg.hash}, signature ${s.signature_alg.signature}, ${s.signature_alg.sig_len} bytes`, () => {
      const raw = b64(s.sth.tree_head_signature);
      const ds = decodeDigitallySigned(raw);
      assert.equal(ds.hashAlgorithm, s.signature_alg.hash);
      assert.equal(ds.signatureAlgorithm, s.signature_alg.signature);
      assert.equal(ds.signature.length, s.signature_alg.sig_len);
      assert.deepEqual(encodeDigitallySigned(ds), raw, 're-encodes to the same bytes');
    });
  }

  const junk = sths.negative_sths.find((s: { id: string }) => s.id === 'ctgo-logclient-trailingjunk');
  it('rejects the Argon2018 signature with junk appended with TRAILING_DATA, and accepts it stripped', () => {
    // Decoded leniently here on purpose: the file's base64 is itself non-canonical (see ct-json tests).
    assertThrowsCode(() => decodeDigitallySigned(b64(junk.sth.tree_head_signature)), CodecError, 'TRAILING_DATA');
    assert.equal(decodeDigitallySigned(b64(junk.stripped_signature_that_verifies)).signature.length, 70);
  });

  const bad: { desc: string; input: string; code: CodecErrorCode }[] = [
    { desc: 'an empty input', input: '', code: 'TRUNCATED' },
    { desc: 'a missing length', input: '0403', code: 'TRUNCATED' },
    { desc: 'a signature shorter than its length', input: '0403000501', code: 'TRUNCATED' },
    { desc: 'bytes after the signature', input: '040300010101', code: 'TRAILING_DATA' },
  ];
  for (const tc of bad) {
    it(`rejects ${tc.desc} with CodecError ${tc.code}`, () =>
      assertThrowsCode(() => decodeDigitallySigned(hex(tc.input)), CodecError, tc.code));
  }

  it('allows an empty signature (opaque signature<0..2^16-1>)', () => {
    assert.equal(decodeDigitallySigned(hex('04030000')).signature.length, 0);
  });

  it('refuses to encode a signature longer than 65535 bytes', () =>
    assertThrowsCode(
      () => encodeDigitallySigned({ hashAlgorithm: 4, signatureAlgorithm: 3, signature: Buffer.alloc(65536) }),
      CodecError,
      'LENGTH_OUT_OF_BOUNDS',
    ));
});
