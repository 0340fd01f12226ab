import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import { checkVerificationKey, PublicKeyCache, RSA_MAX_EXPONENT, X509Error } from '../../src/x509/index.ts';
import { assertThrowsCode } from '../support/assert-code.ts';
import { oddNumber, rsaSpki } from './forge.ts';

const spkiOf = (k: ReturnType<typeof generateKeyPairSync>['publicKey']) => k.export({ type: 'spki', format: 'der' }) as Buffer;
const e = (n: number | bigint) =>
  Buffer.from(
    BigInt(n)
      .toString(16)
      .padStart(2 * Math.ceil(BigInt(n).toString(16).length / 2), '0'),
    'hex',
  );

describe('checkVerificationKey (x509/keys.ts)', () => {
  const ok: { desc: string; spki: () => Buffer; want: string }[] = [
    { desc: 'ECDSA P-256', spki: () => spkiOf(generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey), want: 'ec' },
    { desc: 'ECDSA P-521', spki: () => spkiOf(generateKeyPairSync('ec', { namedCurve: 'P-521' }).publicKey), want: 'ec' },
    { desc: 'Ed25519', spki: () => spkiOf(generateKeyPairSync('ed25519').publicKey), want: 'ed25519' },
    { desc: 'RSA 2048, e = 65537', spki: () => rsaSpki(oddNumber(2048), e(65537)), want: 'rsa' },
    { desc: 'RSA 1024 (2013-era CAs), e = 3', spki: () => rsaSpki(oddNumber(1024), e(3)), want: 'rsa' },
    { desc: 'RSA 8192, e = 2^31 - 1 (the limits)', spki: () => rsaSpki(oddNumber(8192), e(RSA_MAX_EXPONENT)), want: 'rsa' },
  ];
  for (const tc of ok) {
    it(`accepts ${tc.desc}`, () => assert.equal(checkVerificationKey(tc.spki()), tc.want));
  }

  const refused: { desc: string; spki: () => Buffer }[] = [
    { desc: 'an RSA exponent of 2^31 + 1 (above Go’s cap)', spki: () => rsaSpki(oddNumber(2048), e(2 ** 31 + 1)) },
    { desc: 'a 3072-bit RSA exponent (issue 9 #2)', spki: () => rsaSpki(oddNumber(3072), oddNumber(3072)) },
    { desc: 'an even RSA exponent', spki: () => rsaSpki(oddNumber(2048), e(65538)) },
    { desc: 'RSA exponent 1', spki: () => rsaSpki(oddNumber(2048), e(1)) },
    { desc: 'a 1016-bit RSA modulus', spki: () => rsaSpki(oddNumber(1016), e(65537)) },
    { desc: 'an 8200-bit RSA modulus', spki: () => rsaSpki(oddNumber(8200), e(65537)) },
    { desc: 'an EC key on secp256k1', spki: () => spkiOf(generateKeyPairSync('ec', { namedCurve: 'secp256k1' }).publicKey) },
    { desc: 'an X25519 key', spki: () => spkiOf(generateKeyPairSync('x25519').publicKey) },
    { desc: 'bytes that are not a SubjectPublicKeyInfo', spki: () => Buffer.from('3003020101', 'hex') },
  ];
  for (const tc of refused) {
    it(`refuses ${tc.desc} with UNSUPPORTED_KEY`, () => {
      const spki = tc.spki();
      assertThrowsCode(() => checkVerificationKey(spki), X509Error, 'UNSUPPORTED_KEY');
      assertThrowsCode(() => new PublicKeyCache().get(spki), X509Error, 'UNSUPPORTED_KEY');
    });
  }
});
