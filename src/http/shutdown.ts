/**
 * Graceful shutdown on SIGTERM/SIGINT, in dependency order:
 *   1. stop accepting and finish in-flight requests (`app.close()`: new
 *      requests get 503, idle keep-alive sockets are closed);
 *   2. run the closers in order — the caller lists them: hub timers,
 *      sequencers (each finishes its current batch and releases its lease),
 *      then storage;
 *   3. exit 0 (or the code the shutdown was asked for, e.g. 1 after a fatal
 *      error), or exit 1 when a step failed or the whole took longer than
 *      `timeoutMs` (then in-flight work is abandoned; storage is durable, so
 *      a queued-but-unsequenced leaf is picked up by the next sequencer).
 */
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';

export interface ShutdownOptions {
  readonly app: FastifyInstance;
  /** Run after the app closed, in order. */
  readonly closers?: readonly { readonly name: string; close(): Promise<void> | void }[];
  readonly logger?: Logger;
  /** Default ["SIGTERM", "SIGINT"]. */
  readonly signals?: readonly NodeJS.Signals[];
  /** Default 30 s. */
  readonly timeoutMs?: number;
  /** Default process.exit; injected by tests. */
  readonly exit?: (code: number) => void;
}

export interface ShutdownHandle {
  /**
   * Runs the shutdown once (later calls get the same promise); resolves with
   * the exit code it used: `code` (default 0), or 1 if a step failed.
   */
  shutdown(reason: string, code?: number): Promise<number>;
  /** Removes the signal handlers. */
  dispose(): void;
}

export function installGracefulShutdown(opts: ShutdownOptions): ShutdownHandle {
  const exit = opts.exit ?? ((code: number) => process.exit(code));
  const signals = opts.signals ?? ['SIGTERM', 'SIGINT'];
  let running: Promise<number> | null = null;

  const run = async (reason: string, asked: number): Promise<number> => {
    opts.logger?.info({ reason }, 'shutting down');
    let code = asked;
    const steps = [{ name: 'http', close: () => opts.app.close() }, ...(opts.closers ?? [])];
    for (const step of steps) {
      try {
        await step.close();
      } catch (err) {
        code = Math.max(code, 1);
        opts.logger?.error({ err, step: step.name }, 'shutdown step failed');
      }
    }
    return code;
  };

  const shutdown = (reason: string, code = 0): Promise<number> => {
    if (!running) {
      const timeoutMs = opts.timeoutMs ?? 30_000;
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<number>((resolve) => {
        timer = setTimeout(() => {
          opts.logger?.error({ timeoutMs }, 'shutdown timed out; exiting anyway');
          resolve(1);
        }, timeoutMs);
        // Not unref'd: a closer stuck on a promise with no handle behind it would otherwise let the event loop
        // drain and the process end without exit(1). The timer is cleared as soon as the shutdown finishes.
      });
      running = Promise.race([run(reason, code), timedOut]).then((final) => {
        clearTimeout(timer);
        dispose();
        exit(final);
        return final;
      });
    }
    return running;
  };

  const handlers = new Map<NodeJS.Signals, () => void>();
  for (const s of signals) {
    const h = () => void shutdown(s);
    handlers.set(s, h);
    process.on(s, h);
  }
  const dispose = () => {
    for (const [s, h] of handlers) process.off(s, h);
    handlers.clear();
  };
  return { shutdown, dispose };
}
