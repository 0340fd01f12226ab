/**
 * The `grapevine hub serve` configuration file (YAML), validated once at the
 * edge and frozen (STYLE.md §9). Two steps:
 *
 * 1. `parseHubConfig(text)` — YAML → zod schema → cross-field rules. Pure.
 * 2. `resolveHubConfig(cfg, { readFile })` — loads key files (through the
 *    injected reader; only cli/ touches the file system), parses keys, builds
 *    the TrackedSources and checks what needs keys (a source with the hub's
 *    own key is refused).
 *
 * Both collect every problem before failing: HubConfigError lists them, one
 * per line, as `path: problem`.
 *
 * Example:
 *
 *     listen: 127.0.0.1:16962
 *     database: sqlite:./grapevine-data/grapevine.db
 *     instances:
 *       - prefix: gamut
 *         privateKeyFile: keys/gamut.pem
 *         mmd: 10s
 *         sources:
 *           - id: https://ct.googleapis.com/pilot/
 *             name: Google Pilot
 *             kind: RFC6962STH
 *             publicKeyFile: keys/pilot.pem
 *           - id: sum.golang.org
 *             kind: CHECKPOINT
 *             vkey: sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8
 */
import { z } from 'zod';
import { parsePrivateKey, type Signer, signerFromPrivateKey } from '../crypto/index.ts';
import { makeSource, SOURCE_KINDS, type TrackedSource } from '../hub/index.ts';
import { DEFAULT_MAX_GET_ENTRIES, DEFAULT_MMD_MS, type HubQuotaSpec, routePrefix } from '../personalities/hub/index.ts';
import {
  ConfigProblemsError,
  deepFreeze,
  duration,
  fileReader,
  listenProblem,
  logLevel,
  parseYamlText,
  type ResolvedServerSettings,
  type ResolveOptions,
  resolvePath,
  schemaProblems,
  serverSettings,
  tokenBucket,
  trustProxy,
} from './fields.ts';

export type { ResolveOptions } from './fields.ts';

export class HubConfigError extends ConfigProblemsError {
  constructor(problems: readonly string[], options?: { cause?: unknown }) {
    super('hub config', problems, options);
  }
}

const source = z
  .strictObject({
    /** The API `source_id`, matched byte for byte (CT: the log URL with https:// and trailing /). */
    id: z.string().min(1),
    /** Human label (logs, metrics). Default: the id. */
    name: z.string().min(1).optional(),
    kind: z.enum(SOURCE_KINDS),
    /** SHA256 (ECDSA, RSA) or NONE (Ed25519). Default: from the key type. */
    hash: z.enum(['SHA256', 'NONE']).optional(),
    /** The source's public key: a PEM block, or base64 DER SPKI, inline. */
    publicKey: z.string().min(1).optional(),
    /** Path of a PEM or DER public key file (relative to the config file). */
    publicKeyFile: z.string().min(1).optional(),
    /** A c2sp.org/signed-note verifier key (CHECKPOINT, GONOTARY). */
    vkey: z.string().min(1).optional(),
    /** CHECKPOINT: the origin line every checkpoint must carry. Optional. */
    origin: z.string().min(1).optional(),
  })
  .superRefine((s, ctx) => {
    const n = [s.publicKey, s.publicKeyFile, s.vkey].filter((x) => x !== undefined).length;
    if (n !== 1) ctx.addIssue({ code: 'custom', message: `give exactly one of publicKey, publicKeyFile and vkey (got ${n})` });
  });

const instance = z.strictObject({
  /** URL prefix: the hub answers at /<prefix>/gossip/v0/. Leading/trailing slashes are trimmed. */
  prefix: z.string().min(1),
  /** Tree name in the database. Default "hub-<prefix>". */
  tree: z.string().min(1).optional(),
  /** The hub's private key (PEM or DER; ECDSA P-256, Ed25519 or RSA). Whoever reads it can sign as the hub. */
  privateKeyFile: z.string().min(1),
  /** Maximum merge delay: every SGT's entry is in a served tree head within it. Default 10s. */
  mmd: duration.optional(),
  /** File where served tree heads are appended (fsynced) for audit across restarts. Optional (memory). */
  auditLog: z.string().min(1).optional(),
  sources: z.array(source).min(1),
});

const schema = z.strictObject({
  /** host:port to listen on. Default 127.0.0.1:16962 (the original's port). */
  listen: z.string().default('127.0.0.1:16962'),
  /** Database URL: sqlite:PATH or postgres://… Default sqlite:./grapevine-data/grapevine.db. */
  database: z.string().min(1).default('sqlite:./grapevine-data/grapevine.db'),
  /** Believe X-Forwarded-For for client addresses (quotas); see fields.ts. Default false. */
  trustProxy,
  logLevel,
  limits: z
    .strictObject({
      /** Largest request body, bytes (413 above). Default 262144. */
      bodyBytes: z
        .number()
        .int()
        .min(1024)
        .default(256 * 1024),
      /** Most entries one get-entries answers. Default 1000. */
      maxGetEntries: z.number().int().min(1).max(10_000).default(DEFAULT_MAX_GET_ENTRIES),
    })
    .prefault({}),
  quota: z
    .strictObject({
      /** Per client IP (IPv6 per /64). Omitted: unlimited. */
      perClient: z.strictObject({ read: tokenBucket.optional(), write: tokenBucket.optional() }).optional(),
      /** Per source, charged per new entry after its signature verified. Omitted: unlimited. */
      perSource: z.strictObject({ write: tokenBucket.optional() }).optional(),
    })
    .prefault({}),
  sequencer: z
    .strictObject({
      /** Pause between sequencer runs when the queue is empty. Default 200ms. */
      interval: duration.default(200),
      /** Most leaves per batch. Default 4096. */
      batchSize: z.number().int().min(1).max(100_000).default(4096),
    })
    .prefault({}),
  instances: z.array(instance).min(1),
});

export type HubConfig = z.output<typeof schema>;

const rec = (v: unknown): Record<string, unknown> =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/**
 * Rules across fields, run on the raw data too (defensively) so that a file
 * with schema errors still gets these problems reported in the same pass.
 */
function crossFieldProblems(raw: unknown): string[] {
  const problems: string[] = [];
  const listen = str(rec(raw).listen);
  const bad = listen === undefined ? undefined : listenProblem(listen);
  if (bad) problems.push(bad);
  const prefixes = new Map<string, number>();
  const trees = new Map<string, number>();
  list(rec(raw).instances).forEach((inst, i) => {
    const prefix = str(rec(inst).prefix);
    if (prefix !== undefined && prefix !== '') {
      const p = routePrefix(prefix);
      if (p === '/') problems.push(`instances[${i}].prefix: empty after trimming slashes`);
      if (prefixes.has(p)) problems.push(`instances[${i}].prefix: ${p} is also the prefix of instances[${prefixes.get(p)}]`);
      prefixes.set(p, i);
      const tree = str(rec(inst).tree) ?? `hub-${p.slice(1)}`;
      if (trees.has(tree)) problems.push(`instances[${i}].tree: ${tree} is also the tree of instances[${trees.get(tree)}]`);
      trees.set(tree, i);
    }
    const ids = new Map<string, number>();
    list(rec(inst).sources).forEach((src, j) => {
      const id = str(rec(src).id);
      if (id === undefined) return;
      if (ids.has(id)) problems.push(`instances[${i}].sources[${j}].id: duplicate of sources[${ids.get(id)}] (${JSON.stringify(id)})`);
      ids.set(id, j);
    });
  });
  return problems;
}

function validate(raw: unknown): { cfg: Readonly<HubConfig> | null; problems: string[] } {
  const r = schema.safeParse(raw);
  const problems = r.success ? [] : schemaProblems(r.error);
  problems.push(...crossFieldProblems(raw));
  return { cfg: r.success && problems.length === 0 ? deepFreeze(r.data) : null, problems };
}

/** Parses and validates config text (YAML or JSON). Throws HubConfigError listing every problem. */
export function parseHubConfig(text: string): Readonly<HubConfig> {
  const { cfg, problems } = validate(parseYamlText(text, HubConfigError));
  if (!cfg) throw new HubConfigError(problems);
  return cfg;
}

/**
 * Both steps at once: parse, validate and resolve keys. When the schema
 * fails, the key files it names are still tried, so one run reports every
 * problem of the file.
 */
export function loadHubConfigText(text: string, opts: ResolveOptions): ResolvedHubConfig {
  const raw = parseYamlText(text, HubConfigError);
  const { cfg, problems } = validate(raw);
  if (cfg) return resolveHubConfig(cfg, opts);
  const read = fileReader(opts, problems);
  list(rec(raw).instances).forEach((inst, i) => {
    const files: [string, unknown][] = [[`instances[${i}].privateKeyFile`, rec(inst).privateKeyFile]];
    list(rec(inst).sources).forEach((src, j) => {
      files.push([`instances[${i}].sources[${j}].publicKeyFile`, rec(src).publicKeyFile]);
    });
    for (const [where, p] of files) {
      if (typeof p === 'string' && p !== '') read(p, where);
    }
  });
  throw new HubConfigError(problems);
}

export interface ResolvedHubInstance {
  readonly prefix: string;
  readonly tree?: string;
  readonly signer: Signer;
  readonly mmdMs: number;
  readonly auditLog?: string;
  readonly sources: readonly TrackedSource[];
}

export interface ResolvedHubConfig extends ResolvedServerSettings {
  readonly maxGetEntries: number;
  readonly quota: HubQuotaSpec;
  readonly sequencerIntervalMs: number;
  readonly sequencerBatchSize: number;
  readonly instances: readonly ResolvedHubInstance[];
}

/** Loads keys and builds sources. Throws HubConfigError listing every problem. */
export function resolveHubConfig(cfg: Readonly<HubConfig>, opts: ResolveOptions): ResolvedHubConfig {
  const problems: string[] = [];
  const read = fileReader(opts, problems);
  const instances: ResolvedHubInstance[] = [];
  cfg.instances.forEach((inst, i) => {
    const where = `instances[${i}]`;
    let signer: Signer | null = null;
    const keyBytes = read(inst.privateKeyFile, `${where}.privateKeyFile`);
    if (keyBytes) {
      try {
        signer = signerFromPrivateKey(parsePrivateKey(keyBytes));
      } catch (err) {
        problems.push(`${where}.privateKeyFile: ${(err as Error).message}`);
      }
    }
    const sources: TrackedSource[] = [];
    inst.sources.forEach((s, j) => {
      const w = `${where}.sources[${j}]`;
      let publicKey: string | Buffer | undefined = s.publicKey;
      if (s.publicKeyFile !== undefined) {
        const b = read(s.publicKeyFile, `${w}.publicKeyFile`);
        if (!b) return;
        publicKey = keyFileContent(b);
      }
      try {
        const src = makeSource({
          id: s.id,
          kind: s.kind,
          ...(s.name !== undefined ? { name: s.name } : {}),
          ...(s.hash !== undefined ? { hash: s.hash } : {}),
          ...(publicKey !== undefined ? { publicKey } : {}),
          ...(s.vkey !== undefined ? { vkey: s.vkey } : {}),
          ...(s.origin !== undefined ? { origin: s.origin } : {}),
        });
        // §3.1 (PR #50): a source with the hub's own key could launder hub signatures back into the hub.
        if (signer && src.publicKey.spki.equals(signer.publicKey.spki)) problems.push(`${w}: uses the hub's own key`);
        sources.push(src);
      } catch (err) {
        problems.push(`${w}: ${(err as Error).message}`);
      }
    });
    if (signer) {
      instances.push(
        Object.freeze({
          prefix: routePrefix(inst.prefix).slice(1),
          ...(inst.tree !== undefined ? { tree: inst.tree } : {}),
          signer,
          mmdMs: inst.mmd ?? DEFAULT_MMD_MS,
          ...(inst.auditLog !== undefined ? { auditLog: resolvePath(opts.baseDir, inst.auditLog) } : {}),
          sources: Object.freeze(sources),
        }),
      );
    }
  });
  if (problems.length > 0) throw new HubConfigError(problems);
  return Object.freeze({
    ...serverSettings(cfg),
    maxGetEntries: cfg.limits.maxGetEntries,
    quota: cfg.quota,
    sequencerIntervalMs: cfg.sequencer.interval,
    sequencerBatchSize: cfg.sequencer.batchSize,
    instances: Object.freeze(instances),
  });
}

/** A key file's content for parsePublicKey: PEM and base64 files are text (trimmed); anything else is DER. */
export function keyFileContent(b: Buffer): string | Buffer {
  for (const c of b) if (!(c === 9 || c === 10 || c === 13 || (c >= 32 && c <= 126))) return b;
  return b.toString('ascii').trim();
}
