/**
 * The life of a server command around its app (`ct serve`, `hub serve`,
 * `grapevine serve`): read its config file, take or open its logger, metrics
 * registry and storage, then, once the app is built, listen, tell the URL,
 * and close gracefully.
 *
 * Closing follows src/http/shutdown.ts: the app first (stop accepting, finish
 * in-flight requests), then the caller's closers in order (loops,
 * sequencers, storage last). The same closers run on SIGTERM/SIGINT when the
 * command asks for signal handling.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { type Logger, pino } from 'pino';
import { Registry } from 'prom-client';
import { ConfigProblemsError, type LoadOptions, type LogLevel } from '../config/fields.ts';
import { installGracefulShutdown, type ShutdownHandle, type ShutdownOptions } from '../http/index.ts';
import type { LogStorage } from '../log/index.ts';
import { openStorage } from '../storage/index.ts';
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

/** What `startCtServer` and `startHubServer` take besides their config: injected parts (tests, embedding) and listen overrides. */
export interface ServerOptions {
  readonly logger?: Logger;
  readonly registry?: Registry;
  readonly clock?: () => number;
  /** Use this storage instead of opening `config.database` (then the caller closes it). */
  readonly storage?: LogStorage;
  /** Install SIGTERM/SIGINT handlers that shut down gracefully and exit (default false; the CLI sets it). */
  readonly handleSignals?: boolean;
  /** Listen on this port instead of the configured one (0 = any; tests). */
  readonly port?: number;
  readonly host?: string;
}

export interface ServerParts {
  readonly logger: Logger;
  readonly registry: Registry;
  readonly storage: LogStorage;
  /** True when the storage was opened here: the server closes it, and must close it if its start fails. */
  readonly ownStorage: boolean;
}

/** The injected logger, registry and storage, or new ones from the config (pino at its logLevel, a fresh registry, its database). */
export async function serverParts(
  config: { readonly logLevel: LogLevel; readonly database: string },
  opts: ServerOptions,
): Promise<ServerParts> {
  return {
    logger: opts.logger ?? pino({ level: config.logLevel }),
    registry: opts.registry ?? new Registry(),
    storage: opts.storage ?? (await openStorage(config.database, { writerThread: true })),
    ownStorage: !opts.storage,
  };
}

export type Closer = NonNullable<ShutdownOptions['closers']>[number];

export interface ListenOptions {
  readonly host: string;
  /** 0 = any free port (tests). */
  readonly port: number;
  /** Run in order after the app closed, on close() or a signal. */
  readonly closers: readonly Closer[];
  readonly logger: Logger;
  /** Install SIGTERM/SIGINT handlers that shut down gracefully and exit (the CLI sets it). */
  readonly handleSignals?: boolean;
}

export interface Listening {
  /** http://host:port of the bound socket, IPv6 hosts in brackets, no trailing slash. */
  readonly url: string;
  /** The bound port (the real one when 0 was asked for). */
  readonly port: number;
  /** Graceful and idempotent: stop accepting, finish in-flight, then the closers in order. */
  close(): Promise<void>;
}

/** Starts listening. When that fails, everything is closed (app and closers) before the error is rethrown. */
export async function listen(app: FastifyInstance, opts: ListenOptions): Promise<Listening> {
  let signals: ShutdownHandle | null = null;
  let closed: Promise<void> | null = null;
  const close = (): Promise<void> => {
    closed ??= (async () => {
      signals?.dispose();
      await app.close();
      for (const c of opts.closers) await c.close();
    })();
    return closed;
  };
  try {
    await app.listen({ host: opts.host, port: opts.port });
  } catch (err) {
    await close().catch(() => {});
    throw err;
  }
  if (opts.handleSignals) signals = installGracefulShutdown({ app, closers: opts.closers, logger: opts.logger });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : opts.port;
  const url = `http://${opts.host.includes(':') ? `[${opts.host}]` : opts.host}:${port}`;
  return { url, port, close };
}
