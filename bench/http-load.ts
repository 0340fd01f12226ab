/**
 * Load over loopback HTTP for the benchmarks that measure what servers run
 * (a server process of its own, keep-alive connections from this process):
 * the verify + sign ceiling of this thread (per wall and per CPU second),
 * the server's CPU seconds from /proc, and rounds set beside the ceiling
 * measured just before each (so load that comes and goes on a shared machine
 * moves both sides of a ratio).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { generateKeyPairSync, sign, verify } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';

/**
 * One verify + one sign per second, back to back, on this thread for ~250 ms:
 * per wall second and per CPU-second of this process (the same key types and
 * message sizes as a new blob's).
 */
const ceilingKeys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
export function verifySignRate(ms = 250): { wall: number; cpu: number } {
  const blob = Buffer.alloc(50, 1);
  const sig = sign('sha256', blob, ceilingKeys.privateKey);
  const entry = Buffer.alloc(150, 2);
  let n = 0;
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  while (performance.now() - t0 < ms) {
    for (let i = 0; i < 20; i++) {
      if (!verify('sha256', blob, ceilingKeys.publicKey, sig)) throw new Error('verify failed');
      sign('sha256', entry, ceilingKeys.privateKey);
    }
    n += 20;
  }
  const c = process.cpuUsage(c0);
  return { wall: (n * 1000) / (performance.now() - t0), cpu: (n * 1e6) / (c.user + c.system) };
}

/** CPU seconds of a process, and of its main thread (whose thread id is the process id), from /proc; null elsewhere. */
export function cpuSeconds(pid: number): { process: number; main: number } | null {
  const read = (path: string) => {
    const f = readFileSync(path, 'utf8');
    const fields = f.slice(f.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, clock ticks (USER_HZ 100)
  };
  if (!existsSync(`/proc/${pid}/task/${pid}/stat`)) return null;
  return { process: read(`/proc/${pid}/stat`), main: read(`/proc/${pid}/task/${pid}/stat`) };
}

export interface Req {
  readonly method: 'GET' | 'POST';
  readonly url: string;
  readonly payload?: string;
}

const agents = new Map<number, Agent>();

/** Closes the keep-alive connections httpRate opened. */
export function closeAgents(): void {
  for (const a of agents.values()) a.destroy();
  agents.clear();
}

/** Runs the requests over keep-alive loopback HTTP, `inFlight` at a time; requests/s. Any answer but 200 fails the run. */
export async function httpRate(origin: string, reqs: readonly Req[], inFlight: number): Promise<number> {
  let agent = agents.get(inFlight);
  if (!agent) {
    agent = new Agent({ keepAlive: true, maxSockets: inFlight });
    agents.set(inFlight, agent);
  }
  const a = agent;
  const one = (r: Req) =>
    new Promise<void>((resolve, reject) => {
      const req = request(
        `${origin}${r.url}`,
        { method: r.method, agent: a, headers: r.payload ? { 'content-type': 'application/json' } : {} },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`HTTP ${res.statusCode}: ${Buffer.concat(chunks)}`))));
        },
      );
      req.on('error', reject);
      req.end(r.payload);
    });
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < reqs.length) await one(reqs[next++]);
    }),
  );
  return (reqs.length * 1000) / (performance.now() - t0);
}

export interface Rounds {
  /** Requests/s. */
  readonly rate: number[];
  /** Over the wall ceiling measured just before the round. */
  readonly wall: number[];
  /** Requests per main-thread CPU-second of the server, over the CPU ceiling measured just before. */
  readonly main: number[];
  /** Requests per CPU-second of the whole server process, over the CPU ceiling. */
  readonly proc: number[];
}

export const rounds = (): Rounds => ({ rate: [], wall: [], main: [], proc: [] });

/** One measured round of `reqs` against a server process `pid` at `origin`. */
export async function round(r: Rounds, pid: number, origin: string, reqs: readonly Req[], inFlight: number): Promise<void> {
  const ceiling = verifySignRate();
  const c0 = cpuSeconds(pid);
  const rate = await httpRate(origin, reqs, inFlight);
  const c1 = cpuSeconds(pid);
  r.rate.push(rate);
  r.wall.push(rate / ceiling.wall);
  if (c0 && c1) {
    r.main.push(reqs.length / (c1.main - c0.main) / ceiling.cpu);
    r.proc.push(reqs.length / (c1.process - c0.process) / ceiling.cpu);
  }
}

/** Spawns a server and resolves with its URL once it prints one (stdout or stderr); kills it if it exits first. */
export function spawnServer(args: string[], cwd: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  return new Promise((resolve, reject) => {
    const onData = (d: Buffer) => {
      out += d;
      const m = /http:\/\/127\.0\.0\.1:\d+/.exec(out);
      if (m) resolve({ child, url: m[0] });
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`server exited ${code} before listening: ${out.slice(-500)}`)));
  });
}

export async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  await exited;
  clearTimeout(timer);
}
