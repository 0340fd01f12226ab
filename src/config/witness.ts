/**
 * The `grapevine witness serve` configuration (YAML), validated once at the
 * edge and frozen (STYLE.md §9), and the `witness:` section of a `grapevine
 * serve` file, which has the same keys but the server ones.
 *
 * 1. `parseWitnessConfig(text, { env })` — `${VAR}` substitution → YAML →
 *    zod schema → cross-field rules. Pure.
 * 2. `resolveWitnessConfig(cfg, { readFile, baseDir, overrides })` — reads
 *    the witness key files and the log lists (through the injected reader;
 *    only cli/ touches the file system), builds the cosigners and the logs.
 *
 * Every problem is reported at once (WitnessConfigFileError, one per line).
 * Every key is documented beside its schema (`doc()`, config/reference.ts).
 *
 *     listen: 127.0.0.1:7380
 *     database: sqlite:witness.db           # relative to this file; one witness per database
 *     keys: [witness.key]                    # Go note signer keys; every key cosigns, the first first
 *     incidents:                             # optional: evidence of logs that fork (docs/incidents.md)
 *       evidenceDir: evidence
 *       sinks: [{ type: jsonl, path: incidents.jsonl }]
 *     logLists: [log-list.1]                 # optional: witness-network.org lists (logs/v0)
 *     logs:
 *       - origin: go.sum database tree
 *         vkey: sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8
 *         url: https://sum.golang.org
 *         qpd: 1440
 */
import { z } from 'zod';
import { type CosignerV1, cosignerFromSkey, parseVkey } from '../note/index.ts';
import {
  FEEDER_KINDS,
  LogList,
  MAX_ADD_CHECKPOINT_BYTES,
  mergeLogSpecs,
  parseNetworkLogList,
  type WitnessLog,
  type WitnessLogSpec,
  witnessLog,
} from '../witness/index.ts';
import { substituteEnv } from './env.ts';
import {
  ConfigProblemsError,
  deepFreeze,
  doc,
  fileReader,
  type LoadOptions,
  parseYamlText,
  type ResolveOptions,
  schemaProblems,
} from './fields.ts';
import { incidentsSection, resolveIncidents } from './incidents.ts';
import { publicKeyText } from './private-keys.ts';
import { withoutSecrets } from './problems.ts';
import { type ResolvedServerSettings, rawServerProblems, resolveServer, serverProblems, serverShape } from './server.ts';

export class WitnessConfigFileError extends ConfigProblemsError {
  constructor(problems: readonly string[], options?: { cause?: unknown }) {
    super('witness config', problems, options);
  }
}

const log = z
  .strictObject({
    origin: doc(z.string().min(1), {
      description: 'The checkpoint origin line, exactly (c2sp.org/tlog-checkpoint). Unique among the logs.',
    }),
    vkey: doc(publicKeyText('a vkey').optional(), {
      description:
        "The log's key, a c2sp.org/signed-note vkey: type 0x01 (Ed25519), 0x02 (ECDSA, Rekor) or 0x05 (RFC 6962, a CT log's key; its name must be the origin). Optional when a log list has the origin.",
      trust:
        'every checkpoint this key signs for the origin is cosigned once it is consistent: a wrong key makes the witness vouch for someone else.',
    }),
    vkeys: doc(z.array(publicKeyText('a vkey')).optional(), {
      description: 'More keys of the log (a key rotation); with vkey, all count. A signature by any of them is enough.',
    }),
    url: doc(z.string().min(1).optional(), {
      description: 'Where the log publishes its checkpoints (for feeders; the witness itself never fetches it).',
    }),
    qpd: doc(
      z
        .number()
        .int()
        .min(1)
        .max(2 ** 31 - 1)
        .optional(),
      {
        description:
          'add-checkpoint requests per day (witness-network.org); beyond it 429 with Retry-After. Enforced as a bucket refilling qpd/86400 per second that holds an hour of it (at least 4, at most qpd), charged only after the log signature verified. Overrides a log list.',
        unit: 'requests per day',
        defaultText: "the log list's, else unlimited",
      },
    ),
    disabled: doc(z.boolean().optional(), {
      description:
        "Refuse the log's checkpoints (404, as an unknown origin) while keeping its last cosigned checkpoint readable. Overrides a log list, so it survives the list's updates.",
      defaultText: '`false`',
    }),
    contact: doc(z.string().min(1).optional(), { description: 'Who runs the log (informational).' }),
    feeder: doc(z.enum(FEEDER_KINDS).optional(), {
      description:
        'How `grapevine witness feed` reads the log at url: tlog-tiles (<url>/checkpoint and tiles), sumdb (<url>/latest and tile/8/…, the Go checksum database) or rfc6962 (get-sth turned into a checkpoint with the RFC 6962 note signature; needs a 0x05 vkey).',
      defaultText: 'rfc6962 for a log with a 0x05 vkey, else tlog-tiles',
    }),
  })
  .transform(({ vkey, vkeys, ...rest }) => ({ ...rest, vkeys: [...(vkey !== undefined ? [vkey] : []), ...(vkeys ?? [])] }));

/** The witness's keys, in a `witness serve` file and in the `witness:` section of a `grapevine serve` file. */
export const witnessSectionShape = {
  prefix: doc(
    z
      .string()
      .regex(/^(\/[A-Za-z0-9._~-]+)*$/, 'want "" or /segment[/segment…]')
      .default(''),
    {
      description:
        'URL prefix of the submission and monitoring endpoints: POST <prefix>/add-checkpoint and GET <prefix>/<origin hash>/checkpoint (c2sp.org/tlog-witness).',
    },
  ),
  keys: doc(z.array(z.string().min(1)).min(1), {
    description:
      "Witness key files, Go note signer keys (PRIVATE+KEY+name+id+base64) as `grapevine witness keygen` writes them, relative to this file's folder. Every key cosigns (cosignature/v1), the first one's line first; the first key's name is the witness's name. Several keys serve a rotation: remove the old key to retire it.",
    trust: 'whoever reads a key file can cosign as this witness.',
  }),
  incidents: doc(incidentsSection.prefault({}), {
    description:
      'Where the evidence goes when a checkpoint signed by its log is refused for inconsistency (docs/incidents.md § What the witness raises): evidence files and sinks.',
  }),
  logLists: doc(z.array(z.string().min(1)).default([]), {
    description:
      "witness-network.org log lists (logs/v0) to follow, files relative to this file's folder. Lists only add logs and keys; an entry in logs overrides a listed log's url, qpd and disabled.",
    trust: 'every log a list names is cosigned: follow only lists whose maintainers you trust.',
  }),
  logs: doc(z.array(log).default([]), {
    description: 'The logs this witness cosigns for, and overrides of listed ones (matched by origin).',
  }),
};

/** The `witness:` section of a `grapevine serve` file. */
export const witnessSection = z.strictObject(witnessSectionShape);
export type WitnessSection = z.output<typeof witnessSection>;

/** A `witness serve` file. */
export const witnessFileSchema = z.strictObject({
  ...serverShape({ listen: '127.0.0.1:7380', database: 'sqlite:witness.db' }),
  ...witnessSectionShape,
});

export type WitnessConfig = z.output<typeof witnessFileSchema>;

const rec = (v: unknown): Record<string, unknown> =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** Rules across keys of a raw witness section (run on raw data, so a file with schema errors gets them too); `at` prefixes paths. */
export function witnessSectionProblems(raw: unknown, at: string): string[] {
  const problems: string[] = [];
  const origins = new Map<string, number>();
  list(rec(raw).logs).forEach((l, i) => {
    const origin = rec(l).origin;
    if (typeof origin !== 'string') return;
    if (origins.has(origin)) problems.push(`${at}logs[${i}].origin: ${JSON.stringify(origin)} is also logs[${origins.get(origin)}]`);
    origins.set(origin, i);
  });
  if (list(rec(raw).logs).length === 0 && list(rec(raw).logLists).length === 0) {
    problems.push(`${at}logs: no logs and no logLists, want at least one`);
  }
  return problems;
}

function validate(raw: unknown, overrides: ResolveOptions['overrides']): { cfg: Readonly<WitnessConfig> | null; problems: string[] } {
  const r = witnessFileSchema.safeParse(raw);
  const problems = r.success ? [] : [...schemaProblems(r.error, witnessFileSchema), ...rawServerProblems(raw, overrides)];
  problems.push(...witnessSectionProblems(raw, ''));
  if (r.success) problems.push(...serverProblems(r.data, overrides));
  return { cfg: r.success && problems.length === 0 ? deepFreeze(r.data) : null, problems };
}

/** Parses and validates config text (YAML or JSON). Throws WitnessConfigFileError listing every problem. */
export function parseWitnessConfig(text: string, opts: Pick<LoadOptions, 'env' | 'overrides'> = {}): Readonly<WitnessConfig> {
  const sub = substituteEnv(text, opts.env ?? {});
  return withoutSecrets(sub.substitutions, () => {
    if (sub.problems.length > 0) throw new WitnessConfigFileError(sub.problems);
    const { cfg, problems } = validate(parseYamlText(sub.text, WitnessConfigFileError), opts.overrides);
    if (!cfg) throw new WitnessConfigFileError(problems);
    return cfg;
  });
}

/** The witness part of a resolved config. */
export interface ResolvedWitnessSection {
  readonly prefix: string;
  readonly cosigners: readonly CosignerV1[];
  readonly logs: LogList;
  /** Evidence directory and sinks, paths absolute (src/incidents buildIncidentReporter). */
  readonly incidents: ReturnType<typeof resolveIncidents>;
}

export interface ResolvedWitnessConfig extends ResolvedServerSettings, ResolvedWitnessSection {}

/** Reads the key files and log lists of a witness section. Problems are pushed (prefixed with `at`); null when there were any. */
export function resolveWitnessSection(
  c: WitnessSection,
  opts: ResolveOptions,
  at: string,
  problems: string[],
): ResolvedWitnessSection | null {
  const before = problems.length;
  const read = fileReader(opts, problems);
  const cosigners: CosignerV1[] = [];
  c.keys.forEach((path, i) => {
    const b = read(path, `${at}keys[${i}]`);
    if (!b) return;
    try {
      cosigners.push(cosignerFromSkey(b.toString('utf8').trim()));
    } catch (err) {
      // NoteError messages never echo the secret (note/skey.ts).
      problems.push(`${at}keys[${i}]: ${(err as Error).message}`);
    }
  });
  const seen = new Set<string>();
  cosigners.forEach((k, i) => {
    const raw = parseVkey(k.vkey).key.toString('hex');
    // tlog-cosignature: the signed message does not name the cosigner, so every cosigner needs its own key.
    if (seen.has(raw)) problems.push(`${at}keys[${i}]: the same key as an earlier entry`);
    seen.add(raw);
  });
  const specs: WitnessLogSpec[] = [];
  c.logLists.forEach((path, i) => {
    const b = read(path, `${at}logLists[${i}]`);
    if (!b) return;
    try {
      specs.push(...parseNetworkLogList(b.toString('utf8'), path));
    } catch (err) {
      problems.push(`${at}logLists[${i}]: ${(err as Error).message}`);
    }
  });
  for (const l of c.logs) specs.push(Object.fromEntries(Object.entries(l).filter(([, v]) => v !== undefined)) as unknown as WitnessLogSpec);
  const logs: WitnessLog[] = [];
  for (const spec of mergeLogSpecs(specs)) {
    const where = `${at}logs[origin ${JSON.stringify(spec.origin)}]`;
    try {
      const l = witnessLog(spec);
      // A witness key that also signs checkpoints would let a log's signature pass as a cosignature, or the reverse.
      if ([...l.keys].some((v) => seen.has(parseVkey(v.vkey).key.toString('hex')))) problems.push(`${where}: uses a witness key`);
      logs.push(l);
    } catch (err) {
      problems.push(`${where}: ${(err as Error).message}`);
    }
  }
  if (problems.length > before) return null;
  return Object.freeze({
    prefix: c.prefix,
    cosigners: Object.freeze(cosigners),
    logs: new LogList(logs),
    incidents: resolveIncidents(c.incidents, opts.baseDir),
  });
}

/** Reads keys and lists, builds the witness's keys and logs. Throws WitnessConfigFileError listing every problem. */
export function resolveWitnessConfig(cfg: Readonly<WitnessConfig>, opts: ResolveOptions): ResolvedWitnessConfig {
  const problems: string[] = [];
  const section = resolveWitnessSection(cfg, opts, '', problems);
  if (!section) throw new WitnessConfigFileError(problems);
  return Object.freeze({ ...resolveServer(cfg, opts, MAX_ADD_CHECKPOINT_BYTES), ...section });
}

/** Tries the files a raw witness section names, so that a file with schema errors also gets its missing files reported. */
export function readWitnessFiles(raw: unknown, opts: ResolveOptions, at: string, problems: string[]): void {
  const read = fileReader(opts, problems);
  for (const k of ['keys', 'logLists'] as const) {
    list(rec(raw)[k]).forEach((p, i) => {
      if (typeof p === 'string' && p !== '') read(p, `${at}${k}[${i}]`);
    });
  }
}

/** Both steps; when the schema fails the files it names are still read, so one run reports every problem. */
export function loadWitnessConfigText(text: string, opts: LoadOptions): ResolvedWitnessConfig {
  const sub = substituteEnv(text, opts.env ?? {});
  return withoutSecrets(sub.substitutions, () => {
    if (sub.problems.length > 0) throw new WitnessConfigFileError(sub.problems);
    const raw = parseYamlText(sub.text, WitnessConfigFileError);
    const { cfg, problems } = validate(raw, opts.overrides);
    if (cfg) return resolveWitnessConfig(cfg, opts);
    readWitnessFiles(raw, opts, '', problems);
    throw new WitnessConfigFileError(problems);
  });
}
