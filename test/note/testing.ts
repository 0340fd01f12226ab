/**
 * Test-only helpers for note and checkpoint tests: throw-assertions on
 * (class, code) and throwaway keys built directly on node:crypto.
 */
import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import type { KeyType, Signer } from '../../src/crypto/index.ts';
import type { GrapevineError } from '../../src/errors.ts';

/** Asserts `fn` throws an instance of `cls` with `code` (never checks the message). */
export function assertThrowsCode<E extends GrapevineError>(
  fn: () => unknown,
  cls: abstract new (...args: never[]) => E,
  code: E['code'],
): E {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof cls, `want ${cls.name} ${code}, got ${String(caught)}`);
  assert.equal((caught as E).code, code);
  return caught as E;
}

/** Verdict of a note check in the vocabulary of the shared vectors. */
export type Verdict = 'valid' | 'invalid' | 'malformed';

/** A throwaway key pair as a src/crypto Signer (does not depend on src/crypto's key parsing). */
export function testSigner(type: Exclude<KeyType, 'rsa'>): Signer & { privateKey: KeyObject } {
  const { publicKey, privateKey } =
    type === 'ed25519' ? generateKeyPairSync('ed25519') : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const spki = publicKey.export({ format: 'der', type: 'spki' });
  return {
    privateKey,
    publicKey: { type, key: publicKey, spki },
    sign: (data: Uint8Array) =>
      type === 'ed25519' ? sign(null, data, privateKey) : sign('sha256', data, { key: privateKey, dsaEncoding: 'der' }),
  };
}

export const sha256 = (b: Uint8Array | string) => createHash('sha256').update(b).digest();
