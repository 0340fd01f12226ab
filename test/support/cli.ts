/**
 * Runs the real `grapevine` binary (bin/grapevine.js, the build users run): a
 * command to completion with its output captured, or a server until its
 * start-up banner names its URL.
 */
import { type ChildProcessByStdio, spawn, spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../bin/grapevine.js', import.meta.url));

export function grapevine(args: string[], opts: { cwd?: string; input?: string; env?: NodeJS.ProcessEnv } = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    cwd: opts.cwd,
    input: opts.input,
    env: opts.env,
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** As `grapevine`, without blocking the event loop (for servers running in the test process itself). */
export function grapevineAsync(
  args: string[],
  opts: { cwd?: string; input?: string } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: opts.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    const stuck = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(stuck);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(opts.input ?? '');
  });
}

export interface RunningCommand {
  /** The URL its start-up banner names. */
  readonly url: string;
  readonly child: ChildProcessByStdio<null, null, Readable>;
  /** Everything the server wrote to stderr so far. */
  stderr(): string;
  /** SIGTERM, then the exit code; SIGKILL if it is still running after 30 s. */
  stop(): Promise<number | null>;
}

/**
 * Starts `grapevine ARGS` and resolves once a stderr line matches `banner`
 * (its first group is the URL); kills it if it exits first.
 */
export async function startCommand(args: string[], banner: RegExp, opts: { cwd?: string } = {}): Promise<RunningCommand> {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: opts.cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (s: string) => (err += s));
  const stop = async (): Promise<number | null> => {
    if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    const stuck = setTimeout(() => child.kill('SIGKILL'), 30_000);
    try {
      return await exited;
    } finally {
      clearTimeout(stuck);
    }
  };
  try {
    const url = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stderr }).on('line', (line) => {
        const m = banner.exec(line);
        if (m) resolve(m[1]);
      });
      child.once('exit', (code) => reject(new Error(`grapevine ${args.slice(0, 2).join(' ')} exited with ${code} before serving: ${err}`)));
    });
    return { url, child, stderr: () => err, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

/** Starts `grapevine serve ARGS` (add `--port 0`) and resolves once its banner names the URL; kills it if it exits first. */
export function startServe(args: string[], opts: { cwd?: string } = {}): Promise<RunningCommand> {
  return startCommand(['serve', ...args], /serving at (http:\/\/[^\s/]+)/, opts);
}
