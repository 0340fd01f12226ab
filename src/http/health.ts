/**
 * Health endpoints:
 * - `/healthz` — liveness: the process answers. Always 200 while the event
 *   loop runs; a supervisor restarts the process when it stops answering.
 * - `/readyz` — readiness: every check passes (storage ping, no sequencer
 *   stopped on a fatal error, each personality has something to serve).
 *   200 `{status: "ready", checks}` or 503 `{status: "unready", checks}`,
 *   where `checks` maps each check name to "ok", a detail, or the failure.
 */
import type { FastifyInstance } from 'fastify';
import type { LogStorage, Sequencer } from '../log/index.ts';

export interface ReadinessCheck {
  readonly name: string;
  /** Resolves (optionally with a detail) when ready; throws with the reason when not. */
  check(): Promise<string | undefined> | string | undefined;
}

export interface HealthOptions {
  readonly checks?: readonly ReadinessCheck[];
  /** Per-check time limit, ms (default 2000). A check that takes longer fails. */
  readonly timeoutMs?: number;
}

export function registerHealth(app: FastifyInstance, opts: HealthOptions = {}): void {
  const timeout = opts.timeoutMs ?? 2000;
  app.get('/healthz', async (_req, reply) => reply.type('application/json; charset=utf-8').send('{"status":"ok"}'));
  app.get('/readyz', async (_req, reply) => {
    const results: Record<string, string> = {};
    let ready = true;
    await Promise.all(
      (opts.checks ?? []).map(async (c) => {
        let timer: NodeJS.Timeout | undefined;
        try {
          const detail = await Promise.race([
            Promise.resolve().then(() => c.check()),
            new Promise<never>((_, reject) => {
              timer = setTimeout(() => reject(new Error(`timed out after ${timeout} ms`)), timeout);
            }),
          ]);
          results[c.name] = detail ?? 'ok';
        } catch (err) {
          ready = false;
          results[c.name] = `FAIL: ${(err as Error).message}`;
        } finally {
          clearTimeout(timer);
        }
      }),
    );
    return reply
      .code(ready ? 200 : 503)
      .type('application/json; charset=utf-8')
      .send(JSON.stringify({ status: ready ? 'ready' : 'unready', checks: results }));
  });
}

/** Storage answers a ping. */
export function storageCheck(storage: Pick<LogStorage, 'ping'>, name = 'storage'): ReadinessCheck {
  return { name, check: async () => void (await storage.ping()) };
}

/** The sequencer has not stopped on a fatal error (a non-leader follower is fine). */
export function sequencerCheck(seq: Pick<Sequencer, 'fatal' | 'isLeader'>, name: string): ReadinessCheck {
  return {
    name,
    check: () => {
      if (seq.fatal) throw new Error(`sequencer stopped: ${(seq.fatal as Error).message ?? String(seq.fatal)}`);
      return seq.isLeader ? 'leader' : 'follower';
    },
  };
}
