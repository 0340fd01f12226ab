/**
 * What follows from one due promise (an SCT of a CT log, an SGT of a hub),
 * judged against the last head by checks.ts promiseStatus, the same for
 * both kinds of audit: kept → settled; absent → settled, and a
 * broken-promise proof; not shown either way → asked again next round, and
 * after `proofAttempts` rounds settled as a promise-unconfirmed suspicion
 * (a failed fetch alone is never proof).
 *
 * Ownership: one per audited log or hub; rounds of one audit do not overlap.
 */
import { attempt, brokenPromiseEvidence, type EvidenceLog, promiseUnconfirmedEvidence } from '../evidence/index.ts';
import type { AuditContext } from './audit-context.ts';
import { promiseStatus } from './checks.ts';
import type { PendingPromise } from './promises.ts';
import type { Seen } from './seen.ts';
import type { SourceView } from './source-view.ts';
import type { TreeReader } from './tree-reader.ts';

export class PromiseChecker {
  readonly #a: AuditContext;
  readonly #name: string;
  readonly #evidence: EvidenceLog;
  /** Rounds each unsettled promise stayed unshown, by leaf hash (hex); an entry leaves when its promise settles. */
  readonly #tries = new Map<string, number>();

  constructor(a: AuditContext, name: string, evidence: EvidenceLog) {
    this.#a = a;
    this.#name = name;
    this.#evidence = evidence;
  }

  async check(p: PendingPromise, last: Seen, view: SourceView, reader: TreeReader): Promise<void> {
    const st = await promiseStatus(p, last, view, reader, this.#a.maxLeaves);
    const by = { log: this.#evidence, by: this.#a.ctx.by, atMs: this.#a.ctx.now() };
    const k = p.leafHash.toString('hex');
    if (st.status === 'kept') {
      this.#settle(p, k);
    } else if (st.status === 'absent') {
      this.#settle(p, k);
      await this.#a.raise('broken-promise', () =>
        brokenPromiseEvidence({
          ...by,
          promise: p.signed,
          last: last.head,
          leafHashes: st.leafHashes,
          ...(st.before ? { before: { head: st.before.head.head, rangeHashes: st.before.rangeHashes } } : {}),
        }),
      );
    } else {
      const tries = (this.#tries.get(k) ?? 0) + 1;
      this.#tries.set(k, tries);
      if (tries >= this.#a.proofAttempts) {
        this.#settle(p, k);
        await this.#a.raise('promise-unconfirmed', () =>
          promiseUnconfirmedEvidence({
            ...by,
            promise: p.signed,
            last: last.head,
            attempts: [attempt(`inclusion in the tree of size ${last.size}`, this.#a.ctx.now(), st.why)],
          }),
        );
      }
    }
  }

  #settle(p: PendingPromise, k: string): void {
    this.#a.book.settle(this.#name, p.leafHash);
    this.#tries.delete(k);
  }
}
