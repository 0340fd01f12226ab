/**
 * Progress of long CLI work (`ct audit`, `ct entries`, `hub entries`, `log
 * add` of many values) on stderr, so stdout stays the result:
 *
 * - on a terminal, one line redrawn in place: a bar, done/total, the rate
 *   and the time left, at most 10 times a second, and ended with a newline;
 * - otherwise (a pipe, a log file), a plain line every `intervalMs`
 *   ("ct audit: 12000/50000 entries (24%), 3100/s"), and a last one at the
 *   end if any was written.
 *
 * Nothing is shown for work that ends within the first `delayMs` (terminal)
 * or `intervalMs` (otherwise), so quick commands print only their result
 * or their one-line error.
 */

export interface ProgressOptions {
  /** Where to write; default process.stderr. Its `isTTY` picks the mode. */
  readonly stream?: { write(s: string): unknown; isTTY?: boolean; columns?: number };
  /** ms clock; default performance.now. */
  readonly now?: () => number;
  /** Terminal: nothing before this many ms. Default 500. */
  readonly delayMs?: number;
  /** Not a terminal: one line per this many ms. Default 5000. */
  readonly intervalMs?: number;
}

export interface Progress {
  /** `done` units of `total` finished (total may grow, e.g. when an end was clipped). */
  update(done: number, total?: number): void;
  /** The work ended (successfully or not): completes the line. */
  finish(): void;
}

/** A reporter for work of `total` units named `unit` (plural), labelled `label` (e.g. "ct audit"). */
export function progress(label: string, unit: string, total: number, opts: ProgressOptions = {}): Progress {
  const stream = opts.stream ?? process.stderr;
  const now = opts.now ?? (() => performance.now());
  const tty = stream.isTTY === true;
  const start = now();
  const firstAt = start + (tty ? (opts.delayMs ?? 500) : (opts.intervalMs ?? 5000));
  const every = tty ? 100 : (opts.intervalMs ?? 5000);
  let nextAt = firstAt;
  let done = 0;
  let shown = false;
  let finished = false;

  const describe = (): string => {
    const secs = (now() - start) / 1000;
    const rate = secs > 0 ? done / secs : 0;
    const pct = total > 0 ? Math.min(100, Math.floor((done * 100) / total)) : 100;
    const left = rate > 0 && total > done ? ` ${duration((total - done) / rate)} left` : '';
    return `${label}: ${done}/${total} ${unit} (${pct}%), ${Math.round(rate)}/s${left}`;
  };
  const draw = (final: boolean): void => {
    if (tty) {
      const width = Math.max(10, Math.min(30, (stream.columns ?? 80) - 60));
      const filled = total > 0 ? Math.min(width, Math.floor((done * width) / total)) : width;
      stream.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${describe()}\u001b[K${final ? '\n' : ''}`);
    } else {
      stream.write(`${describe()}\n`);
    }
    shown = true;
  };

  return {
    update(d: number, t?: number): void {
      done = d;
      if (t !== undefined) total = t;
      if (finished || now() < nextAt) return;
      draw(false);
      nextAt = now() + every;
    },
    finish(): void {
      if (finished) return;
      finished = true;
      if (shown) draw(true);
    },
  };
}

/** "42s", "3m05s", "2h10m". */
function duration(s: number): string {
  if (s < 60) return `${Math.ceil(s)}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(Math.floor(s % 60)).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}
