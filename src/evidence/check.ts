/**
 * Checking one signed head or promise outside a document, with the rules
 * the verifier applies inside one (open.ts): for observers that verify what
 * they receive in the very form they will later put into evidence, so what
 * they accept and what a third party's verifier accepts cannot differ.
 *
 * Pure.
 */

import { EvidenceError } from './errors.ts';
import { resolveLogKey } from './keys.ts';
import { type OpenedHead, type OpenedPromise, openHead, openPromise } from './open.ts';
import type { EvidenceLog, SignedHead, SignedPromise } from './schema.ts';
import { Unproven } from './unproven.ts';

export type { OpenedHead, OpenedPromise };

function unproven<T>(f: () => T): T {
  try {
    return f();
  } catch (err) {
    if (err instanceof Unproven) throw new EvidenceError('BAD_SIGNATURE', err.message, { cause: err });
    throw err;
  }
}

/**
 * Verifies `head` under the key `log` carries inline. Throws EvidenceError
 * MALFORMED (does not decode, or does not fit the log type) or BAD_SIGNATURE.
 */
export function checkSignedHead(head: SignedHead, log: EvidenceLog, what = 'head'): OpenedHead {
  return unproven(() => openHead(head, log, resolveLogKey(log, []), what));
}

/** Verifies a promise (SCT with its entry, or SGT) under the key `log` carries inline. */
export function checkSignedPromise(p: SignedPromise, log: EvidenceLog): OpenedPromise {
  return unproven(() => openPromise(p, log, resolveLogKey(log, [])));
}
