/**
 * Waiting in tests for something the system does on its own time (a sequencer
 * run, a gossip round, a server's first sample): poll until a condition holds.
 * The bound only catches a stuck system, never asserts on timing, so a slow,
 * loaded machine passes (PLAN.md: no timed tests).
 */

export interface WaitOptions {
  /** How long before the system is taken to be stuck, ms. Default 60 s. */
  readonly stuckMs?: number;
  /** How long between polls, ms. Default 20. */
  readonly everyMs?: number;
}

/** Resolves once `done()` holds; throws "stuck waiting for WHAT" after `stuckMs`. */
export async function waitUntil(what: string, done: () => boolean | Promise<boolean>, o: WaitOptions = {}): Promise<void> {
  const limit = Date.now() + (o.stuckMs ?? 60_000);
  while (!(await done())) {
    if (Date.now() > limit) throw new Error(`stuck waiting for ${what}`);
    await new Promise((r) => setTimeout(r, o.everyMs ?? 20));
  }
}

/** Reads `get()` until `done(value)` holds and returns that value; throws "stuck waiting for WHAT" after `stuckMs`. */
export async function pollUntil<T>(what: string, get: () => Promise<T>, done: (v: T) => boolean, o: WaitOptions = {}): Promise<T> {
  const limit = Date.now() + (o.stuckMs ?? 60_000);
  for (;;) {
    const v = await get();
    if (done(v)) return v;
    if (Date.now() > limit) throw new Error(`stuck waiting for ${what}`);
    await new Promise((r) => setTimeout(r, o.everyMs ?? 20));
  }
}
