/**
 * The `grapevine ct serve` configuration file (YAML), validated once at the
 * edge and frozen (STYLE.md §9), and the `ct:` section of a `grapevine serve`
 * file (config/site.ts), which has the same keys but the server ones.
 *
 * 1. `parseCtConfig(text, { env })` — `${VAR}` substitution → YAML → zod
 *    schema → cross-field rules. Pure.
 * 2. `resolveCtConfig(cfg, { readFile, baseDir, overrides })` — loads the
 *    key and the root PEM files through the injected reader (only cli/
 *    touches the file system) and checks them.
 *
 * `loadCtConfigText` does both, and keeps values from the environment out of
 * its problems. Every step collects all problems before failing:
 * CtConfigError lists them, one per line, as `path: problem`. Every key is
 * documented in docs/configuration.md, generated from the `doc()` metadata
 * here (config/reference.ts); docs/examples/ct.yaml is a working example.
 */
import { z } from 'zod';
import { parsePrivateKey, type Signer, signerFromPrivateKey } from '../crypto/index.ts';
import { routePrefix } from '../http/prefix.ts';
import type { CtLogSpec, CtQuotaSpec } from '../personalities/ct/index.ts';
import { certificatesFromPem, parseCertificate } from '../x509/index.ts';
import { type SubstitutedText, substituteEnv } from './env.ts';
import {
  ConfigProblemsError,
  deepFreeze,
  doc,
  fileReader,
  instant,
  type LoadOptions,
  parseYamlText,
  positiveDuration,
  type ResolveOptions,
  resolvePath,
  schemaProblems,
  tokenBucket,
} from './fields.ts';
import { withoutSecrets } from './problems.ts';
import { ctPublishSection, type ResolvedPublish, resolvePublish } from './publish.ts';
import { type ResolvedServerSettings, rawServerProblems, resolveServer, serverProblems, serverShape } from './server.ts';
import { sequencerSection, timingProblems } from './timing.ts';

export type { ResolveOptions } from './fields.ts';

export class CtConfigError extends ConfigProblemsError {
  constructor(problems: readonly string[], options?: { cause?: unknown }) {
    super('CT log config', problems, options);
  }
}

const bucket = (description: string) => doc(tokenBucket.optional(), { description });

/** The CT log's keys, in a `ct serve` file and in the `ct:` section of a `grapevine serve` file. */
export const ctSectionShape = {
  tree: doc(z.string().min(1).default('ct'), {
    description: "Name of the log's tree in the database. One database holds many trees; a new name is a new, empty log.",
  }),
  prefix: doc(z.string().default(''), {
    description: 'URL path before /ct/v1 (e.g. "logs/2026"): the log\'s URL is http://HOST:PORT/PREFIX/. Empty: the API at /ct/v1/.',
  }),
  keyFile: doc(z.string().min(1), {
    description: "The log's private key file (PEM or DER; ECDSA P-256 or RSA, RFC 6962 §2.1.4), relative to this file's folder.",
    trust: "whoever can read it can sign SCTs and STHs as the log. Mode 0600, owned by the server's user.",
  }),
  roots: doc(z.array(z.string().min(1)).min(1), {
    description: "PEM files of the accepted root certificates (each may hold several), relative to this file's folder.",
    trust: 'every chain to one of these roots is logged, and each SCT is a promise to publish it.',
  }),
  mmd: doc(positiveDuration.prefault('10s'), {
    description:
      "Maximum merge delay: every SCT's entry is in a published STH within it (RFC 6962 §3). New submissions get 503 while the oldest unmerged entry is older than half of it.",
    unit: 'duration',
  }),
  notAfter: doc(
    z
      .strictObject({
        start: doc(instant.optional(), {
          description: 'Earliest accepted notAfter (inclusive). Omitted: no lower bound.',
          unit: 'RFC 3339 time',
        }),
        limit: doc(instant.optional(), {
          description: 'First notAfter no longer accepted (exclusive). Omitted: no upper bound.',
          unit: 'RFC 3339 time',
        }),
      })
      .optional(),
    { description: 'Temporal sharding: accept only certificates with start ≤ notAfter < limit. Omitted: every notAfter.' },
  ),
  rejectExpired: doc(z.boolean().default(false), {
    description: 'Refuse certificates whose notAfter has passed (CT logs usually log them).',
  }),
  createTree: doc(z.boolean().default(false), {
    description: 'Create the tree when it does not exist (as --create-trees). Otherwise a missing tree is an error.',
    trust: 'leave it false in production: a wrong database or tree name would silently start a new, empty log.',
  }),
  limits: doc(
    z
      .strictObject({
        bodyBytes: doc(
          z
            .number()
            .int()
            .min(4096)
            .default(512 * 1024),
          { description: 'Largest request body (413 above): room for a chain of ten large certificates in base64.', unit: 'bytes' },
        ),
        maxGetEntries: doc(z.number().int().min(1).max(10_000).default(1000), {
          description: 'Most entries one get-entries answers (a longer range is clipped).',
          unit: 'entries',
        }),
        maxChainLength: doc(z.number().int().min(1).max(100).default(10), {
          description: 'Most certificates in one submitted chain.',
          unit: 'certificates',
        }),
      })
      .prefault({}),
    { description: 'Request size limits.' },
  ),
  quota: doc(
    z
      .strictObject({
        global: doc(
          z
            .strictObject({
              read: bucket('Reads of all clients together (tokens as perClient.read).'),
              write: bucket('Submissions of all clients together.'),
            })
            .optional(),
          {
            description: 'Buckets shared by every client. Omitted: unlimited.',
          },
        ),
        perClient: doc(
          z
            .strictObject({
              read: bucket(
                'Reads per client: one token per request, and per entry of a get-entries page (a page is clipped to the burst).',
              ),
              write: bucket('Submissions per client.'),
            })
            .optional(),
          {
            description: 'Buckets per client address (IPv4 address, IPv6 prefix of ipv6QuotaPrefix bits). Omitted: unlimited.',
            trust: 'with N frontends each enforces its own buckets, so the fleet allows N times these rates.',
          },
        ),
        perIssuer: doc(
          z
            .strictObject({ write: bucket('New entries per issuing CA certificate (charged only for entries not already logged).') })
            .optional(),
          { description: 'Buckets per issuing certificate of each accepted chain. Omitted: unlimited.' },
        ),
      })
      .prefault({}),
    { description: 'Token buckets (429 with Retry-After when empty). Buckets live in process memory.' },
  ),
  sequencer: sequencerSection('min(200ms, MMD/10)'),
  publish: doc(ctPublishSection.optional(), {
    description:
      'Serve the log the static-ct-api way too: a checkpoint (its STH with the RFC 6962 note signature, under the log key), hash and data tiles, issuers; optionally cosigned by the witnesses of a tlog-policy (src/config/publish.ts).',
    defaultText: 'none (the RFC 6962 API only)',
  }),
};

/** The `ct:` section of a `grapevine serve` file. */
export const ctSection = z.strictObject(ctSectionShape);
export type CtSection = z.output<typeof ctSection>;

/** A `ct serve` file. */
export const ctFileSchema = z.strictObject({
  ...serverShape({ listen: '127.0.0.1:6962', database: 'sqlite:grapevine.db' }),
  ...ctSectionShape,
});
export type CtConfig = z.output<typeof ctFileSchema>;

/** Cross-field problems of the CT keys; `at` prefixes their paths ("" or "ct."). */
export function ctSectionProblems(c: CtSection, at: string): string[] {
  const problems: string[] = [];
  if (!/^[A-Za-z0-9._~/-]*$/.test(c.prefix)) problems.push(`${at}prefix: got ${JSON.stringify(c.prefix)}, want URL path characters only`);
  const w = c.notAfter;
  if (w?.start !== undefined && w.limit !== undefined && w.start >= w.limit) {
    problems.push(`${at}notAfter: start ${new Date(w.start).toISOString()} is not before limit ${new Date(w.limit).toISOString()}`);
  }
  problems.push(
    ...timingProblems({
      mmdMs: c.mmd,
      mmdKey: `${at}mmd`,
      intervalMs: c.sequencer.interval,
      intervalKey: `${at}sequencer.interval`,
      leaseTtlMs: c.sequencer.leaseTtl,
      leaseTtlKey: `${at}sequencer.leaseTtl`,
    }),
  );
  return problems;
}

/** Substituted text → validated config. Throws CtConfigError listing every problem. */
function parseSubstituted(sub: SubstitutedText, overrides: ResolveOptions['overrides']): Readonly<CtConfig> {
  if (sub.problems.length > 0) throw new CtConfigError(sub.problems);
  const raw = parseYamlText(sub.text, CtConfigError);
  const r = ctFileSchema.safeParse(raw);
  if (!r.success) throw new CtConfigError([...schemaProblems(r.error, ctFileSchema), ...rawServerProblems(raw, overrides)]);
  const problems = [...serverProblems(r.data, overrides), ...ctSectionProblems(r.data, '')];
  if (problems.length > 0) throw new CtConfigError(problems);
  return deepFreeze(r.data);
}

/** Parses and validates config text (YAML or JSON). Throws CtConfigError listing every problem. */
export function parseCtConfig(text: string, opts: Pick<LoadOptions, 'env' | 'overrides'> = {}): Readonly<CtConfig> {
  const sub = substituteEnv(text, opts.env ?? {});
  return withoutSecrets(sub.substitutions, () => parseSubstituted(sub, opts.overrides));
}

/** The CT log part of a resolved config. */
export interface ResolvedCtSection {
  readonly createTree: boolean;
  readonly log: CtLogSpec;
  readonly quotas: CtQuotaSpec;
  /** Unset: the personality's default, min(200 ms, MMD/10). */
  readonly sequencerIntervalMs?: number;
  readonly sequencerBatchSize: number;
  /** Unset: derived from the MMD by the server builder. */
  readonly sequencerLeaseTtlMs?: number;
  /** The static read API and witnessing, when `publish` is set. */
  readonly publish?: ResolvedPublish;
}

export interface ResolvedCtConfig extends ResolvedServerSettings, ResolvedCtSection {}

/** Loads the key and the roots of a CT section. Problems are pushed (prefixed with `at`); null when there were any. */
export function resolveCtSection(c: CtSection, opts: ResolveOptions, at: string, problems: string[]): ResolvedCtSection | null {
  const before = problems.length;
  const read = fileReader(opts, problems);
  let signer: Signer | null = null;
  const keyBytes = read(c.keyFile, `${at}keyFile`);
  if (keyBytes) {
    try {
      signer = signerFromPrivateKey(parsePrivateKey(keyBytes));
      const t = signer.publicKey.type;
      if (t !== 'ecdsa-p256' && t !== 'rsa') {
        problems.push(`${at}keyFile: got a ${t} key, want ECDSA P-256 or RSA (RFC 6962 §2.1.4)`);
        signer = null;
      }
    } catch (err) {
      problems.push(`${at}keyFile: ${(err as Error).message}`);
    }
  }
  const roots: Buffer[] = [];
  c.roots.forEach((file, i) => {
    const b = read(file, `${at}roots[${i}]`);
    if (!b) return;
    try {
      for (const der of certificatesFromPem(b.toString('latin1'))) {
        parseCertificate(der);
        roots.push(der);
      }
    } catch (err) {
      problems.push(`${at}roots[${i}] (${resolvePath(opts.baseDir, file)}): ${(err as Error).message}`);
    }
  });
  const publish = c.publish ? resolvePublish(c.publish, opts, `${at}publish.`, problems) : undefined;
  if (problems.length > before || !signer) return null;
  const spec: CtLogSpec = {
    tree: c.tree,
    prefix: routePrefix(c.prefix),
    signer,
    roots,
    mmdMs: c.mmd,
    rejectExpired: c.rejectExpired,
    maxChainLength: c.limits.maxChainLength,
    maxGetEntries: c.limits.maxGetEntries,
    ...(c.notAfter ? { notAfter: { ...c.notAfter } } : {}),
  };
  return {
    createTree: c.createTree,
    ...(publish ? { publish } : {}),
    log: Object.freeze(spec),
    quotas: c.quota as CtQuotaSpec,
    ...(c.sequencer.interval !== undefined ? { sequencerIntervalMs: c.sequencer.interval } : {}),
    sequencerBatchSize: c.sequencer.batchSize,
    ...(c.sequencer.leaseTtl !== undefined ? { sequencerLeaseTtlMs: c.sequencer.leaseTtl } : {}),
  };
}

/** Loads the key and the roots. Throws CtConfigError listing every problem. */
export function resolveCtConfig(cfg: Readonly<CtConfig>, opts: ResolveOptions): ResolvedCtConfig {
  const problems = serverProblems(cfg, opts.overrides);
  const section = resolveCtSection(cfg, opts, '', problems);
  if (problems.length > 0 || !section) throw new CtConfigError(problems);
  return Object.freeze({ ...resolveServer(cfg, opts, cfg.limits.bodyBytes), ...section });
}

/** Both steps at once, with `${VAR}` substitution and overrides; no value from the environment appears in a problem. */
export function loadCtConfigText(text: string, opts: LoadOptions): ResolvedCtConfig {
  const sub = substituteEnv(text, opts.env ?? {});
  return withoutSecrets(sub.substitutions, () => resolveCtConfig(parseSubstituted(sub, opts.overrides), opts));
}
