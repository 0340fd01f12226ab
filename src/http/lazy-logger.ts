/**
 * Fastify makes a child logger for every request (pino `child`, which
 * serializes the request id binding at once), though with request logging
 * off (the default) a request logs only when it fails. `lazyChildLoggers`
 * is a `childLoggerFactory` whose children make the real pino child on
 * their first use: a request that logs nothing costs one small object.
 */
import type { FastifyBaseLogger, FastifyServerOptions } from 'fastify';

type Bindings = Record<string, unknown>;
type ChildOptions = Parameters<FastifyBaseLogger['child']>[1];

class LazyChild {
  readonly #parent: FastifyBaseLogger;
  readonly #bindings: Bindings;
  readonly #opts: ChildOptions;
  #real: FastifyBaseLogger | null = null;

  constructor(parent: FastifyBaseLogger, bindings: Bindings, opts: ChildOptions) {
    this.#parent = parent;
    this.#bindings = bindings;
    this.#opts = opts;
  }

  #log(): FastifyBaseLogger {
    this.#real ??= this.#parent.child(this.#bindings, this.#opts);
    return this.#real;
  }

  get level(): string {
    return this.#log().level;
  }
  set level(level: string) {
    this.#log().level = level;
  }
  // Methods on the prototype, so fastify's logger check (which reads them) makes no child.
  fatal(...a: unknown[]): void {
    (this.#log().fatal as (...x: unknown[]) => void)(...a);
  }
  error(...a: unknown[]): void {
    (this.#log().error as (...x: unknown[]) => void)(...a);
  }
  warn(...a: unknown[]): void {
    (this.#log().warn as (...x: unknown[]) => void)(...a);
  }
  info(...a: unknown[]): void {
    (this.#log().info as (...x: unknown[]) => void)(...a);
  }
  debug(...a: unknown[]): void {
    (this.#log().debug as (...x: unknown[]) => void)(...a);
  }
  trace(...a: unknown[]): void {
    (this.#log().trace as (...x: unknown[]) => void)(...a);
  }
  silent(...a: unknown[]): void {
    (this.#log().silent as (...x: unknown[]) => void)(...a);
  }
  child(bindings: Bindings, opts?: ChildOptions): FastifyBaseLogger {
    return this.#log().child(bindings, opts);
  }
}

/** A fastify `childLoggerFactory` whose per-request loggers are made when first used. */
export const lazyChildLoggers: NonNullable<FastifyServerOptions['childLoggerFactory']> = (logger, bindings, opts) =>
  new LazyChild(logger, bindings, opts) as unknown as FastifyBaseLogger;
