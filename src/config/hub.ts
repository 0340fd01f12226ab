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
import { isAbsolute, join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { parsePrivateKey, type Signer, signerFromPrivateKey } from '../crypto/index.ts';
import { GrapevineError } from '../errors.ts';
import {
  DEFAULT_MAX_GET_ENTRIES,
  DEFAULT_MMD_MS,
  type HubQuotaSpec,
  makeSource,
  routePrefix,
  SOURCE_KINDS,
  type TrackedSource,
} from '../hub/index.ts';

export class HubConfigError extends GrapevineError<'INVALID'> {
  /** Every problem found, as "path: problem". */
  readonly problems: readonly string[];
  constructor(problems: readonly string[], options?: { cause?: unknown }) {
    super('INVALID', `invalid hub config:\n  ${problems.join('\n  ')}`, options);
    this.problems = problems;
  }
}

const DURATION = /^([0-9]+)(ms|s|m|h)$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** A duration with a unit ("500ms", "10s", "2m", "1h"), as integer milliseconds. Bare numbers are refused: say the unit. */
const duration = z.union([z.string(), z.number()]).transform((s, ctx) => {
  const m = typeof s === 'string' ? DURATION.exec(s.trim()) : null;
  if (!m) {
    ctx.addIssue({ code: 'custom', message: `got ${JSON.stringify(s)}, want a duration such as 500ms, 10s, 2m` });
    return z.NEVER;
  }
  return Number(m[1]) * UNIT_MS[m[2]];
});

const bucket = z.strictObject({
  /** Tokens per second added back. */
  rate: z.number().positive(),
  /** Bucket size: the most requests accepted at once. */
  burst: z.number().int().positive(),
});

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
  /**
   * Believe X-Forwarded-For for client addresses (quotas): false (default),
   * true (only behind a proxy that overwrites the header), or proxy addresses/CIDRs.
   */
  trustProxy: z.union([z.boolean(), z.string(), z.array(z.string())]).default(false),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
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
      perClient: z.strictObject({ read: bucket.optional(), write: bucket.optional() }).optional(),
      /** Per source, charged per new entry after its signature verified. Omitted: unlimited. */
      perSource: z.strictObject({ write: bucket.optional() }).optional(),
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

function issuePath(path: readonly PropertyKey[]): string {
  return path.length === 0
    ? '(top)'
    : path
        .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
        .join('')
        .replace(/^\./, '');
}

function parseText(text: string): unknown {
  try {
    return parseYaml(text) ?? {};
  } catch (err) {
    throw new HubConfigError([`not valid YAML: ${(err as Error).message.split('\n')[0]}`], { cause: err });
  }
}

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
  if (listen !== undefined && (!/^(\[[0-9a-fA-F:.]+\]|[^:]*):[0-9]{1,5}$/.test(listen) || Number(listen.split(':').at(-1)) > 65535)) {
    problems.push(`listen: got ${JSON.stringify(listen)}, want host:port`);
  }
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
  const problems = r.success ? [] : r.error.issues.map((i) => `${issuePath(i.path)}: ${i.message}`);
  problems.push(...crossFieldProblems(raw));
  return { cfg: r.success && problems.length === 0 ? deepFreeze(r.data) : null, problems };
}

/** Parses and validates config text (YAML or JSON). Throws HubConfigError listing every problem. */
export function parseHubConfig(text: string): Readonly<HubConfig> {
  const { cfg, problems } = validate(parseText(text));
  if (!cfg) throw new HubConfigError(problems);
  return cfg;
}

/**
 * Both steps at once: parse, validate and resolve keys. When the schema
 * fails, the key files it names are still tried, so one run reports every
 * problem of the file.
 */
export function loadHubConfigText(text: string, opts: ResolveOptions): ResolvedHubConfig {
  const raw = parseText(text);
  const { cfg, problems } = validate(raw);
  if (cfg) return resolveHubConfig(cfg, opts);
  list(rec(raw).instances).forEach((inst, i) => {
    const files: [string, unknown][] = [[`instances[${i}].privateKeyFile`, rec(inst).privateKeyFile]];
    list(rec(inst).sources).forEach((src, j) => {
      files.push([`instances[${i}].sources[${j}].publicKeyFile`, rec(src).publicKeyFile]);
    });
    for (const [where, p] of files) {
      if (typeof p !== 'string' || p === '') continue;
      const path = isAbsolute(p) ? p : join(opts.baseDir, p);
      try {
        opts.readFile(path);
      } catch (err) {
        problems.push(`${where}: cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      }
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

export interface ResolvedHubConfig {
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly trustProxy: boolean | string | readonly string[];
  readonly logLevel: HubConfig['logLevel'];
  readonly bodyLimit: number;
  readonly maxGetEntries: number;
  readonly quota: HubQuotaSpec;
  readonly sequencerIntervalMs: number;
  readonly sequencerBatchSize: number;
  readonly instances: readonly ResolvedHubInstance[];
}

export interface ResolveOptions {
  /** Reads a file named in the config (relative paths already joined with baseDir). */
  readonly readFile: (path: string) => Buffer;
  /** Directory relative paths are resolved against (the config file's). */
  readonly baseDir: string;
}

/** Loads keys and builds sources. Throws HubConfigError listing every problem. */
export function resolveHubConfig(cfg: Readonly<HubConfig>, opts: ResolveOptions): ResolvedHubConfig {
  const problems: string[] = [];
  const path = (p: string) => (isAbsolute(p) ? p : join(opts.baseDir, p));
  const read = (p: string, where: string): Buffer | null => {
    try {
      return opts.readFile(path(p));
    } catch (err) {
      problems.push(`${where}: cannot read ${path(p)}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      return null;
    }
  };
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
          ...(inst.auditLog !== undefined ? { auditLog: path(inst.auditLog) } : {}),
          sources: Object.freeze(sources),
        }),
      );
    }
  });
  if (problems.length > 0) throw new HubConfigError(problems);
  const colon = cfg.listen.lastIndexOf(':');
  return Object.freeze({
    host: cfg.listen.slice(0, colon).replace(/^\[|\]$/g, ''),
    port: Number(cfg.listen.slice(colon + 1)),
    database: cfg.database,
    trustProxy: cfg.trustProxy,
    logLevel: cfg.logLevel,
    bodyLimit: cfg.limits.bodyBytes,
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

function deepFreeze<T>(v: T): T {
  if (v && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v)) deepFreeze(x);
  }
  return v;
}
