/**
 * What the auditor persists per log and per hub (through a HeadStore, so it
 * resumes after a restart): the signed heads of its chain (re-verified on
 * load), the hub tree's compact range, and pending promises. Each record's
 * body is JSON within the HeadStore's 64 KiB: the chain is thinned to its
 * ends and the promise list to its newest entries when larger.
 */
import { type HeadStore, MAX_HEAD_BODY_BYTES } from '../audit/index.ts';
import { checkSignedHead, type EvidenceLog, type SignedHead, type SignedPromise } from '../evidence/index.ts';
import type { Seen } from './seen.ts';

export interface LogStateBody {
  readonly v: 1;
  readonly heads: SignedHead[];
  readonly claim?: SignedHead;
}

export interface HubStateBody extends LogStateBody {
  readonly tree: { readonly size: number; readonly hashes: string[] };
  readonly accepted?: SignedHead;
  readonly ranges: { readonly size: number; readonly hashes: string[] }[];
}

export interface PromisesBody {
  readonly v: 1;
  readonly promises: SignedPromise[];
}

/** Thins `heads` (kept: first and last ones) until `encode` fits the body limit. */
export function fit<T>(make: (heads: SignedHead[]) => T, heads: SignedHead[]): Buffer {
  let hs = heads;
  for (;;) {
    const body = Buffer.from(JSON.stringify(make(hs)));
    if (body.length <= MAX_HEAD_BODY_BYTES || hs.length <= 2) return body;
    hs = [hs[0], ...hs.slice(Math.ceil(hs.length / 2))];
  }
}

/** Re-verifies persisted heads; a head that no longer verifies (key changed in the config) is dropped. */
export function reopen(heads: readonly SignedHead[], log: EvidenceLog, latest = false): Seen[] {
  const out: Seen[] = [];
  for (const head of heads) {
    try {
      const o = checkSignedHead(head, log);
      out.push({ size: o.size, root: o.root, timeNs: o.timeNs, head, latest, observedAtMs: Date.parse(head.observed.at) });
    } catch {
      // Dropped: the state was written under another key or is damaged; the auditor re-learns.
    }
  }
  return out;
}

/** A HeadStore key's current record and revision, with its JSON body parsed (null when none or unreadable). */
export async function load<T>(store: HeadStore, key: string): Promise<{ revision: number; body: T | null }> {
  const r = await store.get(key);
  if (!r) return { revision: 0, body: null };
  try {
    return { revision: r.revision, body: JSON.parse(Buffer.from(r.body).toString('utf8')) as T };
  } catch {
    return { revision: r.revision, body: null };
  }
}
