/**
 * What the server commands (`ct serve`, `hub serve`, `grapevine serve`) do
 * before the server builder (src/server) takes over: read their config file
 * into a resolved config, or one CliError line.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ConfigProblemsError, type LoadOptions } from '../config/fields.ts';
import type { ResolvedServerSettings } from '../config/server.ts';
import { CliError } from './errors.ts';

export interface LoadConfigFileOptions {
  /** Added to the "no config file" message, e.g. how to create one. */
  readonly missingHint?: string;
  /** Start the one-line problem list with its length ("2 problem(s): …"). Default true. */
  readonly countProblems?: boolean;
  /** `--listen HOST:PORT`: replaces the file's `listen:`. */
  readonly listen?: string;
}

/** The environment variable whose value, when set and not empty, replaces `database:` in every server config. */
export const DATABASE_URL_VARIABLE = 'GRAPEVINE_DATABASE_URL';

/**
 * Reads a config file and resolves it with `load`: `${VAR}` references from
 * this process's environment, GRAPEVINE_DATABASE_URL and `--listen` over the
 * file's values, relative paths from the file's directory
 * (docs/configuration.md). A missing file is CliError FAILED; the config's
 * problems (its ConfigProblemsError, which shows no value from the
 * environment) become one CliError INVALID line.
 */
export function loadConfigFile<T>(path: string, load: (text: string, opts: LoadOptions) => T, o: LoadConfigFileOptions = {}): T {
  const file = resolve(path);
  if (!existsSync(file)) throw new CliError('FAILED', `no config file at ${file}${o.missingHint ? ` (${o.missingHint})` : ''}`);
  const database = process.env[DATABASE_URL_VARIABLE];
  const overrides = {
    ...(o.listen !== undefined ? { listen: o.listen } : {}),
    ...(database ? { database } : {}),
  };
  try {
    return load(readFileSync(file, 'utf8'), { readFile: (p) => readFileSync(p), baseDir: dirname(file), env: process.env, overrides });
  } catch (err) {
    if (err instanceof ConfigProblemsError) {
      const count = o.countProblems === false ? '' : `${err.problems.length} problem(s): `;
      throw new CliError('INVALID', `${file}: ${count}${err.problems.join('; ')}`, { cause: err });
    }
    throw err;
  }
}

/** The server settings of a resolved `ct serve` or `hub serve` config, for startSite. */
export function serverOf(c: ResolvedServerSettings) {
  return {
    host: c.host,
    port: c.port,
    database: c.database,
    poolSize: c.poolSize,
    logLevel: c.logLevel,
    trustProxy: c.trustProxy,
    ipv6QuotaPrefix: c.ipv6QuotaPrefix,
    http: c.http,
    dashboard: c.dashboard,
  };
}
