/**
 * Asserting a typed error by its class and code, never its message (STYLE.md
 * §5: messages are for people; the code is the contract).
 */
import assert from 'node:assert/strict';
import type { GrapevineError } from '../../src/errors.ts';

type ErrorClass<E extends GrapevineError> = abstract new (...args: never[]) => E;

function check<E extends GrapevineError>(caught: unknown, cls: ErrorClass<E>, code: E['code']): E {
  assert.ok(
    caught instanceof cls,
    `want ${cls.name} ${code}, got ${caught instanceof Error ? `${caught.name} ${(caught as E).code}: ${caught.message}` : String(caught)}`,
  );
  assert.equal((caught as E).code, code, `want code ${code}, got ${(caught as E).code}: ${(caught as E).message}`);
  return caught as E;
}

/** Asserts `fn` throws an instance of `cls` with `code`. */
export function assertThrowsCode<E extends GrapevineError>(fn: () => unknown, cls: ErrorClass<E>, code: E['code']): void {
  thrownWithCode(fn, cls, code);
}

/** As assertThrowsCode, and returns the error for further checks. */
export function thrownWithCode<E extends GrapevineError>(fn: () => unknown, cls: ErrorClass<E>, code: E['code']): E {
  let caught: unknown = 'nothing thrown';
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  return check(caught, cls, code);
}

/** Asserts `p` (or the promise `p()` returns) rejects with an instance of `cls` with `code`. */
export async function assertRejectsCode<E extends GrapevineError>(
  p: Promise<unknown> | (() => Promise<unknown>),
  cls: ErrorClass<E>,
  code: E['code'],
): Promise<void> {
  let caught: unknown = 'nothing thrown';
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (err) {
    caught = err;
  }
  check(caught, cls, code);
}
