/**
 * The Sources view: every tracked log with the head each observer holds of
 * it (the log itself, hubs, gossip services, witnesses), and whether those
 * views agree. Pure.
 *
 * Agreement, from the heads alone (no proofs are fetched here; proving
 * consistency between sizes is the monitors' job, src/monitor):
 *   single    one view: nothing to compare
 *   agree     every view has the same size and root
 *   behind    sizes differ, and views of equal size have equal roots
 *   conflict  two views of one size with different roots: a split view
 *             (specs/gossip-protocols.md §5: two signed heads of one size and
 *             different roots are proof on their own, once both verify)
 */
import type { SourceObservation } from '../http/index.ts';

export type Agreement = 'single' | 'agree' | 'behind' | 'conflict';

export interface SourceRow {
  /** The log id, hex. */
  readonly id: string;
  readonly name: string;
  readonly agreement: Agreement;
  /** One line saying why. */
  readonly detail: string;
  /** Largest size any observer holds. */
  readonly size: number;
  readonly views: readonly SourceObservation[];
}

function agreementOf(views: readonly SourceObservation[]): { agreement: Agreement; detail: string } {
  if (views.length === 1) return { agreement: 'single', detail: `only ${views[0].observer.name} holds a head` };
  const bySize = new Map<number, Set<string>>();
  for (const v of views) {
    const roots = bySize.get(v.head.size) ?? new Set<string>();
    roots.add(v.head.root);
    bySize.set(v.head.size, roots);
  }
  for (const [size, roots] of [...bySize].sort((a, b) => b[0] - a[0])) {
    if (roots.size > 1) return { agreement: 'conflict', detail: `size ${size} has ${roots.size} different roots: a split view` };
  }
  if (bySize.size === 1) return { agreement: 'agree', detail: `all ${views.length} views hold the same head` };
  const sizes = [...bySize.keys()].sort((a, b) => a - b);
  return { agreement: 'behind', detail: `sizes ${sizes[0]}–${sizes.at(-1)}: some views are behind; equal sizes agree` };
}

/** Groups observations by source, sources by name, each source's views with the log's own first. */
export function groupSources(observations: readonly SourceObservation[]): SourceRow[] {
  const bySource = new Map<string, SourceObservation[]>();
  for (const o of observations) {
    const list = bySource.get(o.source.id) ?? [];
    list.push(o);
    bySource.set(o.source.id, list);
  }
  const rows = [...bySource].map(([id, views]) => {
    const sorted = [...views].sort(
      (a, b) => Number(b.observer.kind === 'log') - Number(a.observer.kind === 'log') || a.observer.name.localeCompare(b.observer.name),
    );
    return {
      id,
      name: sorted[0].source.name,
      ...agreementOf(sorted),
      size: Math.max(...sorted.map((v) => v.head.size)),
      views: sorted,
    };
  });
  return rows.sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
}
