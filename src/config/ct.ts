/**
 * The `grapevine ct serve` configuration file (YAML), validated once at the
 * edge and frozen (STYLE.md §9). Two steps, like config/hub.ts:
 *
 * 1. `parseCtConfig(text)` — YAML → zod schema → cross-field rules. Pure.
 * 2. `resolveCtConfig(cfg, { readFile, baseDir })` — loads the key and the
 *    root PEM files through the injected reader (only cli/ touches the file
 *    system) and checks them.
 *
 * Both collect every problem before failing: CtConfigError lists them, one
 * per line, as `path: problem`.
 *
 * Example (every field but keyFile and roots has a default):
 *
 *     listen: 127.0.0.1:6962
 *     database: sqlite:./grapevine-data/grapevine.db
 *     tree: ct-2026
 *     keyFile: keys/ct.pem            # ECDSA P-256 or RSA (RFC 6962 §2.1.4)
 *     roots: [roots/test-root.pem]     # PEM files; each may hold several certificates
 *     mmd: 10s
 *     notAfter: { start: 2026-01-01T00:00:00Z, limit: 2027-01-01T00:00:00Z }
 *     quota:
 *       perClient: { read: { rate: 100, burst: 2000 }, write: { rate: 10, burst: 50 } }
 *       perIssuer: { write: { rate: 100, burst: 500 } }
 */
import { z } from 'zod';
import { parsePrivateKey, type Signer, signerFromPrivateKey } from '../crypto/index.ts';
import { type CtLogSpec, type CtQuotaSpec, DEFAULT_MMD_MS, normalizePrefix } from '../personalities/ct/index.ts';
import { certificatesFromPem, parseCertificate } from '../x509/index.ts';
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

export class CtConfigError extends ConfigProblemsError {
  constructor(problems: readonly string[], options?: { cause?: unknown }) {
    super('CT log config', problems, options);
  }
}

/** An RFC 3339 instant ("2026-01-01T00:00:00Z"), as ms since the epoch. */
const instant = z.union([z.string(), z.date()]).transform((s, ctx) => {
  const ms =
    s instanceof Date
      ? s.getTime()
      : /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(s)
        ? Date.parse(s)
        : Number.NaN;
  if (!Number.isFinite(ms)) {
    ctx.addIssue({ code: 'custom', message: `got ${JSON.stringify(s)}, want an RFC 3339 time such as 2026-01-01T00:00:00Z` });
    return z.NEVER;
  }
  return ms;
});

const schema = z.strictObject({
  /** host:port to listen on. Default 127.0.0.1:6962. */
  listen: z.string().default('127.0.0.1:6962'),
  /** Database URL: sqlite:PATH or postgres://… Default sqlite:./grapevine-data/grapevine.db. */
  database: z.string().min(1).default('sqlite:./grapevine-data/grapevine.db'),
  /** Tree name in the database. Default "ct". */
  tree: z.string().min(1).default('ct'),
  /** URL path before /ct/v1 (e.g. "logs/2026"). Default "" (the API at /ct/v1/). */
  prefix: z.string().default(''),
  /** The log's private key file (PEM or DER; ECDSA P-256 or RSA). Whoever reads it can sign SCTs and STHs as the log. */
  keyFile: z.string().min(1),
  /** PEM files of the accepted roots (relative to the config file). Trust: every chain to them is logged. */
  roots: z.array(z.string().min(1)).min(1),
  /** Maximum merge delay. Default 10s. */
  mmd: duration.optional(),
  /** Temporal sharding: accept only leaves with start ≤ notAfter < limit. Either bound may be left out. */
  notAfter: z.strictObject({ start: instant.optional(), limit: instant.optional() }).optional(),
  /** Refuse certificates whose notAfter has passed. Default false (CT logs usually log them). */
  rejectExpired: z.boolean().default(false),
  /** Create the tree when it does not exist (same as --create-tree). Default false: a missing tree is an error. */
  createTree: z.boolean().default(false),
  /** Believe X-Forwarded-For for client addresses (quotas); see fields.ts. Default false. */
  trustProxy,
  logLevel,
  limits: z
    .strictObject({
      /** Largest request body, bytes (413 above). Default 524288 (a chain of ten large certificates in base64). */
      bodyBytes: z
        .number()
        .int()
        .min(4096)
        .default(512 * 1024),
      /** Most entries one get-entries answers. Default 1000. */
      maxGetEntries: z.number().int().min(1).max(10_000).default(1000),
      /** Most certificates in one submitted chain. Default 10. */
      maxChainLength: z.number().int().min(1).max(100).default(10),
    })
    .prefault({}),
  quota: z
    .strictObject({
      global: z.strictObject({ read: tokenBucket.optional(), write: tokenBucket.optional() }).optional(),
      /** Per client IP (IPv6 per /64). A get-entries answer costs one read token per entry. */
      perClient: z.strictObject({ read: tokenBucket.optional(), write: tokenBucket.optional() }).optional(),
      /** Per intermediate and root certificate of each accepted chain. */
      perIssuer: z.strictObject({ write: tokenBucket.optional() }).optional(),
    })
    .prefault({}),
  sequencer: z
    .strictObject({
      /** Pause between sequencer runs when the queue is empty. Default min(200ms, MMD/10). */
      interval: duration.optional(),
      /** Most leaves per batch. Default 4096. */
      batchSize: z.number().int().min(1).max(100_000).default(4096),
    })
    .prefault({}),
});

export type CtConfig = z.output<typeof schema>;

/** Parses and validates config text (YAML or JSON). Throws CtConfigError listing every problem. */
export function parseCtConfig(text: string): Readonly<CtConfig> {
  const r = schema.safeParse(parseYamlText(text, CtConfigError));
  const problems = r.success ? [] : schemaProblems(r.error);
  if (r.success) {
    const c = r.data;
    const listen = listenProblem(c.listen);
    if (listen) problems.push(listen);
    if (!/^[A-Za-z0-9._~/-]*$/.test(c.prefix)) problems.push(`prefix: got ${JSON.stringify(c.prefix)}, want URL path characters only`);
    const w = c.notAfter;
    if (w?.start !== undefined && w.limit !== undefined && w.start >= w.limit) {
      problems.push(`notAfter: start ${new Date(w.start).toISOString()} is not before limit ${new Date(w.limit).toISOString()}`);
    }
    const mmd = c.mmd ?? DEFAULT_MMD_MS;
    if (c.sequencer.interval !== undefined && c.sequencer.interval * 2 >= mmd) {
      problems.push(`sequencer.interval: ${c.sequencer.interval} ms leaves no room in an MMD of ${mmd} ms; want less than half of it`);
    }
    const rb = c.quota.perClient?.read?.burst;
    if (rb !== undefined && rb < c.limits.maxGetEntries) {
      problems.push(
        `quota.perClient.read.burst: ${rb} is below limits.maxGetEntries ${c.limits.maxGetEntries}; a full get-entries page could never be served`,
      );
    }
    const gb = c.quota.global?.read?.burst;
    if (gb !== undefined && gb < c.limits.maxGetEntries) {
      problems.push(
        `quota.global.read.burst: ${gb} is below limits.maxGetEntries ${c.limits.maxGetEntries}; a full get-entries page could never be served`,
      );
    }
  }
  if (problems.length > 0) throw new CtConfigError(problems);
  return deepFreeze(r.data as CtConfig);
}

export interface ResolvedCtConfig extends ResolvedServerSettings {
  readonly createTree: boolean;
  readonly log: CtLogSpec;
  readonly quotas: CtQuotaSpec;
  readonly sequencerIntervalMs?: number;
  readonly sequencerBatchSize: number;
}

/** Loads the key and the roots. Throws CtConfigError listing every problem. */
export function resolveCtConfig(cfg: Readonly<CtConfig>, opts: ResolveOptions): ResolvedCtConfig {
  const problems: string[] = [];
  const read = fileReader(opts, problems);
  let signer: Signer | null = null;
  const keyBytes = read(cfg.keyFile, 'keyFile');
  if (keyBytes) {
    try {
      signer = signerFromPrivateKey(parsePrivateKey(keyBytes));
      const t = signer.publicKey.type;
      if (t !== 'ecdsa-p256' && t !== 'rsa') {
        problems.push(`keyFile: got a ${t} key, want ECDSA P-256 or RSA (RFC 6962 §2.1.4)`);
        signer = null;
      }
    } catch (err) {
      problems.push(`keyFile: ${(err as Error).message}`);
    }
  }
  const roots: Buffer[] = [];
  cfg.roots.forEach((file, i) => {
    const b = read(file, `roots[${i}]`);
    if (!b) return;
    try {
      for (const der of certificatesFromPem(b.toString('latin1'))) {
        parseCertificate(der);
        roots.push(der);
      }
    } catch (err) {
      problems.push(`roots[${i}] (${resolvePath(opts.baseDir, file)}): ${(err as Error).message}`);
    }
  });
  if (problems.length > 0 || !signer) throw new CtConfigError(problems);
  const spec: CtLogSpec = {
    tree: cfg.tree,
    prefix: normalizePrefix(cfg.prefix),
    signer,
    roots,
    mmdMs: cfg.mmd ?? DEFAULT_MMD_MS,
    rejectExpired: cfg.rejectExpired,
    maxChainLength: cfg.limits.maxChainLength,
    maxGetEntries: cfg.limits.maxGetEntries,
    ...(cfg.notAfter ? { notAfter: { ...cfg.notAfter } } : {}),
  };
  return Object.freeze({
    ...serverSettings(cfg),
    createTree: cfg.createTree,
    log: Object.freeze(spec),
    quotas: cfg.quota as CtQuotaSpec,
    ...(cfg.sequencer.interval !== undefined ? { sequencerIntervalMs: cfg.sequencer.interval } : {}),
    sequencerBatchSize: cfg.sequencer.batchSize,
  });
}
