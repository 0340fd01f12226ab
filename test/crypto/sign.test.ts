import assert from 'node:assert/strict';
import { verify as nodeVerify } from 'node:crypto';
import { describe, it } from 'node:test';
import { type DigitallySigned, decodeDigitallySigned, encodeDigitallySigned, encodeSctSignatureInput } from '../../src/codec/index.ts';
import {
  digitallySignedAlgorithm,
  generatePrivateKey,
  type KeyType,
  parsePrivateKey,
  parsePublicKey,
  SignatureError,
  type SignatureErrorCode,
  signDigitallySigned,
  signerFromPrivateKey,
  verifyDigitallySigned,
  verifySignature,
} from '../../src/crypto/index.ts';
import { assertThrowsCode } from '../support/assert-code.ts';
import { loadTestdata } from '../testdata.ts';

const TYPES: KeyType[] = ['ecdsa-p256', 'ed25519', 'rsa'];
const data = Buffer.from('the quick brown fox');

describe('signerFromPrivateKey / verifySignature', () => {
  for (const type of TYPES) {
    const key = generatePrivateKey(type);
    const signer = signerFromPrivateKey(key);
    const sig = signer.sign(data);
    const other = generatePrivateKey(type).publicKey;

    it(`${type}: a signature verifies under its key`, () => assert.equal(verifySignature(signer.publicKey, data, sig), true));
    it(`${type}: fails for other data`, () => assert.equal(verifySignature(signer.publicKey, Buffer.from('other'), sig), false));
    it(`${type}: fails under another key`, () => assert.equal(verifySignature(other, data, sig), false));
    it(`${type}: fails with a flipped bit`, () => {
      const bad = Buffer.from(sig);
      bad[bad.length >> 1] ^= 1;
      assert.equal(verifySignature(signer.publicKey, data, bad), false);
    });
    it(`${type}: fails with a trailing byte`, () =>
      assert.equal(verifySignature(signer.publicKey, data, Buffer.concat([sig, Buffer.of(0)])), false));
    it(`${type}: fails (false, no throw) for empty and oversized signatures`, () => {
      assert.equal(verifySignature(signer.publicKey, data, Buffer.alloc(0)), false);
      assert.equal(verifySignature(signer.publicKey, data, Buffer.alloc(600, 0xff)), false);
    });
  }

  it('ecdsa-p256: signs SHA-256 with an ASN.1 DER signature, as node verifies with dsaEncoding "der"', () => {
    const signer = signerFromPrivateKey(generatePrivateKey('ecdsa-p256'));
    const sig = signer.sign(data);
    assert.equal(sig[0], 0x30, 'DER SEQUENCE');
    assert.equal(nodeVerify('sha256', data, { key: signer.publicKey.key, dsaEncoding: 'der' }, sig), true);
  });

  it('ed25519: signs the message itself (pure Ed25519), 64 bytes, deterministically', () => {
    const signer = signerFromPrivateKey(generatePrivateKey('ed25519'));
    const sig = signer.sign(data);
    assert.equal(sig.length, 64);
    assert.deepEqual(signer.sign(data), sig);
    assert.equal(nodeVerify(null, data, signer.publicKey.key, sig), true);
  });

  it('rsa: signs RSASSA-PKCS1-v1_5 with SHA-256 (a 2048-bit key gives 256 bytes)', () => {
    const signer = signerFromPrivateKey(generatePrivateKey('rsa'));
    const sig = signer.sign(data);
    assert.equal(sig.length, 256);
    assert.equal(nodeVerify('sha256', data, signer.publicKey.key, sig), true);
  });

  it('signs with a published test key so that the published log key verifies', () => {
    const pair = loadTestdata('ct-sths.json').sth_pairs.find((p: { test_private_keys_pem?: unknown }) => p.test_private_keys_pem);
    const mKey = loadTestdata('ct-sths.json').test_key_sths.find((s: { id: string }) => s.id === 'ctgo-witness-mInit').log.key;
    const signer = signerFromPrivateKey(parsePrivateKey(pair.test_private_keys_pem.m));
    assert.equal(verifySignature(parsePublicKey(mKey), data, signer.sign(data)), true);
  });
});

describe('DigitallySigned (RFC 5246 §4.7)', () => {
  const want: Record<KeyType, [number, number]> = {
    'ecdsa-p256': [4, 3], // sha256, ecdsa
    rsa: [4, 1], // sha256, rsa
    ed25519: [8, 7], // intrinsic, ed25519 (RFC 8422 §5.1.3)
  };
  for (const type of TYPES) {
    const signer = signerFromPrivateKey(generatePrivateKey(type));
    const ds = signDigitallySigned(signer, data);

    it(`${type}: signs with hash ${want[type][0]} / signature ${want[type][1]} and verifies`, () => {
      assert.deepEqual([ds.hashAlgorithm, ds.signatureAlgorithm], want[type]);
      assert.deepEqual(digitallySignedAlgorithm(type), { hashAlgorithm: want[type][0], signatureAlgorithm: want[type][1] });
      verifyDigitallySigned(signer.publicKey, data, decodeDigitallySigned(encodeDigitallySigned(ds)));
    });

    const bad: { desc: string; ds: DigitallySigned; code: SignatureErrorCode }[] = [
      { desc: 'hash sha1 (2)', ds: { ...ds, hashAlgorithm: 2 }, code: 'ALGORITHM_MISMATCH' },
      { desc: 'hash none (0)', ds: { ...ds, hashAlgorithm: 0 }, code: 'ALGORITHM_MISMATCH' },
      { desc: 'anonymous (0) signature', ds: { ...ds, signatureAlgorithm: 0 }, code: 'ALGORITHM_MISMATCH' },
      {
        desc: "another key type's signature algorithm",
        ds: { ...ds, signatureAlgorithm: type === 'ecdsa-p256' ? 1 : 3 },
        code: 'ALGORITHM_MISMATCH',
      },
      { desc: 'a signature over other data', ds: signDigitallySigned(signer, Buffer.from('x')), code: 'BAD_SIGNATURE' },
      { desc: 'an empty signature', ds: { ...ds, signature: Buffer.alloc(0) }, code: 'BAD_SIGNATURE' },
    ];
    for (const tc of bad) {
      it(`${type}: rejects ${tc.desc} with SignatureError ${tc.code}`, () =>
        assertThrowsCode(() => verifyDigitallySigned(signer.publicKey, data, tc.ds), SignatureError, tc.code));
    }
  }

  it('signs and verifies an SCT signature input (RFC 6962 §3.2) end to end', () => {
    const signer = signerFromPrivateKey(generatePrivateKey('ecdsa-p256'));
    const input = encodeSctSignatureInput({
      timestamp: 1_700_000_000_000,
      signedEntry: { entryType: 'x509_entry', certificate: Buffer.from('cert') },
      extensions: Buffer.alloc(0),
    });
    verifyDigitallySigned(signer.publicKey, input, signDigitallySigned(signer, input));
  });
});
