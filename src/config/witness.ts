/**
 * The `grapevine witness serve` configuration (YAML), validated once at the
 * edge and frozen (STYLE.md §9); docs/configuration.md § Witness. Two steps,
 * like the other server configs:
 *
 * 1. `parseWitnessConfig(text)` — YAML → zod schema → cross-field rules. Pure.
 * 2. `resolveWitnessConfig(cfg, { readFile, baseDir })` — reads the witness
 *    key files and the log lists (through the injected reader; only cli/
 *    touches the file system), builds the cosigners and the log list.
 *
 * Every problem is reported at once (WitnessConfigFileError, one per line).
 *
 *     listen: 127.0.0.1:7380
 *     database: sqlite:witness.db           # relative to this file; one witness per database
 *     keys: [witness.key]                    # Go note signer keys; every key cosigns, the first first
 *     incidents: incidents.jsonl             # optional: inconsistent checkpoints, docs/incidents.md
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
  LogList,
  MAX_ADD_CHECKPOINT_BYTES,
  mergeLogSpecs,
  parseNetworkLogList,
  type WitnessLog,
  type WitnessLogSpec,
  witnessLog,
} from '../witness/index.ts';
import {
  ConfigProblemsError,
  deepFreeze,
  fileReader,
  type LogLevel,
  listenProblem,
  logLevel,
  parseYamlText,
  type ResolveOptions,
  resolvePath,
  schemaProblems,
  splitListen,
  trustProxy,
} from './fields.ts';

export class WitnessConfigFileError extends ConfigProblemsError {
  constructor(problems: readonly string[], options?: { cause?: unknown }) {
    super('witness config', problems, options);
  }
}

const log = z
  .strictObject({
    /** The checkpoint origin line, exactly. Required. */
    origin: z.string().min(1),
    /** The log's key: a signed-note vkey of type 0x01 (Ed25519), 0x02 (ECDSA) or 0x05 (RFC 6962, CT logs; named as the origin). */
    vkey: z.string().min(1).optional(),
    /** Several keys (a log rotating its key). With `vkey`, both count. Optional when a log list has the origin. */
    vkeys: z.array(z.string().min(1)).optional(),
    /** Where the log publishes (the feeder polls it). Optional, informational for the witness. */
    url: z.string().min(1).optional(),
    /** add-checkpoint requests per day; beyond it 429. Optional: unlimited (or the list's). Overrides a list's. */
    qpd: z
      .number()
      .int()
      .min(1)
      .max(2 ** 31 - 1)
      .optional(),
    /** Refuse this log's checkpoints (404) while keeping its state. Default false; overrides a list. */
    disabled: z.boolean().optional(),
    /** Who runs the log. Optional. */
    contact: z.string().min(1).optional(),
  })
  .transform(({ vkey, vkeys, ...rest }) => ({ ...rest, vkeys: [...(vkey !== undefined ? [vkey] : []), ...(vkeys ?? [])] }));

const schema = z.strictObject({
  /** host:port. Default 127.0.0.1:7380 (litewitness's). */
  listen: z.string().default('127.0.0.1:7380'),
  /**
   * sqlite:PATH (relative to this file) or postgres://… Default sqlite:witness.db. Holds the latest cosigned
   * checkpoint per origin: whoever can write it can make the witness refuse a log or cosign a fork. One witness
   * per database.
   */
  database: z.string().min(1).default('sqlite:witness.db'),
  trustProxy,
  logLevel,
  /** URL prefix of `add-checkpoint` and `<origin hash>/checkpoint`, e.g. "/witness". Default "" (the root). */
  prefix: z
    .string()
    .regex(/^(\/[A-Za-z0-9._~-]+)*$/, 'want "" or /segment[/segment…]')
    .default(''),
  /**
   * Witness key files, Go note signer keys (`PRIVATE+KEY+<name>+<id>+<base64>`, as `grapevine witness keygen`
   * writes). Every key cosigns, the first one's line first; the first key's name is the witness's name.
   * Required, at least one. Whoever reads a key file can cosign as this witness.
   */
  keys: z.array(z.string().min(1)).min(1),
  /** JSON-lines file for incidents (docs/incidents.md), fsynced. Optional: incidents are only logged. */
  incidents: z.string().min(1).optional(),
  /** witness-network.org log lists (`logs/v0`) to follow, files relative to this one. Optional. */
  logLists: z.array(z.string().min(1)).default([]),
  /** Logs to witness, and overrides of listed ones (by origin). */
  logs: z.array(log).default([]),
});

export type WitnessConfig = z.output<typeof schema>;

const rec = (v: unknown): Record<string, unknown> =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

function crossFieldProblems(raw: unknown): string[] {
  const problems: string[] = [];
  const listen = rec(raw).listen;
  const bad = typeof listen === 'string' ? listenProblem(listen) : undefined;
  if (bad) problems.push(bad);
  const origins = new Map<string, number>();
  list(rec(raw).logs).forEach((l, i) => {
    const origin = rec(l).origin;
    if (typeof origin !== 'string') return;
    if (origins.has(origin)) problems.push(`logs[${i}].origin: ${JSON.stringify(origin)} is also logs[${origins.get(origin)}]`);
    origins.set(origin, i);
  });
  if (list(rec(raw).logs).length === 0 && list(rec(raw).logLists).length === 0)
    problems.push('logs: no logs and no logLists, want at least one');
  return problems;
}

function validate(raw: unknown): { cfg: Readonly<WitnessConfig> | null; problems: string[] } {
  const r = schema.safeParse(raw);
  const problems = r.success ? [] : schemaProblems(r.error);
  problems.push(...crossFieldProblems(raw));
  return { cfg: r.success && problems.length === 0 ? deepFreeze(r.data) : null, problems };
}

/** Parses and validates config text (YAML or JSON). Throws WitnessConfigFileError listing every problem. */
export function parseWitnessConfig(text: string): Readonly<WitnessConfig> {
  const { cfg, problems } = validate(parseYamlText(text, WitnessConfigFileError));
  if (!cfg) throw new WitnessConfigFileError(problems);
  return cfg;
}

export interface ResolvedWitnessConfig {
  readonly host: string;
  readonly port: number;
  /** The database URL, a relative sqlite: path resolved against the config file's directory. */
  readonly database: string;
  readonly trustProxy: boolean | string | readonly string[];
  readonly logLevel: LogLevel;
  /** Largest request body, bytes: 16 KiB (tlog-witness add-checkpoint bodies). */
  readonly bodyLimit: number;
  readonly prefix: string;
  readonly cosigners: readonly CosignerV1[];
  readonly logs: LogList;
  /** Absolute path of the incidents file, or undefined. */
  readonly incidents?: string;
}

/** Reads key files and log lists, builds the witness's keys and logs. Throws WitnessConfigFileError listing every problem. */
export function resolveWitnessConfig(cfg: Readonly<WitnessConfig>, opts: ResolveOptions): ResolvedWitnessConfig {
  const problems: string[] = [];
  const read = fileReader(opts, problems);
  const cosigners: CosignerV1[] = [];
  cfg.keys.forEach((path, i) => {
    const b = read(path, `keys[${i}]`);
    if (!b) return;
    try {
      cosigners.push(cosignerFromSkey(b.toString('utf8').trim()));
    } catch (err) {
      problems.push(`keys[${i}]: ${(err as Error).message}`);
    }
  });
  const specs: WitnessLogSpec[] = [];
  cfg.logLists.forEach((path, i) => {
    const b = read(path, `logLists[${i}]`);
    if (!b) return;
    try {
      specs.push(...parseNetworkLogList(b.toString('utf8'), path));
    } catch (err) {
      problems.push(`logLists[${i}]: ${(err as Error).message}`);
    }
  });
  specs.push(...cfg.logs.map((l) => Object.fromEntries(Object.entries(l).filter(([, v]) => v !== undefined)) as unknown as WitnessLogSpec));
  const logs: WitnessLog[] = [];
  for (const spec of mergeLogSpecs(specs)) {
    const where = `logs[origin ${JSON.stringify(spec.origin)}]`;
    try {
      logs.push(witnessLog(spec));
    } catch (err) {
      problems.push(`${where}: ${(err as Error).message}`);
    }
  }
  // tlog-cosignature: a cosigner's key signs nothing else; a witness key that is also a log's key is refused.
  const witnessKeys = new Set(cosigners.map((c) => parseVkey(c.vkey).key.toString('hex')));
  for (const l of logs) {
    for (const v of l.keys) {
      if (witnessKeys.has(parseVkey(v.vkey).key.toString('hex')))
        problems.push(`logs[origin ${JSON.stringify(l.origin)}]: uses a witness key`);
    }
  }
  const seen = new Set<string>();
  cosigners.forEach((c, i) => {
    const k = parseVkey(c.vkey).key.toString('hex');
    if (seen.has(k)) problems.push(`keys[${i}]: the same key as an earlier entry`);
    seen.add(k);
  });
  if (problems.length > 0) throw new WitnessConfigFileError(problems);
  const database = cfg.database.startsWith('sqlite:') ? `sqlite:${resolvePath(opts.baseDir, cfg.database.slice(7))}` : cfg.database;
  return Object.freeze({
    ...splitListen(cfg.listen),
    database,
    trustProxy: cfg.trustProxy,
    logLevel: cfg.logLevel,
    bodyLimit: MAX_ADD_CHECKPOINT_BYTES,
    prefix: cfg.prefix,
    cosigners: Object.freeze(cosigners),
    logs: new LogList(logs),
    ...(cfg.incidents !== undefined ? { incidents: resolvePath(opts.baseDir, cfg.incidents) } : {}),
  });
}

/** Both steps; when the schema fails the files it names are still read, so one run reports every problem. */
export function loadWitnessConfigText(text: string, opts: ResolveOptions): ResolvedWitnessConfig {
  const raw = parseYamlText(text, WitnessConfigFileError);
  const { cfg, problems } = validate(raw);
  if (cfg) return resolveWitnessConfig(cfg, opts);
  const read = fileReader(opts, problems);
  for (const k of ['keys', 'logLists'] as const) {
    list(rec(raw)[k]).forEach((p, i) => {
      if (typeof p === 'string' && p !== '') read(p, `${k}[${i}]`);
    });
  }
  throw new WitnessConfigFileError(problems);
}
