/**
 * The witness and the publishing of a site's own logs, built from resolved
 * config sections: `witnessPart` (a WitnessService with its incident
 * reporter, as a server part; `grapevine witness serve` runs it alone, a
 * site beside its CT log and hubs) and `publishParts` (each log with a
 * `publish` section served the C2SP way, with its witnessing loop).
 */
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { HeadStore } from '../audit/index.ts';
import type { ResolvedPublish } from '../config/publish.ts';
import type { ResolvedWitnessSection } from '../config/witness.ts';
import { SetupError } from '../errors.ts';
import { buildIncidentReporter } from '../incidents/index.ts';
import { type CtLogPart, publishCtLog } from '../personalities/ct/index.ts';
import { type HubPart, publishHub } from '../personalities/hub/index.ts';
import { CheckpointWitnessing, type PublishedTree, PublishPart } from '../publish/index.ts';
import { WitnessMetrics, WitnessPart, WitnessService } from '../witness/index.ts';

export interface WitnessDeps {
  readonly store: HeadStore;
  readonly logger: Logger;
  readonly registry: Registry;
  readonly clock?: () => number;
  /** Closed when the part stops (a state the part owns). */
  readonly closeStore?: () => Promise<void>;
}

/** The witness of a resolved witness section, as a server part. */
export function witnessPart(c: ResolvedWitnessSection, deps: WitnessDeps): WitnessPart {
  const incidents = buildIncidentReporter(c.incidents, {
    observer: c.cosigners[0].name,
    log: deps.logger,
    registry: deps.registry,
    ...(deps.clock ? { now: deps.clock } : {}),
  });
  const service = new WitnessService({
    logs: c.logs,
    cosigners: c.cosigners,
    store: deps.store,
    incidents,
    metrics: new WitnessMetrics(deps.registry),
    logger: deps.logger,
    ...(deps.clock ? { clock: deps.clock } : {}),
  });
  return new WitnessPart({
    service,
    store: deps.store,
    prefix: c.prefix,
    incidents,
    closers: [() => incidents.close(), ...(deps.closeStore ? [deps.closeStore] : [])],
  });
}

function part(
  prefix: string,
  tree: PublishedTree,
  p: ResolvedPublish,
  proofs: (m: number, n: number) => Promise<Buffer[]>,
  logger: Logger,
) {
  const witnessing = p.policy ? new CheckpointWitnessing({ tree, policy: p.policy, proofs, logger }) : undefined;
  return new PublishPart({ prefix, tree, witnessIntervalMs: p.witnessIntervalMs, ...(witnessing ? { witnessing } : {}) });
}

/** A PublishPart per log with a `publish` section: the CT log at its prefix, each hub instance at /<prefix>. */
export function publishParts(
  ct: { part: CtLogPart; publish?: ResolvedPublish } | null,
  hubs: { part: HubPart; publish: ReadonlyMap<string, ResolvedPublish> } | null,
  logger: Logger,
): PublishPart[] {
  const out: PublishPart[] = [];
  if (ct?.publish) {
    const log = ct.part.log;
    out.push(part(ct.part.prefix, publishCtLog(ct.part, ct.publish.origin), ct.publish, (m, n) => log.getConsistencyProof(m, n), logger));
  }
  for (const h of hubs?.part.hubs ?? []) {
    const p = hubs?.publish.get(h.hub.prefix);
    if (!p) continue;
    if (!p.signer) throw new SetupError('BAD_CONFIG', `hub ${h.hub.prefix}: publishing needs a checkpoint key`);
    // The hub's consistency proofs are bounded by what it serves, as its checkpoints are.
    out.push(part(`/${h.hub.prefix}`, publishHub(h, p.origin, p.signer), p, (m, n) => h.log.getConsistencyProof(m, n), logger));
  }
  return out;
}
