/**
 * The field schemas the YAML config files share (durations, token buckets,
 * instants, logLevel, trustProxy), the listen address rule, files named
 * relative to the config file, and YAML text → plain data.
 *
 * Every field carries its documentation in zod metadata (`doc()`):
 * docs/configuration.md's reference tables are generated from it
 * (config/reference.ts), and a test fails when they drift.
 *
 * No file system here: files come through the injected `readFile`; only cli/
 * touches the disk.
 */
import { isAbsolute, join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import type { ConfigErrorClass } from './problems.ts';

export {
  type ConfigErrorClass,
  ConfigProblemsError,
  schemaProblems,
} from './problems.ts';

/**
 * Documentation of one config key, kept beside its schema. `description` says
 * what it does; `unit`, `trust` and `defaultText` (a default computed from
 * other keys, shown instead of the schema's) are optional.
 */
export interface FieldDoc {
  readonly description: string;
  readonly unit?: string;
  readonly trust?: string;
  readonly defaultText?: string;
}

/** Attaches a key's documentation to its schema (zod metadata, read by config/reference.ts). */
export function doc<T extends z.ZodType>(schema: T, d: FieldDoc): T {
  return schema.meta({ ...d }) as T;
}

/** YAML (or JSON) text as plain data; an empty file is `{}`. A syntax error throws `Err` with one problem, its first line. */
export function parseYamlText(text: string, Err: ConfigErrorClass): unknown {
  try {
    return parseYaml(text) ?? {};
  } catch (err) {
    // The first line is the parser's message and position; the lines after it quote the text, which may hold a secret.
    throw new Err([`not valid YAML: ${(err as Error).message.split('\n')[0]}`]);
  }
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
export const duration = z
  .union([z.string(), z.number()])
  .transform((s, ctx) => {
    const ms = typeof s === 'string' ? durationMs(s.trim()) : undefined;
    if (ms === undefined) {
      ctx.addIssue({ code: 'custom', message: `got ${JSON.stringify(s)}, want a duration such as 500ms, 10s, 2m` });
      return z.NEVER;
    }
    return ms;
  })
  .meta({ format: 'duration' });

/** A duration above zero. */
export const positiveDuration = duration.refine((ms) => ms > 0, 'want a duration above 0, such as 10s').meta({ format: 'duration' });

/** An RFC 3339 instant ("2026-01-01T00:00:00Z"), as ms since the epoch. YAML may hand over a Date for an unquoted one. */
export const instant = z
  .union([z.string(), z.date()])
  .transform((s, ctx) => {
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
  })
  .meta({ format: 'date-time' });

/** A token bucket (quotas). */
export const tokenBucket = z.strictObject({
  rate: doc(z.number().positive(), { description: 'Tokens added back per second.', unit: 'tokens/s' }),
  burst: doc(z.number().int().positive(), {
    description: 'Bucket size: the most tokens spent (requests accepted) at once.',
    unit: 'tokens',
  }),
});

/** pino log level. Default info. */
export const logLevel = doc(z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'), {
  description: 'Least severe level logged, as pino JSON lines (servers write them to stdout; collect and audit to stderr).',
});

export type LogLevel = z.output<typeof logLevel>;

/**
 * Believe X-Forwarded-For for client addresses (quotas): false (default),
 * true (only behind a proxy that overwrites the header), or proxy addresses/CIDRs.
 */
export const trustProxy = doc(z.union([z.boolean(), z.string(), z.array(z.string())]).default(false), {
  description:
    "Take the client address from X-Forwarded-For: false; true (behind a proxy that overwrites the header); or the proxies' addresses/CIDRs (a string or a list).",
  trust: 'whoever can set the header picks the client address, and so the quota bucket, that requests are charged to.',
});

// host:port; the host is a name, an IPv4 address or a bracketed IPv6 literal (never empty: say 0.0.0.0 or [::]).
const LISTEN = /^(\[[0-9a-fA-F:.]+\]|[^:[\]]+):[0-9]{1,5}$/;

/** The problem with a listen address ("got …, want host:port"), or undefined when it is host:port with a port up to 65535. */
export function listenProblem(listen: string, where = 'listen'): string | undefined {
  if (LISTEN.test(listen) && Number(listen.split(':').at(-1)) <= 65535) return undefined;
  return `${where}: got ${JSON.stringify(listen)}, want host:port (all interfaces: 0.0.0.0:PORT or [::]:PORT)`;
}

/** Host (without IPv6 brackets) and port of a listen address that `listenProblem` accepted. */
export function splitListen(listen: string): { host: string; port: number } {
  const colon = listen.lastIndexOf(':');
  return { host: listen.slice(0, colon).replace(/^\[|\]$/g, ''), port: Number(listen.slice(colon + 1)) };
}

export interface ResolveOptions {
  /** Reads a file named in the config (relative paths already joined with baseDir). */
  readonly readFile: (path: string) => Buffer;
  /** Directory relative paths are resolved against (the config file's). */
  readonly baseDir: string;
  /** Values from outside the file that replace the file's (checked the same way). */
  readonly overrides?: ServerOverrides;
}

/** Per-process values given outside the file, so that N frontends share one file. */
export interface ServerOverrides {
  /** `--listen HOST:PORT`. */
  readonly listen?: string;
  /** `GRAPEVINE_DATABASE_URL`. */
  readonly database?: string;
}

/** What `loadXConfigText` takes: file access, overrides, and the environment for `${VAR}` substitution. */
export interface LoadOptions extends ResolveOptions {
  /** Variables for `${VAR}` in the text (config/env.ts). Default: none (every reference needs a default). */
  readonly env?: Readonly<Record<string, string | undefined>>;
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
