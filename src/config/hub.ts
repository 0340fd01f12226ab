/**
 * The `grapevine hub serve` configuration file (YAML), validated once at the
 * edge and frozen (STYLE.md §9), and the `hub:` section of a `grapevine
 * serve` file (config/site.ts), which has the same keys but the server ones.
 *
 * 1. `parseHubConfig(text, { env })` — `${VAR}` substitution → YAML → zod
 *    schema → cross-field rules. Pure.
 * 2. `resolveHubConfig(cfg, { readFile, baseDir, overrides })` — loads key
 *    files (through the injected reader; only cli/ touches the file system),
 *    parses keys, builds the TrackedSources and checks what needs keys (a
 *    source with the hub's own key is refused).
 *
 * `loadHubConfigText` does both, and keeps values from the environment out
 * of its problems. Every step collects all problems before failing:
 * HubConfigError lists them, one per line, as `path: problem`. Every key is
 * documented in docs/configuration.md, generated from the `doc()` metadata
 * here (config/reference.ts); docs/examples/hub-real-logs.yaml is a working
 * example with real logs' keys.
 */
import { z } from 'zod';
import { parsePrivateKey, type Signer, signerFromPrivateKey } from '../crypto/index.ts';
import { routePrefix } from '../http/prefix.ts';
import { makeSource, SOURCE_KINDS, type TrackedSource } from '../hub/index.ts';
import {
  DEFAULT_AUDIT_FILE_KEEP,
  DEFAULT_AUDIT_FILE_MAX_BYTES,
  DEFAULT_MAX_GET_ENTRIES,
  type HubQuotaSpec,
} from '../personalities/hub/index.ts';
import { substituteEnv } from './env.ts';
import {
  ConfigProblemsError,
  deepFreeze,
  doc,
  fileReader,
  type LoadOptions,
  parseYamlText,
  positiveDuration,
  type ResolveOptions,
  resolvePath,
  schemaProblems,
  tokenBucket,
} from './fields.ts';
import { privateKeyKind, privateKeyProblem, publicKeyText } from './private-keys.ts';
import { withoutSecrets } from './problems.ts';
import { hubPublishSection, type ResolvedPublish, resolvePublish } from './publish.ts';
import { type ResolvedServerSettings, rawServerProblems, resolveServer, serverProblems, serverShape } from './server.ts';
import { sequencerSection, timingProblems } from './timing.ts';

export type { ResolveOptions } from './fields.ts';

export class HubConfigError extends ConfigProblemsError {
  constructor(problems: readonly string[], options?: { cause?: unknown }) {
    super('hub config', problems, options);
  }
}

const source = z
  .strictObject({
    id: doc(z.string().min(1), {
      description:
        'The API `source_id`, matched byte for byte, at most 1024 bytes. CT logs: the log URL with https:// and the trailing / (what gossip clients send).',
    }),
    name: doc(z.string().min(1).optional(), { description: 'Human label, in logs and metrics.', defaultText: 'the id' }),
    kind: doc(z.enum(SOURCE_KINDS), {
      description:
        "What the source signs (specs/gossip-hub.md §3.3): RFC6962STH (a CT log's tree head), CHECKPOINT (a c2sp.org/tlog-checkpoint note body; static-ct-api and sumdb-style logs, witnesses), GONOTARY (the Go checksum database's tree note), GOSSIPHUB (another hub's tree head) or UNKNOWN (opaque bytes).",
    }),
    hash: doc(z.enum(['SHA256', 'NONE']).optional(), {
      description: 'Signature hash: SHA256 (ECDSA, RSA) or NONE (Ed25519, which hashes internally).',
      defaultText: 'from the key type',
    }),
    publicKey: doc(publicKeyText('a public key').optional(), {
      description:
        "The source's public key inline: a PEM block, or base64 DER SubjectPublicKeyInfo (as in Google's CT log list). One of publicKey, publicKeyFile and vkey.",
      trust: "whatever this key signs is accepted as the source's. A private key here is refused without being shown.",
    }),
    publicKeyFile: doc(z.string().min(1).optional(), {
      description: "A PEM, DER or base64 public key file, relative to this file's folder. One of publicKey, publicKeyFile and vkey.",
      trust: 'as publicKey; a file holding a private key is refused.',
    }),
    vkey: doc(publicKeyText('a vkey').optional(), {
      description:
        'A c2sp.org/signed-note verifier key, name+keyid+base64 (CHECKPOINT, GONOTARY): type 0x01 Ed25519, 0x02 ECDSA, 0x03/0x04 witness cosignatures, 0x05 RFC 6962 (static-ct-api logs). One of publicKey, publicKeyFile and vkey.',
      trust: 'as publicKey. A Go private note key (PRIVATE+KEY+…) here is refused without being shown.',
    }),
    origin: doc(z.string().min(1).optional(), {
      description:
        'CHECKPOINT: the origin line every checkpoint of this source must carry. Required for CHECKPOINT sources; for a 0x05 (static-ct-api) vkey it must equal the key name.',
      trust:
        "one key may sign checkpoints of several logs (a witness cosigns every log it sees; Rekor shards share one key), and a source's latest head is the largest tree size: without a pinned origin, a replayed checkpoint of another log could become this source's latest.",
    }),
  })
  .superRefine((s, ctx) => {
    const n = [s.publicKey, s.publicKeyFile, s.vkey].filter((x) => x !== undefined).length;
    if (n !== 1) ctx.addIssue({ code: 'custom', message: `give exactly one of publicKey, publicKeyFile and vkey (got ${n})` });
    // Issue 9 #8: "latest" orders by tree size alone, so only a pinned origin keeps other logs' checkpoints out.
    if (s.kind === 'CHECKPOINT' && s.origin === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['origin'],
        message: 'a CHECKPOINT source needs the origin line of its log (a key may sign several logs: witnesses, shared log keys)',
      });
    }
  });

const instance = z.strictObject({
  prefix: doc(z.string().min(1), {
    description: 'URL prefix: the hub answers at /PREFIX/gossip/v0/. Leading and trailing slashes are trimmed; unique per file.',
  }),
  tree: doc(z.string().min(1).optional(), { description: 'Tree name in the database; unique per file.', defaultText: 'hub-PREFIX' }),
  privateKeyFile: doc(z.string().min(1), {
    description: "The hub's private key (PEM or DER; ECDSA P-256, Ed25519 or RSA), relative to this file's folder.",
    trust: 'whoever can read it can sign SGTs and tree heads as the hub. Mode 0600.',
  }),
  mmd: doc(positiveDuration.prefault('10s'), {
    description: "Maximum merge delay: every SGT's entry is in a served tree head within it. More than twice sequencer.interval.",
    unit: 'duration',
  }),
  auditLog: doc(z.string().min(1).optional(), {
    description:
      "File where every served tree head is appended (fsynced), relative to this file's folder, so the hub never serves a head that does not extend one it served before a restart.",
    defaultText: 'none (kept in memory only)',
    trust: 'whoever can rewrite it can make the hub forget heads it served (and so serve a fork after a restart).',
  }),
  auditLogRotation: doc(
    z
      .strictObject({
        maxBytes: doc(z.number().int().min(4096).default(DEFAULT_AUDIT_FILE_MAX_BYTES), {
          description:
            'Size past which the audit file is rotated: it becomes FILE.1 (older ones shift up) and FILE starts again with the last served head alone.',
          unit: 'bytes',
        }),
        keep: doc(z.number().int().min(0).max(100).default(DEFAULT_AUDIT_FILE_KEEP), {
          description: 'Rotated audit files kept (FILE.1 … FILE.N), the evidence of heads served earlier; 0 keeps none.',
          unit: 'files',
        }),
      })
      .prefault({}),
    { description: 'Bounds on auditLog: at most (keep + 1) × maxBytes on disk, whatever the uptime.' },
  ),
  sources: doc(z.array(source).min(1), {
    description: 'The logs (and other signers) whose signed material this hub accepts; ids unique per instance.',
  }),
  publish: doc(hubPublishSection.optional(), {
    description:
      'Serve the instance the tlog-tiles way too, at /PREFIX/checkpoint and /PREFIX/tile/…: a checkpoint of its served (audited) head signed by its own Ed25519 note key, hash tiles and entry bundles; optionally cosigned by the witnesses of a tlog-policy (src/config/publish.ts).',
    defaultText: 'none (the Gossip Hub API only)',
  }),
});

const quota = doc(
  z
    .strictObject({
      perClient: doc(
        z
          .strictObject({
            read: doc(tokenBucket.optional(), {
              description: 'Reads per client: one token per request, and per entry of a get-entries page (a page is clipped to the burst).',
            }),
            write: doc(tokenBucket.optional(), { description: 'add-signed-blob requests per client.' }),
          })
          .optional(),
        {
          description: 'Buckets per client address (IPv4 address, IPv6 prefix of ipv6QuotaPrefix bits). Omitted: unlimited.',
          trust: 'with N frontends each enforces its own buckets, so the fleet allows N times these rates.',
        },
      ),
      perSource: doc(z.strictObject({ write: doc(tokenBucket.optional(), { description: 'New entries per source.' }) }).optional(), {
        description: 'Buckets per source, charged per new entry after its signature verified. Omitted: unlimited.',
      }),
    })
    .prefault({}),
  { description: 'Token buckets (429 with Retry-After when empty). Buckets live in process memory.' },
);

/** The hub's keys, in a `hub serve` file and in the `hub:` section of a `grapevine serve` file. */
export const hubSectionShape = {
  limits: doc(
    z
      .strictObject({
        bodyBytes: doc(
          z
            .number()
            .int()
            .min(1024)
            .default(256 * 1024),
          { description: 'Largest request body (413 above): a blob of up to 64 KiB in base64 plus its signature.', unit: 'bytes' },
        ),
        maxGetEntries: doc(z.number().int().min(1).max(10_000).default(DEFAULT_MAX_GET_ENTRIES), {
          description: 'Most entries one get-entries answers.',
          unit: 'entries',
        }),
      })
      .prefault({}),
    { description: 'Request size limits.' },
  ),
  quota,
  sequencer: sequencerSection('min(200ms, MMD/10), per instance'),
  instances: doc(z.array(instance).min(1), { description: 'The hubs this process serves, each its own tree, key and sources.' }),
};

/** The `hub:` section of a `grapevine serve` file. */
export const hubSection = z.strictObject(hubSectionShape);
export type HubSection = z.output<typeof hubSection>;

/** A `hub serve` file. */
export const hubFileSchema = z.strictObject({
  ...serverShape({ listen: '127.0.0.1:16962', database: 'sqlite:grapevine.db' }),
  ...hubSectionShape,
});

export type HubConfig = z.output<typeof hubFileSchema>;

const rec = (v: unknown): Record<string, unknown> =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/**
 * Uniqueness rules across instances and sources, run on the raw data
 * (defensively) so that a file with schema errors still gets these problems
 * reported in the same pass. `at` prefixes paths ("" or "hub.").
 */
export function hubUniquenessProblems(raw: unknown, at: string): string[] {
  const problems: string[] = [];
  const prefixes = new Map<string, number>();
  const trees = new Map<string, number>();
  list(rec(raw).instances).forEach((inst, i) => {
    const prefix = str(rec(inst).prefix);
    if (prefix !== undefined && prefix !== '') {
      const p = routePrefix(prefix);
      if (p === '') problems.push(`${at}instances[${i}].prefix: empty after trimming slashes`);
      if (prefixes.has(p)) problems.push(`${at}instances[${i}].prefix: ${p} is also the prefix of instances[${prefixes.get(p)}]`);
      prefixes.set(p, i);
      const tree = str(rec(inst).tree) ?? `hub-${p.slice(1)}`;
      if (trees.has(tree)) problems.push(`${at}instances[${i}].tree: ${tree} is also the tree of instances[${trees.get(tree)}]`);
      trees.set(tree, i);
    }
    const ids = new Map<string, number>();
    list(rec(inst).sources).forEach((src, j) => {
      const id = str(rec(src).id);
      if (id === undefined) return;
      if (ids.has(id)) problems.push(`${at}instances[${i}].sources[${j}].id: duplicate of sources[${ids.get(id)}] (${JSON.stringify(id)})`);
      ids.set(id, j);
    });
  });
  return problems;
}

/** Cross-field problems of parsed hub keys: each instance's MMD against the sequencer's timing. */
export function hubSectionProblems(c: HubSection, at: string): string[] {
  return c.instances.flatMap((inst, i) =>
    timingProblems({
      mmdMs: inst.mmd,
      mmdKey: `${at}instances[${i}].mmd`,
      intervalMs: c.sequencer.interval,
      intervalKey: `${at}sequencer.interval`,
      leaseTtlMs: c.sequencer.leaseTtl,
      leaseTtlKey: `${at}sequencer.leaseTtl`,
    }),
  );
}

function validate(raw: unknown, overrides: ResolveOptions['overrides']): { cfg: Readonly<HubConfig> | null; problems: string[] } {
  const r = hubFileSchema.safeParse(raw);
  const problems = r.success ? [] : [...schemaProblems(r.error, hubFileSchema), ...rawServerProblems(raw, overrides)];
  problems.push(...hubUniquenessProblems(raw, ''));
  if (r.success) problems.push(...serverProblems(r.data, overrides), ...hubSectionProblems(r.data, ''));
  return { cfg: r.success && problems.length === 0 ? deepFreeze(r.data) : null, problems };
}

/** Parses and validates config text (YAML or JSON). Throws HubConfigError listing every problem. */
export function parseHubConfig(text: string, opts: Pick<LoadOptions, 'env' | 'overrides'> = {}): Readonly<HubConfig> {
  const sub = substituteEnv(text, opts.env ?? {});
  return withoutSecrets(sub.substitutions, () => {
    if (sub.problems.length > 0) throw new HubConfigError(sub.problems);
    const { cfg, problems } = validate(parseYamlText(sub.text, HubConfigError), opts.overrides);
    if (!cfg) throw new HubConfigError(problems);
    return cfg;
  });
}

/** Tries the key files a raw hub section names, so that a file with schema errors also gets its missing files reported. */
export function readHubKeyFiles(raw: unknown, opts: ResolveOptions, at: string, problems: string[]): void {
  const read = fileReader(opts, problems);
  list(rec(raw).instances).forEach((inst, i) => {
    const files: [string, unknown][] = [[`${at}instances[${i}].privateKeyFile`, rec(inst).privateKeyFile]];
    list(rec(inst).sources).forEach((src, j) => {
      files.push([`${at}instances[${i}].sources[${j}].publicKeyFile`, rec(src).publicKeyFile]);
    });
    for (const [where, p] of files) {
      if (typeof p === 'string' && p !== '') read(p, where);
    }
  });
}

/**
 * Both steps at once: `${VAR}` substitution, parse, validate and resolve
 * keys. When the schema fails, the key files it names are still tried, so one
 * run reports every problem of the file. No value from the environment
 * appears in a problem.
 */
export function loadHubConfigText(text: string, opts: LoadOptions): ResolvedHubConfig {
  const sub = substituteEnv(text, opts.env ?? {});
  return withoutSecrets(sub.substitutions, () => {
    if (sub.problems.length > 0) throw new HubConfigError(sub.problems);
    const raw = parseYamlText(sub.text, HubConfigError);
    const { cfg, problems } = validate(raw, opts.overrides);
    if (cfg) return resolveHubConfig(cfg, opts);
    readHubKeyFiles(raw, opts, '', problems);
    throw new HubConfigError(problems);
  });
}

export interface ResolvedHubInstance {
  readonly prefix: string;
  readonly tree?: string;
  readonly signer: Signer;
  readonly mmdMs: number;
  readonly auditLog?: string;
  /** Rotation of auditLog (personalities/hub/served-heads-file.ts). */
  readonly auditLogRotation: { readonly maxBytes: number; readonly keep: number };
  readonly sources: readonly TrackedSource[];
  /** The static read API and witnessing, when `publish` is set. */
  readonly publish?: ResolvedPublish;
}

/** The hub part of a resolved config. */
export interface ResolvedHubSection {
  readonly maxGetEntries: number;
  readonly quota: HubQuotaSpec;
  /** Unset: derived from each instance's MMD by the server builder (src/log/timing.ts). */
  readonly sequencerIntervalMs?: number;
  readonly sequencerBatchSize: number;
  /** Unset: derived from each instance's MMD by the server builder. */
  readonly sequencerLeaseTtlMs?: number;
  readonly instances: readonly ResolvedHubInstance[];
}

export interface ResolvedHubConfig extends ResolvedServerSettings, ResolvedHubSection {}

/** The key name and signature type of a vkey, or null when it does not have the name+id+base64 shape. */
function vkeyHead(vkey: string): { name: string; type: number } | null {
  const parts = vkey.split('+');
  if (parts.length < 3) return null;
  const material = Buffer.from(parts.slice(2).join('+'), 'base64');
  return material.length > 0 ? { name: parts[0], type: material[0] } : null;
}

/** Loads keys and builds the sources of a hub section. Problems are pushed (prefixed with `at`); null when there were any. */
export function resolveHubSection(c: HubSection, opts: ResolveOptions, at: string, problems: string[]): ResolvedHubSection | null {
  const before = problems.length;
  const read = fileReader(opts, problems);
  const instances: ResolvedHubInstance[] = [];
  c.instances.forEach((inst, i) => {
    const where = `${at}instances[${i}]`;
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
        const kind = privateKeyKind(b);
        if (kind) {
          problems.push(`${w}.publicKeyFile: ${privateKeyProblem(kind, 'a public key')}`);
          return;
        }
        publicKey = keyFileContent(b);
      }
      // c2sp.org/static-ct-api: a 0x05 signature does not cover the origin line, so the verifier takes only notes whose origin is the key name.
      const head = s.vkey !== undefined ? vkeyHead(s.vkey) : null;
      if (head?.type === 0x05 && s.origin !== undefined && s.origin !== head.name) {
        problems.push(
          `${w}.origin: got ${JSON.stringify(s.origin)}, want the vkey's name ${JSON.stringify(head.name)} (an RFC 6962 note key signs only checkpoints whose origin is its name)`,
        );
        return;
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
    const publish = inst.publish ? resolvePublish(inst.publish, opts, `${where}.publish.`, problems) : null;
    if (signer) {
      instances.push(
        Object.freeze({
          prefix: routePrefix(inst.prefix).slice(1),
          ...(inst.tree !== undefined ? { tree: inst.tree } : {}),
          signer,
          mmdMs: inst.mmd,
          ...(inst.auditLog !== undefined ? { auditLog: resolvePath(opts.baseDir, inst.auditLog) } : {}),
          auditLogRotation: inst.auditLogRotation,
          sources: Object.freeze(sources),
          ...(publish ? { publish } : {}),
        }),
      );
    }
  });
  if (problems.length > before) return null;
  return {
    maxGetEntries: c.limits.maxGetEntries,
    quota: c.quota,
    ...(c.sequencer.interval !== undefined ? { sequencerIntervalMs: c.sequencer.interval } : {}),
    sequencerBatchSize: c.sequencer.batchSize,
    ...(c.sequencer.leaseTtl !== undefined ? { sequencerLeaseTtlMs: c.sequencer.leaseTtl } : {}),
    instances: Object.freeze(instances),
  };
}

/** Loads keys and builds sources. Throws HubConfigError listing every problem. */
export function resolveHubConfig(cfg: Readonly<HubConfig>, opts: ResolveOptions): ResolvedHubConfig {
  const problems = serverProblems(cfg, opts.overrides);
  const section = resolveHubSection(cfg, opts, '', problems);
  if (problems.length > 0 || !section) throw new HubConfigError(problems);
  return Object.freeze({ ...resolveServer(cfg, opts, cfg.limits.bodyBytes), ...section });
}

/** A key file's content for parsePublicKey: PEM and base64 files are text (trimmed); anything else is DER. */
export function keyFileContent(b: Buffer): string | Buffer {
  for (const c of b) if (!(c === 9 || c === 10 || c === 13 || (c >= 32 && c <= 126))) return b;
  return b.toString('ascii').trim();
}
