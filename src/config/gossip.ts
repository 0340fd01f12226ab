/**
 * The `grapevine gossipd` configuration (YAML), validated once at the edge
 * and frozen (STYLE.md §9). The gossip service of draft-linus-trans-gossip-00
 * (docs/gossip.md): its two sockets, the logs it knows, its limits, where
 * incidents go, and its transports.
 *
 * 1. `parseGossipConfig(text, { env })` — `${VAR}` substitution → YAML → zod
 *    schema → cross-field rules. Pure.
 * 2. `resolveGossipConfig(cfg, { readFile, baseDir })` — reads the secret,
 *    key files and log lists through the injected reader (only cli/ touches
 *    the file system) and builds the log registry.
 *
 *     listen: 127.0.0.1:7480                 # HTTP: /metrics, health, pollination
 *     peerSocket: { path: gossip.sock }      # relative to this file; mode 0600
 *     transportSocket: { path: gossip-transports.sock, secretFile: transport.secret }
 *     logLists: [log_list.json]              # Google's CT log list v3
 *     logs:
 *       - name: sum.golang.org
 *         origin: go.sum database tree
 *         vkeys: [sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8]
 *     transports: { echo: {} }
 */
import { KeyObject } from 'node:crypto';
import { z } from 'zod';
import { type PrivateKey, type PublicKey, parsePrivateKey, parsePublicKey } from '../crypto/index.ts';
import { KnownLogError, type KnownLogSpec, LogRegistry, parseCtLogListV3 } from '../gossip/validate/index.ts';
import { substituteEnv } from './env.ts';
import {
  ConfigProblemsError,
  deepFreeze,
  doc,
  duration,
  fileReader,
  type LoadOptions,
  parseYamlText,
  type ResolveOptions,
  resolvePath,
  schemaProblems,
  tokenBucket,
} from './fields.ts';
import { type IncidentsSection, incidentsSection, resolveIncidents } from './incidents.ts';
import { publicKeyText } from './private-keys.ts';
import { withoutSecrets } from './problems.ts';
import { type ResolvedServerSettings, rawServerProblems, resolveServer, serverProblems, serverShape } from './server.ts';

export class GossipConfigError extends ConfigProblemsError {
  constructor(problems: readonly string[], options?: { cause?: unknown }) {
    super('gossip config', problems, options);
  }
}

const LOOPBACK_TCP = /^(127\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}|\[::1\]|localhost):[0-9]{1,5}$/;

const tcp = doc(z.string().regex(LOOPBACK_TCP, 'want a loopback host:port, such as 127.0.0.1:7481').optional(), {
  description: 'A loopback TCP address (127.0.0.0/8, [::1]) to listen on as well, for programs that cannot open a Unix socket.',
  trust: 'every local user can connect to a TCP port: use it only on a machine whose users you trust with this socket.',
});

const peerSocket = z
  .strictObject({
    path: doc(z.string().min(1).optional(), {
      description: "Unix socket for peers (created with mode 0600), relative to this file's folder.",
      trust: 'whoever can open it can send gossip through every transport and read everything the transports bring in.',
    }),
    tcp,
    maxConnections: doc(z.number().int().min(1).max(100_000).default(256), { description: 'Open peer connections at most.' }),
  })
  .prefault({});

const transportSocket = z
  .strictObject({
    path: doc(z.string().min(1).optional(), {
      description: "Unix socket for external transports (mode 0600), relative to this file's folder.",
    }),
    tcp,
    secretFile: doc(z.string().min(1).optional(), {
      description:
        'File holding the shared secret transports authenticate with (gossip-authenticate-request-0), at least 16 bytes; a final newline is dropped. Required with path or tcp.',
      trust: 'whoever knows the secret can register a transport: receive every outgoing message and inject incoming ones.',
    }),
    authTimeout: doc(duration.prefault('10s'), {
      description: 'A transport connection must authenticate within this, or it is closed.',
      unit: 'duration',
    }),
    maxConnections: doc(z.number().int().min(1).max(10_000).default(64), { description: 'Open transport connections at most.' }),
  })
  .prefault({});

const log = z.strictObject({
  name: doc(z.string().min(1), { description: 'For people, logs and metrics.' }),
  key: doc(publicKeyText('a public key').optional(), {
    description: "The log's key as base64 DER SubjectPublicKeyInfo (a CT log list's `key`): its STHs and SCTs verify with it.",
    trust: 'every head this key signs is accepted as the log’s.',
  }),
  keyFile: doc(z.string().min(1).optional(), { description: "The same as a PEM file, relative to this file's folder." }),
  vkeys: doc(z.array(publicKeyText('a vkey')).optional(), {
    description: 'c2sp.org/signed-note vkeys of the log (any type, 0x05 included); needs origin.',
  }),
  origin: doc(z.string().min(1).optional(), {
    description: 'The checkpoint origin line. With key: the log also verifies as an RFC 6962 note (static-ct-api).',
  }),
  url: doc(z.string().min(1).optional(), {
    description: 'RFC 6962 API base URL (ending in /): consistency proofs are fetched there to check heads of different sizes.',
  }),
  tiles: doc(
    z
      .url({ protocol: /^https?$/ })
      .regex(/\/(checkpoint|latest)$/, "want a tiled log's checkpoint URL, ending in /checkpoint (tlog-tiles) or /latest (Go sumdb)")
      .optional(),
    {
      description:
        "A tiled log's checkpoint URL (c2sp.org/tlog-tiles `<prefix>/checkpoint`, or Go sumdb's `<prefix>/latest` with tile/8/ paths): consistency proofs are read from its hash tiles. Used instead of `url` when both are given.",
    },
  ),
  mmd: doc(duration.optional(), { description: 'Maximum merge delay, for evidence.', unit: 'duration' }),
});

const limits = z
  .strictObject({
    messageBytes: doc(
      z
        .number()
        .int()
        .min(1024)
        .max(16 * 1024 * 1024)
        .default(64 * 1024),
      { description: 'Longest message accepted on a socket; longer ones are refused (too-large).', unit: 'bytes' },
    ),
    peerRate: doc(tokenBucket.prefault({ rate: 500, burst: 1000 }), {
      description: 'Messages per second one peer may send (token bucket); beyond it, rate-limited refusals.',
    }),
    transportRate: doc(tokenBucket.prefault({ rate: 1000, burst: 2000 }), {
      description: 'Incoming messages per second one transport may bring.',
    }),
    poolBytes: doc(
      z
        .number()
        .int()
        .min(64 * 1024)
        .default(8 * 1024 * 1024),
      {
        description:
          'Bytes of heads the pool holds (suspicious heads get as much again). Fresh heads are never flushed to make room: a full pool refuses new ones (draft-ietf-trans-gossip §10.3).',
        unit: 'bytes',
      },
    ),
    freshness: doc(duration.prefault('336h'), {
      description: 'Heads older than this are stale and discarded (draft-ietf-trans-gossip: 14 days).',
      unit: 'duration',
    }),
    maxFuture: doc(duration.prefault('10m'), { description: 'Clock skew allowed for timestamps ahead of ours.', unit: 'duration' }),
  })
  .prefault({});

const pollinationPool = z.strictObject({
  url: doc(z.url({ protocol: /^https?$/ }), {
    description:
      "The pool's sth-pollination endpoint, e.g. https://pool.example/.well-known/ct-gossip/v1/sth-pollination (Google's 2016 server: /.well-known/ct/v1/sth-pollination).",
  }),
  shape: doc(z.enum(['v1', 'sths']).default('v1'), {
    description: 'Body shape: v1 (draft-ietf-trans-gossip-05) or sths (-00 to -04, which Google’s 2016 gossip server speaks).',
  }),
});

const pollination = z.strictObject({
  serve: doc(z.boolean().default(true), {
    description: 'Serve POST /.well-known/ct-gossip/v1/sth-pollination and /.well-known/ct/v1/sth-pollination on listen.',
    trust: 'anyone who reaches listen can deposit STHs (of known logs, validated) and take fresh pooled ones away.',
  }),
  pools: doc(z.array(pollinationPool).default([]), { description: 'Pools to pollinate as a client.' }),
  interval: doc(duration.prefault('1h'), {
    description: 'Time between client rounds, varied ±50% at random (draft: avoid bursts and predictable timing); 0s: no rounds.',
    unit: 'duration',
  }),
  perRequest: doc(z.number().int().min(1).max(1000).default(10), { description: 'Fresh STHs sent per request, chosen at random.' }),
  perResponse: doc(z.number().int().min(0).max(1000).default(10), {
    description: 'Fresh STHs answered per request, chosen at random (Google’s server answers 10).',
  }),
  maxSths: doc(z.number().int().min(1).max(10_000).default(100), { description: 'Most STHs read from one body; more is a 400.' }),
  maxTrials: doc(z.number().int().min(0).max(10_000).default(64), {
    description: 'Log keys tried for an STH that names no log_id (a -05 v1 entry); beyond it the STH is unknown.',
    unit: 'signature verifications',
  }),
  clientRate: doc(tokenBucket.prefault({ rate: 10, burst: 20 }), {
    description: 'Requests per second one client address may make (429 beyond).',
  }),
  timeout: doc(duration.prefault('30s'), { description: 'Time limit of a client request.', unit: 'duration' }),
});

const HOST_PORT = /^(\[[0-9a-fA-F:.]+\]|[^:\s]+):[0-9]{1,5}$/;

const peerDaemon = z.strictObject({
  name: doc(z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'want a lowercase name'), {
    description: 'The peer daemon’s name (logs, metrics).',
  }),
  key: doc(publicKeyText('a public key').optional(), { description: 'Its Ed25519 public key, base64 DER SubjectPublicKeyInfo.' }),
  keyFile: doc(z.string().min(1).optional(), {
    description: "Its Ed25519 public key as a PEM file, relative to this file's folder. One of key and keyFile.",
    trust: 'the holder of the matching private key can exchange gossip with this daemon.',
  }),
  address: doc(z.string().regex(HOST_PORT, 'want host:port').optional(), {
    description: 'Where to dial it (host:port). Without, it must dial us.',
  }),
});

const peer = z.strictObject({
  listen: doc(z.string().regex(HOST_PORT, 'want host:port').optional(), {
    description: 'host:port to accept peer daemons on (any address: every connection is mutually authenticated). Omitted: dial only.',
  }),
  keyFile: doc(z.string().min(1), {
    description: "Our Ed25519 private key (PKCS#8 PEM, `grapevine keygen --type ed25519`), relative to this file's folder.",
    trust: 'whoever reads it can gossip as this daemon with its peers.',
  }),
  peers: doc(z.array(peerDaemon).min(1), { description: 'The peer daemons, each pinned by its key.' }),
  reconnect: doc(duration.prefault('1s'), { description: 'First wait before redialing; doubles per failure up to 1m.', unit: 'duration' }),
});

const hubTarget = z.strictObject({
  name: doc(z.string().min(1), { description: 'The hub’s name (logs, metrics).' }),
  url: doc(z.url({ protocol: /^https?$/ }), {
    description: 'The hub instance’s base URL, e.g. https://hub.example/gamut (before /gossip/v0/).',
  }),
  key: doc(publicKeyText('a public key').optional(), {
    description: 'The hub’s public key, base64 DER SubjectPublicKeyInfo: every SGT must verify with it.',
  }),
  keyFile: doc(z.string().min(1).optional(), {
    description: "The same as a PEM file, relative to this file's folder. One of key and keyFile.",
    trust: 'an SGT is the hub’s promise to log the head: with a wrong key the promises are worth nothing.',
  }),
  sources: doc(
    z
      .array(
        z.strictObject({
          log: doc(z.string().min(1), { description: 'The log: its name or hex log id as known to this service.' }),
          id: doc(z.string().min(1), { description: 'The source_id the hub tracks the log under.' }),
        }),
      )
      .min(1),
    { description: 'The logs this hub tracks, and their source ids there.' },
  ),
});

const hub = z.strictObject({
  hubs: doc(z.array(hubTarget).min(1), { description: 'Gossip Hubs to submit heads to and read other observers’ latest heads from.' }),
  poll: doc(duration.prefault('5m'), {
    description: 'Time between reads of each hub’s latest entry per source; 0s: none.',
    unit: 'duration',
  }),
});

const https = z.strictObject({
  pools: doc(
    z.array(z.strictObject({ url: doc(z.url({ protocol: /^https?$/ }), { description: 'A server that takes gossip.' }) })).default([]),
    {
      description:
        'Servers known to take gossip (draft-linus-trans-gossip-transport-https): each outgoing message rides to them in a TransGossip header; one that answers TransGossipEnabled: No gets none. Use https: the draft forbids gossip over unencrypted connections.',
    },
  ),
  pool: doc(z.boolean().default(true), {
    description:
      'Be a pool: every response of this server says TransGossipEnabled: Yes, and TransGossip request headers come in as gossip (in `grapevine serve`: the CT log and hub routes too).',
    trust: 'anyone who reaches listen can hand in gossip this way (validated, rate limited).',
  }),
  maxPerRequest: doc(z.number().int().min(1).max(256).default(16), {
    description: 'Messages read from one request’s or response’s headers.',
  }),
  maxHeaderBytes: doc(z.number().int().min(256).max(65_536).default(8192), {
    description: 'Longest TransGossip value sent; bigger messages do not travel this way.',
    unit: 'bytes',
  }),
  recheck: doc(duration.prefault('1h'), {
    description: 'How often a pool that said No is asked again (without gossip).',
    unit: 'duration',
  }),
  timeout: doc(duration.prefault('30s'), { description: 'Time limit of a request to a pool.', unit: 'duration' }),
});

const transports = z
  .strictObject({
    echo: doc(z.strictObject({}).optional(), { description: 'The echo transport: messages come back to their sender, tag kept.' }),
    pollination: doc(pollination.optional(), {
      description: 'draft-ietf-trans-gossip STH pollination, as server (on listen) and as client of the pools.',
    }),
    https: doc(https.optional(), {
      description: 'draft-linus-trans-gossip-transport-https: gossip in TransGossip HTTP headers, to pools and as a pool.',
    }),
    hub: doc(hub.optional(), {
      description: 'Gossip Hubs: heads submitted with add-signed-blob (SGTs verified), other observers’ latest heads read back in.',
    }),
    peer: doc(peer.optional(), {
      description: 'Daemon-to-daemon gossip over TCP: Ed25519 keys pinned both ways, ephemeral X25519, sealed frames (docs/gossip.md).',
    }),
  })
  .prefault({});

/** The gossip service's keys, in a `gossipd` file and in the `gossipd:` section of a `grapevine serve` file. */
export const gossipSectionShape = {
  name: doc(z.string().min(1).default('grapevine-gossip'), { description: 'Our name in evidence (`createdBy`, `observed.by`).' }),
  peerSocket: doc(peerSocket, { description: 'The peer socket (docs/gossip.md).' }),
  transportSocket: doc(transportSocket, { description: 'The transport socket; omit path and tcp for built-in transports only.' }),
  logLists: doc(z.array(z.string().min(1)).default([]), {
    description: "Google CT log list v3 files (log_list.json as downloaded), relative to this file's folder.",
    trust: 'every log a list names is believed: a wrong key makes its heads pass.',
  }),
  logs: doc(z.array(log).default([]), { description: 'More known logs: CT logs by key, checkpoint logs by origin and vkeys.' }),
  limits: doc(limits, { description: 'Bounds against floods.' }),
  incidents: doc(incidentsSection.optional(), { description: 'Where split-view incidents go (docs/incidents.md).' }),
  transports: doc(transports, { description: 'Built-in transports to run, by name.' }),
};

/** The `gossipd:` section of a `grapevine serve` file. */
export const gossipSection = z.strictObject(gossipSectionShape);
export type GossipSection = z.output<typeof gossipSection>;

export const gossipFileSchema = z.strictObject({
  ...serverShape({ listen: '127.0.0.1:7480', database: 'sqlite:gossip.db' }),
  ...gossipSectionShape,
});

export type GossipConfig = z.output<typeof gossipFileSchema>;

/** The gossip part of a resolved config. */
export interface ResolvedGossipSection {
  readonly name: string;
  readonly peerSocket: { readonly path?: string; readonly tcp?: { host: string; port: number }; readonly maxConnections: number };
  readonly transportSocket: {
    readonly path?: string;
    readonly tcp?: { host: string; port: number };
    readonly secret?: Buffer;
    readonly authTimeoutMs: number;
    readonly maxConnections: number;
  };
  readonly logs: LogRegistry;
  readonly limits: {
    readonly messageBytes: number;
    readonly peerRate: { rate: number; burst: number };
    readonly transportRate: { rate: number; burst: number };
    readonly poolBytes: number;
    readonly maxAgeMs: number;
    readonly maxFutureMs: number;
  };
  readonly incidents?: ReturnType<typeof resolveIncidents>;
  readonly transports: GossipConfig['transports'];
  /** The hub transport with keys read and logs resolved to their canonical ids. */
  readonly hub?: {
    readonly hubs: readonly { name: string; url: string; key: PublicKey; sources: ReadonlyMap<string, string> }[];
    readonly pollMs: number;
  };
  /** The peer transport with its keys read. */
  readonly peer?: {
    readonly listen?: { host: string; port: number };
    readonly key: PrivateKey;
    readonly peers: readonly { name: string; key: PublicKey; address?: { host: string; port: number } }[];
    readonly reconnectMs: number;
  };
}

export interface ResolvedGossipConfig extends ResolvedServerSettings, ResolvedGossipSection {}

function splitTcp(s: string): { host: string; port: number } {
  const i = s.lastIndexOf(':');
  return { host: s.slice(0, i).replace(/^\[|\]$/g, ''), port: Number(s.slice(i + 1)) };
}

const rec = (v: unknown): Record<string, unknown> =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/**
 * Rules across keys of a raw gossip section (on the raw data, so a file with
 * schema errors gets them too); `at` prefixes paths. `knowsLogs`: the caller
 * adds logs of its own (a site's CT log), so none need be configured.
 */
export function gossipSectionProblems(raw: unknown, at: string, knowsLogs = false): string[] {
  const problems: string[] = [];
  const c = rec(raw);
  const peer = rec(c.peerSocket);
  if (peer.path === undefined && peer.tcp === undefined) problems.push(`${at}peerSocket: give path, tcp or both`);
  const t = rec(c.transportSocket);
  if ((t.path !== undefined || t.tcp !== undefined) && t.secretFile === undefined) {
    problems.push(`${at}transportSocket.secretFile: required when the transport socket listens`);
  }
  list(c.logs).forEach((x, i) => {
    const l = rec(x);
    if (l.key !== undefined && l.keyFile !== undefined) problems.push(`${at}logs[${i}]: give key or keyFile, not both`);
    if (l.key === undefined && l.keyFile === undefined && list(l.vkeys).length === 0) {
      problems.push(`${at}logs[${i}]: give key, keyFile or vkeys`);
    }
  });
  if (!knowsLogs && list(c.logs).length === 0 && list(c.logLists).length === 0) {
    problems.push(`${at}logs: no logs and no logLists: every message would be discarded`);
  }
  return problems;
}

function validate(raw: unknown, overrides: ResolveOptions['overrides']): { cfg: Readonly<GossipConfig> | null; problems: string[] } {
  const r = gossipFileSchema.safeParse(raw);
  const problems = r.success ? [] : [...schemaProblems(r.error, gossipFileSchema), ...rawServerProblems(raw, overrides)];
  problems.push(...gossipSectionProblems(raw, ''));
  if (r.success) problems.push(...serverProblems(r.data, overrides));
  return { cfg: r.success && problems.length === 0 ? deepFreeze(r.data) : null, problems };
}

/** Parses and validates config text. Throws GossipConfigError listing every problem. */
export function parseGossipConfig(text: string, opts: Pick<LoadOptions, 'env' | 'overrides'> = {}): Readonly<GossipConfig> {
  const sub = substituteEnv(text, opts.env ?? {});
  return withoutSecrets(sub.substitutions, () => {
    if (sub.problems.length > 0) throw new GossipConfigError(sub.problems);
    const { cfg, problems } = validate(parseYamlText(sub.text, GossipConfigError), opts.overrides);
    if (!cfg) throw new GossipConfigError(problems);
    return cfg;
  });
}

/**
 * Reads the secret, key files and log lists of a gossip section and builds
 * its log registry (with `extraLogs` besides the configured ones: a site's
 * own CT log). Problems are pushed, prefixed with `at`; null when there were any.
 */
export function resolveGossipSection(
  cfg: GossipSection,
  opts: ResolveOptions,
  at: string,
  problems: string[],
  extraLogs: readonly KnownLogSpec[] = [],
): ResolvedGossipSection | null {
  const before = problems.length;
  const read = fileReader(opts, problems);
  let secret: Buffer | undefined;
  if (cfg.transportSocket.secretFile !== undefined) {
    const b = read(cfg.transportSocket.secretFile, `${at}transportSocket.secretFile`);
    if (b) {
      secret = b.toString('latin1').endsWith('\n') ? b.subarray(0, b.length - 1) : b;
      if (secret.length < 16) problems.push(`${at}transportSocket.secretFile: got a ${secret.length}-byte secret, want at least 16 bytes`);
    }
  }
  const specs: KnownLogSpec[] = [...extraLogs];
  cfg.logLists.forEach((p, i) => {
    const b = read(p, `${at}logLists[${i}]`);
    if (!b) return;
    try {
      specs.push(...parseCtLogListV3(b.toString('utf8')));
    } catch (err) {
      problems.push(`${at}logLists[${i}]: ${(err as Error).message}`);
    }
  });
  cfg.logs.forEach((l, i) => {
    let key: string | Buffer | undefined = l.key;
    if (l.keyFile !== undefined) key = read(l.keyFile, `${at}logs[${i}].keyFile`) ?? undefined;
    if (l.keyFile !== undefined && key === undefined) return;
    specs.push({
      name: l.name,
      ...(key !== undefined ? { key } : {}),
      ...(l.vkeys !== undefined ? { vkeys: l.vkeys } : {}),
      ...(l.origin !== undefined ? { origin: l.origin } : {}),
      ...(l.url !== undefined ? { url: l.url } : {}),
      ...(l.tiles !== undefined ? { tiles: l.tiles } : {}),
      ...(l.mmd !== undefined ? { mmdMs: l.mmd } : {}),
    });
  });
  let logs: LogRegistry | null = null;
  try {
    logs = new LogRegistry(specs);
  } catch (err) {
    if (!(err instanceof KnownLogError)) throw err;
    problems.push(`${at}logs: ${err.message}`);
  }
  let peer: ResolvedGossipConfig['peer'];
  const p = cfg.transports.peer;
  if (p) {
    let key: PrivateKey | null = null;
    const kb = read(p.keyFile, `${at}transports.peer.keyFile`);
    if (kb) {
      try {
        key = parsePrivateKey(kb);
        if (key.type !== 'ed25519') problems.push(`${at}transports.peer.keyFile: got a ${key.type} key, want Ed25519`);
      } catch (err) {
        problems.push(`${at}transports.peer.keyFile: ${(err as Error).message}`);
      }
    }
    const peers: { name: string; key: PublicKey; address?: { host: string; port: number } }[] = [];
    p.peers.forEach((d, i) => {
      const where = `${at}transports.peer.peers[${i}]`;
      if ((d.key === undefined) === (d.keyFile === undefined)) {
        problems.push(`${where}: give key or keyFile`);
        return;
      }
      const text = d.key ?? read(d.keyFile as string, `${where}.keyFile`);
      if (!text) return;
      try {
        const pk = parsePublicKey(text);
        if (pk.type !== 'ed25519') problems.push(`${where}: got a ${pk.type} key, want Ed25519`);
        else peers.push({ name: d.name, key: pk, ...(d.address !== undefined ? { address: splitTcp(d.address) } : {}) });
      } catch (err) {
        problems.push(`${where}: ${(err as Error).message}`);
      }
    });
    if (key) peer = { ...(p.listen !== undefined ? { listen: splitTcp(p.listen) } : {}), key, peers, reconnectMs: p.reconnect };
  }
  let incidents: ReturnType<typeof resolveIncidents> | undefined;
  if (cfg.incidents !== undefined) incidents = resolveIncidents(cfg.incidents as IncidentsSection, opts.baseDir);
  let hub: ResolvedGossipConfig['hub'];
  if (cfg.transports.hub && logs) {
    const registry = logs;
    const hubs: { name: string; url: string; key: PublicKey; sources: Map<string, string> }[] = [];
    cfg.transports.hub.hubs.forEach((h, i) => {
      const where = `${at}transports.hub.hubs[${i}]`;
      if ((h.key === undefined) === (h.keyFile === undefined)) {
        problems.push(`${where}: give key or keyFile`);
        return;
      }
      const text = h.key ?? read(h.keyFile as string, `${where}.keyFile`);
      if (!text) return;
      let key: PublicKey;
      try {
        key = parsePublicKey(text);
      } catch (err) {
        problems.push(`${where}: ${(err as Error).message}`);
        return;
      }
      const sources = new Map<string, string>();
      h.sources.forEach((s, j) => {
        const log = registry.get(s.log) ?? [...registry].find((l) => l.name === s.log);
        if (!log) problems.push(`${where}.sources[${j}].log: no known log named or with id ${JSON.stringify(s.log)}`);
        else sources.set(log.id, s.id);
      });
      hubs.push({ name: h.name, url: h.url, key, sources });
    });
    hub = { hubs, pollMs: cfg.transports.hub.poll };
  }
  if (problems.length > before || !logs) return null;
  const t = cfg.transportSocket;
  return freezeResolved({
    name: cfg.name,
    peerSocket: {
      ...(cfg.peerSocket.path !== undefined ? { path: resolvePath(opts.baseDir, cfg.peerSocket.path) } : {}),
      ...(cfg.peerSocket.tcp !== undefined ? { tcp: splitTcp(cfg.peerSocket.tcp) } : {}),
      maxConnections: cfg.peerSocket.maxConnections,
    },
    transportSocket: {
      ...(t.path !== undefined ? { path: resolvePath(opts.baseDir, t.path) } : {}),
      ...(t.tcp !== undefined ? { tcp: splitTcp(t.tcp) } : {}),
      ...(secret !== undefined ? { secret } : {}),
      authTimeoutMs: t.authTimeout,
      maxConnections: t.maxConnections,
    },
    logs,
    limits: {
      messageBytes: cfg.limits.messageBytes,
      peerRate: cfg.limits.peerRate,
      transportRate: cfg.limits.transportRate,
      poolBytes: cfg.limits.poolBytes,
      maxAgeMs: cfg.limits.freshness,
      maxFutureMs: cfg.limits.maxFuture,
    },
    ...(incidents !== undefined ? { incidents } : {}),
    transports: cfg.transports,
    ...(peer !== undefined ? { peer } : {}),
    ...(hub !== undefined ? { hub } : {}),
  });
}

/** Reads a gossipd file's secret, key files and log lists. Throws GossipConfigError listing every problem. */
export function resolveGossipConfig(cfg: Readonly<GossipConfig>, opts: ResolveOptions): ResolvedGossipConfig {
  const problems: string[] = [];
  const section = resolveGossipSection(cfg, opts, '', problems);
  if (!section) throw new GossipConfigError(problems);
  return Object.freeze({ ...resolveServer(cfg, opts, cfg.limits.messageBytes), ...section });
}

/** Freezes the resolved config and its plain-data members (not the secret's bytes; the registry freezes itself). */
function freezeResolved<T extends object>(o: T): T {
  const walk = (v: unknown): void => {
    if (!v || typeof v !== 'object' || Buffer.isBuffer(v) || v instanceof LogRegistry || v instanceof KeyObject || Object.isFrozen(v))
      return;
    Object.freeze(v);
    for (const x of Object.values(v)) walk(x);
  };
  walk(o);
  return o;
}

/** Both steps. */
export function loadGossipConfigText(text: string, opts: LoadOptions): ResolvedGossipConfig {
  return resolveGossipConfig(parseGossipConfig(text, opts), opts);
}
