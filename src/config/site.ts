/**
 * The `grapevine serve` configuration (YAML): one process, one port, one
 * database, a CT log and Gossip Hub instances side by side, and a gossip
 * loop that feeds the local CT log's STHs into the local hubs.
 *
 *     listen: 127.0.0.1:8080
 *     database: sqlite:grapevine.db          # relative paths: from this file's directory
 *     logLevel: info
 *     ct:                                     # a `ct serve` config without listen/database
 *       tree: ct
 *       keyFile: keys/ct.pem
 *       roots: [ca/root.pem]
 *     hub:                                    # a `hub serve` config without listen/database
 *       instances:
 *         - prefix: hub
 *           privateKeyFile: keys/hub.pem
 *           sources: [{ id: local-ct, kind: RFC6962STH, publicKeyFile: keys/ct.pub.pem }]
 *     gossip:
 *       interval: 5s                          # 0s turns the loop off
 *       source: local-ct                      # the hub source id the CT log's STHs are submitted as
 *
 * Sections are validated by their own schemas (config/ct.ts, config/hub.ts);
 * every problem is reported at once, prefixed with its section.
 */
import { stringify } from 'yaml';
import { z } from 'zod';
import { parseCtConfig, type ResolvedCtConfig, resolveCtConfig } from './ct.ts';
import {
  ConfigProblemsError,
  DURATION,
  durationMs,
  type LogLevel,
  listenProblem,
  logLevel,
  parseYamlText,
  type ResolveOptions,
  resolvePath,
  schemaProblems,
  splitListen,
} from './fields.ts';
import { parseHubConfig, type ResolvedHubConfig, resolveHubConfig } from './hub.ts';

export class SiteConfigError extends ConfigProblemsError {
  constructor(problems: readonly string[], options?: { cause?: unknown }) {
    super('grapevine config', problems, options);
  }
}

const schema = z.strictObject({
  /** host:port for every API, /metrics and the health endpoints. Default 127.0.0.1:8080. */
  listen: z.string().default('127.0.0.1:8080'),
  /** sqlite:PATH (relative to this file) or postgres://… Default sqlite:grapevine.db. */
  database: z.string().min(1).default('sqlite:grapevine.db'),
  logLevel,
  /** The CT log (optional): the fields of a `grapevine ct serve` config, without listen and database. */
  ct: z.record(z.string(), z.unknown()).optional(),
  /** Gossip Hub instances (optional): the fields of a `grapevine hub serve` config, without listen and database. */
  hub: z.record(z.string(), z.unknown()).optional(),
  gossip: z
    .strictObject({
      /** How often the CT log's latest STH is submitted to the hubs. "0s" turns it off. Default 5s. */
      interval: z.string().regex(DURATION, 'want a duration such as 500ms, 5s, 1m').default('5s'),
      /** The hub source id under which the local CT log's STHs are submitted. Default local-ct. */
      source: z.string().min(1).default('local-ct'),
    })
    .prefault({}),
});

export interface ResolvedSiteConfig {
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly logLevel: LogLevel;
  readonly ct: ResolvedCtConfig | null;
  readonly hub: ResolvedHubConfig | null;
  readonly gossip: { readonly intervalMs: number; readonly source: string };
}

/** Parses and resolves a site config. `readFile` and `baseDir` as in the section resolvers. */
export function loadSiteConfigText(text: string, opts: ResolveOptions): ResolvedSiteConfig {
  const raw = parseYamlText(text, SiteConfigError);
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new SiteConfigError(schemaProblems(parsed.error));
  const c = parsed.data;
  const problems: string[] = [];
  if (!c.ct && !c.hub) problems.push('(top): configure ct, hub or both');
  const database = c.database.startsWith('sqlite:') ? `sqlite:${resolvePath(opts.baseDir, c.database.slice(7))}` : c.database;
  // Each section gets the shared listen address and database, then its own schema.
  const section = <T>(name: string, body: Record<string, unknown> | undefined, load: (text: string) => T): T | null => {
    if (!body) return null;
    if ('listen' in body || 'database' in body) {
      problems.push(`${name}: listen and database are set at the top level`);
      return null;
    }
    try {
      return load(stringify({ ...body, listen: c.listen, database, logLevel: c.logLevel }));
    } catch (err) {
      // The section's own CtConfigError or HubConfigError.
      if (err instanceof ConfigProblemsError) {
        problems.push(...err.problems.map((p) => `${name}.${p}`));
        return null;
      }
      throw err;
    }
  };
  const ct = section('ct', c.ct, (t) => resolveCtConfig(parseCtConfig(t), opts));
  const hub = section('hub', c.hub, (t) => resolveHubConfig(parseHubConfig(t), opts));
  const intervalMs = durationMs(c.gossip.interval) as number; // the schema checked it
  if (intervalMs > 0 && hub && ct && !hub.instances.some((i) => i.sources.some((s) => s.id === c.gossip.source))) {
    problems.push(`gossip.source: no hub instance has a source with id ${JSON.stringify(c.gossip.source)}`);
  }
  if (problems.length > 0) throw new SiteConfigError(problems);
  // The sections have checked listen already; a missing host (":8080", all interfaces), which they allow, is refused here.
  const bad = listenProblem(c.listen) ?? (c.listen.startsWith(':') ? `listen: got ${JSON.stringify(c.listen)}, want host:port` : undefined);
  if (bad) throw new SiteConfigError([bad]);
  const { host, port } = splitListen(c.listen);
  return Object.freeze({
    host,
    port,
    database,
    logLevel: c.logLevel,
    ct,
    hub,
    gossip: Object.freeze({ intervalMs, source: c.gossip.source }),
  });
}
