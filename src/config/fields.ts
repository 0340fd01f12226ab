/**
 * The pieces the YAML config files share (config/ct.ts, config/hub.ts,
 * config/site.ts): zod field schemas (durations, token buckets, logLevel,
 * trustProxy), the listen address rule, files named relative to the config
 * file, and the "every problem at once" error shape (STYLE.md §9).
 *
 * No file system here: files come through the injected `readFile`; only cli/
 * touches the disk.
 */
import { isAbsolute, join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { GrapevineError } from '../errors.ts';

/** A config file that failed validation: every problem found, not just the first. */
export abstract class ConfigProblemsError extends GrapevineError<'INVALID'> {
  /** Every problem found, as "path: problem". */
  readonly problems: readonly string[];
  /** `what` names the file type in the message, e.g. "hub config". */
  constructor(what: string, problems: readonly string[], options?: { cause?: unknown }) {
    super('INVALID', `invalid ${what}:\n  ${problems.join('\n  ')}`, options);
    this.problems = problems;
  }
}

/** The constructor of a config file's error class (CtConfigError, HubConfigError). */
export type ConfigErrorClass = new (problems: readonly string[], options?: { cause?: unknown }) => ConfigProblemsError;

/** YAML (or JSON) text as plain data; an empty file is `{}`. A syntax error throws `Err` with one problem, its first line. */
export function parseYamlText(text: string, Err: ConfigErrorClass): unknown {
  try {
    return parseYaml(text) ?? {};
  } catch (err) {
    throw new Err([`not valid YAML: ${(err as Error).message.split('\n')[0]}`], { cause: err });
  }
}

/** A zod issue path as written in a problem: `instances[0].sources[1].id`; the root is "(top)". */
function issuePath(path: readonly PropertyKey[]): string {
  return path.length === 0
    ? '(top)'
    : path
        .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
        .join('')
        .replace(/^\./, '');
}

/** Every schema issue as "path: message". */
export function schemaProblems(error: z.ZodError): string[] {
  return error.issues.map((i) => `${issuePath(i.path)}: ${i.message}`);
}

/** A duration with a unit: an integer, then ms, s, m or h. */
export const DURATION = /^([0-9]+)(ms|s|m|h)$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** "500ms", "10s", "2m", "1h" as integer milliseconds; undefined when `s` is not such a duration. */
export function durationMs(s: string): number | undefined {
  const m = DURATION.exec(s);
  return m ? Number(m[1]) * UNIT_MS[m[2]] : undefined;
}

/** A duration field ("500ms", "10s", "2m", "1h"), as integer milliseconds. Bare numbers are refused: say the unit. */
export const duration = z.union([z.string(), z.number()]).transform((s, ctx) => {
  const ms = typeof s === 'string' ? durationMs(s.trim()) : undefined;
  if (ms === undefined) {
    ctx.addIssue({ code: 'custom', message: `got ${JSON.stringify(s)}, want a duration such as 500ms, 10s, 2m` });
    return z.NEVER;
  }
  return ms;
});

/** A token bucket (quotas). */
export const tokenBucket = z.strictObject({
  /** Tokens per second added back. */
  rate: z.number().positive(),
  /** Bucket size: the most tokens spent (requests accepted) at once. */
  burst: z.number().int().positive(),
});

/** pino log level. Default info. */
export const logLevel = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info');

export type LogLevel = z.output<typeof logLevel>;

/**
 * Believe X-Forwarded-For for client addresses (quotas): false (default),
 * true (only behind a proxy that overwrites the header), or proxy addresses/CIDRs.
 * Trust: whoever can set the header picks the client address the quotas see.
 */
export const trustProxy = z.union([z.boolean(), z.string(), z.array(z.string())]).default(false);

// host:port; the host may be empty (all interfaces) or a bracketed IPv6 literal.
const LISTEN = /^(\[[0-9a-fA-F:.]+\]|[^:]*):[0-9]{1,5}$/;

/** The problem with a listen address, or undefined when it is host:port with a port up to 65535. */
export function listenProblem(listen: string): string | undefined {
  if (LISTEN.test(listen) && Number(listen.split(':').at(-1)) <= 65535) return undefined;
  return `listen: got ${JSON.stringify(listen)}, want host:port`;
}

/** Host (without IPv6 brackets) and port of a listen address that `listenProblem` accepted. */
export function splitListen(listen: string): { host: string; port: number } {
  const colon = listen.lastIndexOf(':');
  return { host: listen.slice(0, colon).replace(/^\[|\]$/g, ''), port: Number(listen.slice(colon + 1)) };
}

/** What a server config resolves to besides its personality's part: where to listen, its database, its HTTP settings. */
export interface ResolvedServerSettings {
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly trustProxy: boolean | string | readonly string[];
  readonly logLevel: LogLevel;
  /** Largest request body, bytes (`limits.bodyBytes`). */
  readonly bodyLimit: number;
}

/** The server settings of a validated config (its listen address accepted by `listenProblem`). */
export function serverSettings(cfg: {
  readonly listen: string;
  readonly database: string;
  readonly trustProxy: boolean | string | readonly string[];
  readonly logLevel: LogLevel;
  readonly limits: { readonly bodyBytes: number };
}): ResolvedServerSettings {
  return {
    ...splitListen(cfg.listen),
    database: cfg.database,
    trustProxy: cfg.trustProxy,
    logLevel: cfg.logLevel,
    bodyLimit: cfg.limits.bodyBytes,
  };
}

export interface ResolveOptions {
  /** Reads a file named in the config (relative paths already joined with baseDir). */
  readonly readFile: (path: string) => Buffer;
  /** Directory relative paths are resolved against (the config file's). */
  readonly baseDir: string;
}

/** A path named in the config: as given when absolute, else relative to the config file's directory. */
export function resolvePath(baseDir: string, p: string): string {
  return isAbsolute(p) ? p : join(baseDir, p);
}

/**
 * Reads files named in the config through `opts.readFile`. A file that cannot
 * be read is pushed onto `problems` ("where: cannot read PATH: ENOENT") and
 * gives null, so the caller goes on and reports every problem at once.
 */
export function fileReader(opts: ResolveOptions, problems: string[]): (p: string, where: string) => Buffer | null {
  return (p, where) => {
    const path = resolvePath(opts.baseDir, p);
    try {
      return opts.readFile(path);
    } catch (err) {
      problems.push(`${where}: cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      return null;
    }
  };
}

/** Freezes a parsed config and everything in it. */
export function deepFreeze<T>(v: T): T {
  if (v && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v)) deepFreeze(x);
  }
  return v;
}
