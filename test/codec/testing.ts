/** Test-only helpers for codec, crypto and keygen tests. */
import assert from 'node:assert/strict';
import type { GrapevineError } from '../../src/errors.ts';

/** Asserts `fn` throws an instance of `cls` with `code` (never checks the message). */
export function assertThrowsCode<E extends GrapevineError>(
  fn: () => unknown,
  cls: abstract new (...args: never[]) => E,
  code: E['code'],
): void {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  assert.ok(
    caught instanceof cls,
    `want ${cls.name} ${code}, got ${caught instanceof Error ? `${caught.name}: ${caught.message}` : String(caught)}`,
  );
  assert.equal((caught as E).code, code, `want code ${code}, got ${(caught as E).code}: ${(caught as E).message}`);
}

export const hex = (s: string): Buffer => Buffer.from(s, 'hex');
/** Lenient base64 for reading fixtures (strictness is what the code under test checks). */
export const b64 = (s: string): Buffer => Buffer.from(s, 'base64');
