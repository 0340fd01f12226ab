/**
 * The `grapevine serve` configuration (YAML): one process, one port, one
 * database, a CT log and Gossip Hub instances side by side, and a gossip
 * loop that feeds the local CT log's STHs into the local hubs.
 *
 *     listen: 127.0.0.1:8080
 *     database: sqlite:grapevine.db          # relative paths: from this file's folder
 *     ct:                                     # the keys of a `ct serve` file but the server ones
 *       keyFile: keys/ct.pem
 *       roots: [ca/root.pem]
 *     hub:                                    # the keys of a `hub serve` file but the server ones
 *       instances:
 *         - prefix: hub
 *           privateKeyFile: keys/hub.pem
 *           sources: [{ id: local-ct, kind: RFC6962STH, publicKeyFile: keys/ct.pub.pem }]
 *     gossip: { interval: 5s, source: local-ct }
 *
 * The server keys (listen, database, postgres, trustProxy, ipv6QuotaPrefix,
 * logLevel, http) are set once, at the top; each section is checked by its
 * own schema and rules (config/ct.ts, config/hub.ts), and every problem of
 * the file is reported at once, with its full path.
 */
import { z } from 'zod';
import { type CtSection, ctSection, ctSectionProblems, type ResolvedCtConfig, resolveCtSection } from './ct.ts';
import { substituteEnv } from './env.ts';
import { ConfigProblemsError, deepFreeze, doc, duration, type LoadOptions, parseYamlText, schemaProblems } from './fields.ts';
import { type GossipSection, gossipSection, gossipSectionProblems, type ResolvedGossipSection, resolveGossipSection } from './gossip.ts';
import {
  type HubSection,
  hubSection,
  hubSectionProblems,
  hubUniquenessProblems,
  type ResolvedHubConfig,
  readHubKeyFiles,
  resolveHubSection,
} from './hub.ts';
import { withoutSecrets } from './problems.ts';
import { type ResolvedServerSettings, rawServerProblems, resolveServer, serverProblems, serverShape } from './server.ts';
import {
  type ResolvedWitnessSection,
  readWitnessFiles,
  resolveWitnessSection,
  type WitnessSection,
  witnessSection,
  witnessSectionProblems,
} from './witness.ts';

export class SiteConfigError extends ConfigProblemsError {
  constructor(problems: readonly string[], options?: { cause?: unknown }) {
    super('grapevine config', problems, options);
  }
}

const serverKeys = serverShape({ listen: '127.0.0.1:8080', database: 'sqlite:grapevine.db' });

export const siteFileSchema = z.strictObject({
  ...serverKeys,
  ct: doc(ctSection.optional(), {
    description: 'The CT log: the keys of a `ct serve` file (below) but the server ones. Omitted: no CT log.',
  }),
  hub: doc(hubSection.optional(), {
    description: 'Gossip Hub instances: the keys of a `hub serve` file (below) but the server ones. Omitted: no hub.',
  }),
  gossipd: doc(gossipSection.optional(), {
    description:
      "The gossip service: the keys of a `gossipd` file (below) but the server ones. The local CT log is a known log without being listed, and the gossip loop feeds it the log's tree heads. Omitted: no gossip service.",
  }),
  witness: doc(witnessSection.optional(), {
    description:
      'A C2SP witness on this port and database: the keys of a `witness serve` file (below) but the server ones. It can witness the local CT log and hubs (their `publish` sections) like any other log. Omitted: no witness.',
  }),
  gossip: doc(
    z
      .strictObject({
        interval: doc(duration.prefault('5s'), {
          description:
            "How often the local CT log's latest STH is read; it is submitted to the local hubs when its tree changed. 0s turns the loop off.",
          unit: 'duration',
        }),
        idleInterval: doc(duration.prefault('1h'), {
          description:
            "An unchanged STH (the log re-signs one every MMD when idle) is submitted again at most this often, the gossip drafts' rate: an idle log no longer adds ~8,600 hub entries a day.",
          unit: 'duration',
        }),
        source: doc(z.string().min(1).default('local-ct'), {
          description: "The hub source id the CT log's STHs are submitted as; a hub instance must have a source with this id.",
        }),
      })
      .prefault({}),
    { description: "The loop that records the local CT log's tree heads in the local hubs." },
  ),
});
export type SiteConfig = z.output<typeof siteFileSchema>;

export interface ResolvedSiteConfig extends ResolvedServerSettings {
  readonly ct: ResolvedCtConfig | null;
  readonly hub: ResolvedHubConfig | null;
  readonly gossip: { readonly intervalMs: number; readonly idleIntervalMs: number; readonly source: string };
  readonly gossipd: ResolvedGossipSection | null;
  readonly witness: ResolvedWitnessSection | null;
}

/** Keys a section may not set: they are the site's, at the top. */
const SERVER_KEYS = new Set(Object.keys(serverKeys));

/** Schema problems, with "set at the top level" for a server key inside a section. */
function siteSchemaProblems(error: z.ZodError): string[] {
  return schemaProblems(error, siteFileSchema).map((p) => {
    const m = /^(ct|hub)\.([A-Za-z]+): unknown key/.exec(p);
    return m && SERVER_KEYS.has(m[2]) ? `${m[1]}.${m[2]}: set at the top level of a grapevine serve config, for every section` : p;
  });
}

/**
 * Parses and resolves a site config: `${VAR}` substitution, schema, every
 * section's rules, key files. Throws SiteConfigError listing every problem;
 * no value from the environment appears in one.
 */
export function loadSiteConfigText(text: string, opts: LoadOptions): ResolvedSiteConfig {
  const sub = substituteEnv(text, opts.env ?? {});
  return withoutSecrets(sub.substitutions, () => {
    if (sub.problems.length > 0) throw new SiteConfigError(sub.problems);
    const raw = parseYamlText(sub.text, SiteConfigError);
    const parsed = siteFileSchema.safeParse(raw);
    const rawHub = (raw as { hub?: unknown } | null)?.hub;
    const problems = parsed.success ? [] : siteSchemaProblems(parsed.error);
    problems.push(...hubUniquenessProblems(rawHub, 'hub.'));
    const rawGossipd = (raw as { gossipd?: unknown; ct?: unknown } | null)?.gossipd;
    const rawWitness = (raw as { witness?: unknown } | null)?.witness;
    if (rawWitness !== undefined) problems.push(...witnessSectionProblems(rawWitness, 'witness.'));
    if (rawGossipd !== undefined)
      problems.push(...gossipSectionProblems(rawGossipd, 'gossipd.', (raw as { ct?: unknown }).ct !== undefined));
    if (!parsed.success) {
      problems.push(...rawServerProblems(raw, opts.overrides));
      readHubKeyFiles(rawHub, opts, 'hub.', problems);
      if (rawWitness !== undefined) readWitnessFiles(rawWitness, opts, 'witness.', problems);
      throw new SiteConfigError(problems);
    }
    const c = deepFreeze(parsed.data);
    if (!c.ct && !c.hub) problems.push('(top): configure ct, hub or both');
    problems.push(...serverProblems(c, opts.overrides));
    if (c.ct) problems.push(...ctSectionProblems(c.ct, 'ct.'));
    if (c.hub) problems.push(...hubSectionProblems(c.hub, 'hub.'));
    const intervalMs = c.gossip.interval;
    if (intervalMs > 0 && c.ct && c.hub && !c.hub.instances.some((i) => i.sources.some((s) => s.id === c.gossip.source))) {
      problems.push(`gossip.source: no hub instance has a source with id ${JSON.stringify(c.gossip.source)}`);
    }
    // Key files are read even when the rules above failed, so one run reports everything.
    const ct = c.ct ? resolveCtSection(c.ct as CtSection, opts, 'ct.', problems) : null;
    const hub = c.hub ? resolveHubSection(c.hub as HubSection, opts, 'hub.', problems) : null;
    // The local CT log is known to the gossip service by its key (and its checkpoints by its prefix's origin, if any).
    const localLogs = ct ? [{ name: 'local CT log', key: ct.log.signer.publicKey }] : [];
    const gossipd = c.gossipd ? resolveGossipSection(c.gossipd as GossipSection, opts, 'gossipd.', problems, localLogs) : null;
    const witness = c.witness ? resolveWitnessSection(c.witness as WitnessSection, opts, 'witness.', problems) : null;
    if (problems.length > 0) throw new SiteConfigError(problems);
    // One app serves both personalities: its body limit is the larger of the sections' limits.bodyBytes.
    const bodyLimit = Math.max(c.ct?.limits.bodyBytes ?? 0, c.hub?.limits.bodyBytes ?? 0);
    const server = resolveServer(c, opts, bodyLimit);
    return Object.freeze({
      ...server,
      ct: ct ? Object.freeze({ ...server, bodyLimit: c.ct?.limits.bodyBytes ?? bodyLimit, ...ct }) : null,
      hub: hub ? Object.freeze({ ...server, bodyLimit: c.hub?.limits.bodyBytes ?? bodyLimit, ...hub }) : null,
      gossip: Object.freeze({ intervalMs, idleIntervalMs: c.gossip.idleInterval, source: c.gossip.source }),
      gossipd,
      witness,
    });
  });
}
