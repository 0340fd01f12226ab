/**
 * The monitor configuration (YAML) that `grapevine collect` and `grapevine
 * audit` read: the logs and hubs watched with the keys trusted for them
 * (never taken from the servers themselves), what the collector polls and
 * where it hands heads, what the auditor audits and where it keeps state,
 * and where incidents go. One file can drive both commands; each reads the
 * sections it needs.
 *
 *     observer: monitor.example/auditor-1      # who signs off observations in evidence
 *     logs:
 *       - name: ct1
 *         type: rfc6962
 *         url: http://127.0.0.1:8080
 *         publicKeyFile: keys/ct.pub.pem
 *         origin: ct1.example                   # optional: static-ct-api origin (witness destination)
 *         mmd: 10s
 *       - name: sumdb
 *         type: checkpoint
 *         url: https://sum.golang.org/latest
 *         vkey: sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8
 *     hubs:
 *       - name: hub1
 *         url: http://127.0.0.1:8080/hub
 *         publicKeyFile: keys/hub.pub.pem
 *         mmd: 10s
 *         sources: { local-ct: ct1 }            # hub source id → log name
 *     collect:
 *       interval: 10s
 *       polls: [{ log: ct1 }, { log: ct1, via: hub1 }]
 *       destinations: [{ hub: hub1 }]
 *     audit:
 *       state: audit-state                       # a directory, or sqlite:FILE, or postgres://…
 *       listen: 127.0.0.1:9100                   # optional: POST /v1/promises, /metrics, /healthz
 *     incidents: { evidenceDir: evidence, sinks: [{ type: log }] }
 *
 * Validated once, every problem reported at once (MonitorConfigError), then
 * frozen. Keys are read through the injected reader (only cli/ reads files).
 */
import { z } from 'zod';
import { type PublicKey, parsePublicKey } from '../crypto/index.ts';
import { parseVkey } from '../note/index.ts';
import { substituteEnv } from './env.ts';
import {
  ConfigProblemsError,
  deepFreeze,
  doc,
  duration,
  fileReader,
  type LoadOptions,
  listenProblem,
  logLevel,
  parseYamlText,
  positiveDuration,
  resolvePath,
  schemaProblems,
} from './fields.ts';
import { incidentsSection, resolveIncidents } from './incidents.ts';
import { publicKeyText } from './private-keys.ts';
import { withoutSecrets } from './problems.ts';

export class MonitorConfigError extends ConfigProblemsError {
  constructor(problems: readonly string[], options?: { cause?: unknown }) {
    super('monitor config', problems, options);
  }
}

const name = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'want a name of letters, digits, ".", "_", "-" (at most 64)');
const httpUrl = z.url({ protocol: /^https?$/ });

const logEntry = z.strictObject({
  name: doc(name, { description: 'How the log is named in metrics, polls, hub source maps and incidents.' }),
  type: doc(z.enum(['rfc6962', 'checkpoint']), {
    description: 'rfc6962: a CT log (get-sth, proofs); checkpoint: a log that serves a signed checkpoint at url.',
  }),
  url: doc(httpUrl.optional(), {
    description:
      'rfc6962: the base URL before /ct/v1; checkpoint: the checkpoint URL (tlog-tiles <prefix>/checkpoint, sumdb /latest). Omitted: never polled directly.',
  }),
  publicKey: doc(publicKeyText('a public key').optional(), {
    description: 'rfc6962: the log key, PEM or base64 DER SPKI.',
    trust: 'every head and SCT of this log is checked against it.',
  }),
  publicKeyFile: doc(z.string().min(1).optional(), { description: 'rfc6962: a file holding the log key (PEM or DER).' }),
  vkey: doc(publicKeyText('a vkey').optional(), {
    description: 'checkpoint: the log’s signed-note verifier key.',
    trust: 'every checkpoint of this log is checked against it.',
  }),
  origin: doc(z.string().min(1).optional(), {
    description:
      'checkpoint: the origin line (default: the vkey’s name); rfc6962: the static-ct-api origin, needed to hand its heads to witnesses.',
  }),
  mmd: doc(duration.optional(), { description: 'The maximum merge delay the log promises; needed to judge its SCTs.', unit: 'duration' }),
});

const hubEntry = z.strictObject({
  name: doc(name, { description: 'How the hub is named.' }),
  url: doc(httpUrl, { description: 'The hub instance URL including its prefix, e.g. http://127.0.0.1:8080/hub.' }),
  publicKey: doc(publicKeyText('a public key').optional(), {
    description: 'The hub key, PEM or base64 DER SPKI.',
    trust: 'every hub head and SGT is checked against it.',
  }),
  publicKeyFile: doc(z.string().min(1).optional(), { description: 'A file holding the hub key.' }),
  mmd: doc(duration.optional(), { description: 'The hub’s maximum merge delay; needed to judge its SGTs.', unit: 'duration' }),
  sources: doc(z.record(z.string().min(1), name).default({}), { description: 'The hub’s source ids and the log (by name) each one is.' }),
});

const pollTiming = {
  interval: doc(positiveDuration.optional(), { description: 'Between polls (default: collect.interval).', unit: 'duration' }),
  minInterval: doc(duration.optional(), {
    description: 'Never sooner than this after the last poll (default: collect.minInterval).',
    unit: 'duration',
  }),
};

/** Where a gossip service's peer socket is: a Unix socket path, or host and port. */
const gossipAddress = {
  path: doc(z.string().min(1).optional(), { description: 'The gossip service’s peer socket, a Unix socket path. Or host and port.' }),
  host: doc(z.string().min(1).optional(), { description: 'The host of the gossip service’s TCP peer socket (with port).' }),
  port: doc(z.number().int().min(1).max(65535).optional(), {
    description: 'The port of the gossip service’s TCP peer socket (with host).',
  }),
};

const collectSection = z.strictObject({
  listen: doc(z.string().optional(), { description: 'host:port for /metrics and /healthz. Omitted: no HTTP.' }),
  interval: doc(positiveDuration.prefault('10s'), { description: 'Default time between polls of a source.', unit: 'duration' }),
  minInterval: doc(duration.prefault('1s'), { description: 'Default minimum time between two polls of one source.', unit: 'duration' }),
  jitter: doc(z.number().min(0).max(1).default(0.1), { description: 'Spread of each interval, as a fraction of it (0.1: ±10%).' }),
  maxBackoff: doc(positiveDuration.prefault('5m'), {
    description: 'Longest wait after repeated failures (the interval doubles per failure).',
    unit: 'duration',
  }),
  polls: doc(
    z
      .array(
        z.strictObject({
          log: doc(name, { description: 'The log to poll.' }),
          via: doc(name.optional(), { description: 'Poll this hub’s get-latest-for-src for the log instead of the log itself.' }),
          name: doc(name.optional(), { description: 'Label in metrics (default: log, or log@via).' }),
          ...pollTiming,
        }),
      )
      .default([]),
    { description: 'What to poll.' },
  ),
  destinations: doc(
    z
      .array(
        z.union([
          z.strictObject({
            hub: doc(name, { description: 'Submit heads to this hub (add-signed-blob) under the log’s source id there.' }),
          }),
          z.strictObject({
            witness: doc(
              z.strictObject({
                name: doc(name, { description: 'The witness’s name (logs, metrics).' }),
                url: doc(httpUrl, { description: 'The witness’s base URL (before add-checkpoint).' }),
              }),
              { description: 'Hand checkpoints to this c2sp.org/tlog-witness witness (add-checkpoint).' },
            ),
          }),
          z.strictObject({
            gossip: doc(
              z.strictObject({ name: doc(name, { description: 'The gossip service’s name (logs, metrics).' }), ...gossipAddress }),
              {
                description: 'Hand heads to this gossip service, connecting as a peer.',
              },
            ),
          }),
        ]),
      )
      .default([]),
    { description: 'Where verified heads go: hubs, witnesses (add-checkpoint), gossip services (as a peer).' },
  ),
});

const auditSection = z.strictObject({
  state: doc(z.string().min(1).default('audit-state'), {
    description: 'Durable state: a directory (one JSON file per log and hub), sqlite:FILE or postgres://…; relative paths from this file.',
    trust: 'whoever can write it can make the auditor forget what it saw (never report what was not signed).',
  }),
  interval: doc(positiveDuration.prefault('10s'), { description: 'Between audit rounds.', unit: 'duration' }),
  listen: doc(z.string().optional(), { description: 'host:port for POST /v1/promises, /metrics and /healthz. Omitted: no HTTP.' }),
  logs: doc(z.array(name).optional(), { description: 'Logs to audit (default: every log).' }),
  hubs: doc(z.array(name).optional(), { description: 'Hubs to audit (default: every hub).' }),
  pollLogs: doc(z.boolean().default(true), { description: 'Poll the audited logs’ own heads each round.' }),
  gossip: doc(z.strictObject(gossipAddress).optional(), { description: 'Take heads from this gossip service (as a peer).' }),
  maxLeaves: doc(z.number().int().min(1).max(1_000_000).default(100_000), {
    description: 'Leaf hashes read at most to show one promise absent.',
  }),
  proofAttempts: doc(z.number().int().min(1).max(100).default(3), {
    description: 'Rounds a consistency proof may be missing before a proof-refused suspicion.',
  }),
});

export const monitorFileSchema = z.strictObject({
  observer: doc(z.string().min(1).max(256).default('grapevine-monitor'), {
    description: 'Who observes: written into evidence and incidents.',
  }),
  logLevel,
  logs: doc(z.array(logEntry).default([]), { description: 'The logs watched, with their keys.' }),
  hubs: doc(z.array(hubEntry).default([]), { description: 'The hubs watched, with their keys.' }),
  collect: doc(collectSection.prefault({}), { description: 'The collector (`grapevine collect`).' }),
  audit: doc(auditSection.prefault({}), { description: 'The auditor (`grapevine audit`).' }),
  http: doc(
    z
      .strictObject({
        timeout: doc(positiveDuration.prefault('10s'), { description: 'Time limit of each request, body included.', unit: 'duration' }),
        maxBodyBytes: doc(
          z
            .number()
            .int()
            .min(1024)
            .max(1 << 30)
            .default(4 << 20),
          { description: 'Largest response body read.' },
        ),
      })
      .prefault({}),
    { description: 'Bounds on every request to logs, hubs, witnesses.' },
  ),
  incidents: doc(incidentsSection.prefault({}), { description: 'Where incidents and evidence go (docs/incidents.md).' }),
});

type MonitorFile = z.output<typeof monitorFileSchema>;

export interface ResolvedLog {
  readonly name: string;
  readonly type: 'rfc6962' | 'checkpoint';
  readonly url?: string;
  readonly publicKey?: PublicKey;
  readonly vkey?: string;
  readonly origin?: string;
  readonly mmdMs?: number;
}

export interface ResolvedHub {
  readonly name: string;
  readonly url: string;
  readonly publicKey: PublicKey;
  readonly mmdMs?: number;
  readonly sources: { readonly id: string; readonly log: string }[];
}

export type ResolvedDestination =
  | { readonly type: 'hub'; readonly hub: string }
  | { readonly type: 'witness'; readonly name: string; readonly url: string }
  | { readonly type: 'gossip'; readonly name: string; readonly address: { path?: string; host?: string; port?: number } };

export interface ResolvedMonitorConfig {
  readonly observer: string;
  readonly logLevel: MonitorFile['logLevel'];
  readonly logs: readonly ResolvedLog[];
  readonly hubs: readonly ResolvedHub[];
  readonly collect: {
    readonly listen?: string;
    readonly polls: readonly {
      readonly name: string;
      readonly log: string;
      readonly via?: string;
      readonly timing: { intervalMs: number; minIntervalMs: number; jitter: number; maxBackoffMs: number };
    }[];
    readonly destinations: readonly ResolvedDestination[];
  };
  readonly audit: {
    /** An absolute directory path, or a sqlite:/postgres URL. */
    readonly state: string;
    readonly intervalMs: number;
    readonly listen?: string;
    readonly logs: readonly string[];
    readonly hubs: readonly string[];
    readonly pollLogs: boolean;
    readonly gossip?: { path?: string; host?: string; port?: number };
    readonly maxLeaves: number;
    readonly proofAttempts: number;
  };
  readonly http: { readonly timeoutMs: number; readonly maxBytes: number };
  readonly incidents: ReturnType<typeof resolveIncidents>;
}

function crossProblems(c: MonitorFile): string[] {
  const p: string[] = [];
  const logs = new Set<string>();
  c.logs.forEach((l, i) => {
    const at = `logs[${i}]`;
    if (logs.has(l.name)) p.push(`${at}.name: ${JSON.stringify(l.name)} is used twice`);
    logs.add(l.name);
    if (l.type === 'rfc6962') {
      if ((l.publicKey === undefined) === (l.publicKeyFile === undefined))
        p.push(`${at}: an rfc6962 log needs exactly one of publicKey and publicKeyFile`);
      if (l.vkey !== undefined) p.push(`${at}.vkey: only for checkpoint logs`);
    } else {
      if (l.vkey === undefined) p.push(`${at}.vkey: missing, want the checkpoint log's vkey`);
      if (l.publicKey !== undefined || l.publicKeyFile !== undefined) p.push(`${at}: a checkpoint log is keyed by its vkey, not publicKey`);
      if (l.vkey !== undefined) {
        try {
          parseVkey(l.vkey);
        } catch (err) {
          p.push(`${at}.vkey: ${(err as Error).message}`);
        }
      }
    }
  });
  const hubs = new Set<string>();
  c.hubs.forEach((h, i) => {
    const at = `hubs[${i}]`;
    if (hubs.has(h.name) || logs.has(h.name)) p.push(`${at}.name: ${JSON.stringify(h.name)} is used twice`);
    hubs.add(h.name);
    if ((h.publicKey === undefined) === (h.publicKeyFile === undefined)) p.push(`${at}: needs exactly one of publicKey and publicKeyFile`);
    for (const [id, log] of Object.entries(h.sources))
      if (!logs.has(log)) p.push(`${at}.sources.${id}: no log named ${JSON.stringify(log)}`);
  });
  c.collect.polls.forEach((q, i) => {
    if (!logs.has(q.log)) p.push(`collect.polls[${i}].log: no log named ${JSON.stringify(q.log)}`);
    if (q.via !== undefined) {
      const h = c.hubs.find((x) => x.name === q.via);
      if (!h) p.push(`collect.polls[${i}].via: no hub named ${JSON.stringify(q.via)}`);
      else if (!Object.values(h.sources).includes(q.log)) p.push(`collect.polls[${i}].via: hub ${q.via} has no source for log ${q.log}`);
    } else if (!c.logs.find((l) => l.name === q.log)?.url) {
      p.push(`collect.polls[${i}]: log ${q.log} has no url to poll`);
    }
  });
  c.collect.destinations.forEach((d, i) => {
    if ('hub' in d && !hubs.has(d.hub)) p.push(`collect.destinations[${i}].hub: no hub named ${JSON.stringify(d.hub)}`);
    if ('gossip' in d && d.gossip.path === undefined && (d.gossip.host === undefined || d.gossip.port === undefined))
      p.push(`collect.destinations[${i}].gossip: give path, or host and port`);
  });
  for (const [i, n] of (c.audit.logs ?? []).entries()) if (!logs.has(n)) p.push(`audit.logs[${i}]: no log named ${JSON.stringify(n)}`);
  for (const [i, n] of (c.audit.hubs ?? []).entries()) if (!hubs.has(n)) p.push(`audit.hubs[${i}]: no hub named ${JSON.stringify(n)}`);
  for (const [where, listen] of [
    ['audit.listen', c.audit.listen],
    ['collect.listen', c.collect.listen],
  ] as const) {
    const lp = listen !== undefined ? listenProblem(listen, where) : undefined;
    if (lp) p.push(lp);
  }
  return p;
}

function readKey(
  inline: string | undefined,
  file: string | undefined,
  read: (p: string, where: string) => Buffer | null,
  at: string,
  p: string[],
): PublicKey | undefined {
  const bytes = inline !== undefined ? inline : file !== undefined ? read(file, `${at}.publicKeyFile`) : null;
  if (bytes === null) return undefined;
  try {
    return parsePublicKey(bytes);
  } catch (err) {
    p.push(`${at}.${inline !== undefined ? 'publicKey' : 'publicKeyFile'}: ${(err as Error).message}`);
    return undefined;
  }
}

/** Parses, validates and resolves a monitor config file; throws MonitorConfigError with every problem. */
export function loadMonitorConfigText(text: string, opts: LoadOptions): ResolvedMonitorConfig {
  const sub = substituteEnv(text, opts.env ?? {});
  return withoutSecrets(sub.substitutions, () => {
    if (sub.problems.length > 0) throw new MonitorConfigError(sub.problems);
    const raw = parseYamlText(sub.text, MonitorConfigError);
    const parsed = monitorFileSchema.safeParse(raw);
    if (!parsed.success) throw new MonitorConfigError(schemaProblems(parsed.error, monitorFileSchema));
    const c = parsed.data;
    const problems = crossProblems(c);
    const read = fileReader(opts, problems);
    const logs: ResolvedLog[] = c.logs.map((l, i) => ({
      name: l.name,
      type: l.type,
      ...(l.url !== undefined ? { url: l.url } : {}),
      ...(l.type === 'rfc6962' ? { publicKey: readKey(l.publicKey, l.publicKeyFile, read, `logs[${i}]`, problems) } : {}),
      ...(l.vkey !== undefined ? { vkey: l.vkey } : {}),
      ...(l.origin !== undefined ? { origin: l.origin } : {}),
      ...(l.mmd !== undefined ? { mmdMs: l.mmd } : {}),
    }));
    const hubs: ResolvedHub[] = c.hubs.map((h, i) => ({
      name: h.name,
      url: h.url,
      publicKey: readKey(h.publicKey, h.publicKeyFile, read, `hubs[${i}]`, problems) as PublicKey,
      ...(h.mmd !== undefined ? { mmdMs: h.mmd } : {}),
      sources: Object.entries(h.sources).map(([id, log]) => ({ id, log })),
    }));
    if (problems.length > 0) throw new MonitorConfigError(problems);
    const col = c.collect;
    const s = c.audit.state;
    const state = /^(postgres:\/\/|postgresql:\/\/)/.test(s)
      ? s
      : s.startsWith('sqlite:')
        ? `sqlite:${resolvePath(opts.baseDir, s.slice('sqlite:'.length))}`
        : resolvePath(opts.baseDir, s);
    return deepFreeze({
      observer: c.observer,
      logLevel: c.logLevel,
      logs,
      hubs,
      collect: {
        ...(col.listen !== undefined ? { listen: col.listen } : {}),
        polls: col.polls.map((q) => ({
          name: q.name ?? (q.via ? `${q.log}@${q.via}` : q.log),
          log: q.log,
          ...(q.via !== undefined ? { via: q.via } : {}),
          timing: {
            intervalMs: q.interval ?? col.interval,
            minIntervalMs: q.minInterval ?? col.minInterval,
            jitter: col.jitter,
            maxBackoffMs: col.maxBackoff,
          },
        })),
        destinations: col.destinations.map((d): ResolvedDestination => {
          if ('hub' in d) return { type: 'hub', hub: d.hub };
          if ('witness' in d) return { type: 'witness', name: d.witness.name, url: d.witness.url };
          const { name: n, ...address } = d.gossip;
          return {
            type: 'gossip',
            name: n,
            address: address.path !== undefined ? { path: resolvePath(opts.baseDir, address.path) } : address,
          };
        }),
      },
      audit: {
        state,
        intervalMs: c.audit.interval,
        ...(c.audit.listen !== undefined ? { listen: c.audit.listen } : {}),
        logs: c.audit.logs ?? c.logs.map((l) => l.name),
        hubs: c.audit.hubs ?? c.hubs.map((h) => h.name),
        pollLogs: c.audit.pollLogs,
        ...(c.audit.gossip !== undefined
          ? { gossip: c.audit.gossip.path !== undefined ? { path: resolvePath(opts.baseDir, c.audit.gossip.path) } : c.audit.gossip }
          : {}),
        maxLeaves: c.audit.maxLeaves,
        proofAttempts: c.audit.proofAttempts,
      },
      http: { timeoutMs: c.http.timeout, maxBytes: c.http.maxBodyBytes },
      incidents: resolveIncidents(c.incidents, opts.baseDir),
    });
  });
}
