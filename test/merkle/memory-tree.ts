/** A tiny in-memory node source over leaf hashes, for proof-plan tests. */
import { foldRange, type LeafRange, rangeNodes } from '../../src/merkle/index.ts';
import { refRoot } from './reference.ts';

export function materialize(plan: LeafRange[], leaves: Buffer[]): Buffer[] {
  return plan.map(({ begin, end }) =>
    foldRange(rangeNodes(begin, end).map((n) => refRoot(leaves.slice(n.index * 2 ** n.level, (n.index + 1) * 2 ** n.level)))),
  );
}
