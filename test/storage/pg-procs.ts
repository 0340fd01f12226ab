/**
 * Helpers for the PostgreSQL multi-process tests: spawning pg-worker.ts
 * children and reading their line protocol, and a whole-log checker that
 * rebuilds the tree from storage and verifies every stored head.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { PublicKey } from '../../src/crypto/index.ts';
import { checkHead, Log, type LogStorage, type StoredHead } from '../../src/log/index.ts';
import { CompactRange, hashLeaf, verifyConsistency } from '../../src/merkle/index.ts';

const WORKER = new URL('./pg-worker.ts', import.meta.url).pathname;

/** The value worker `worker` queues as its leaf `i`; the first `overlap` are the same for every worker. */
export const workerLeaf = (worker: number, i: number, overlap: number): Buffer =>
  Buffer.from(i < overlap ? `shared leaf ${i}` : `worker ${worker} leaf ${i}`);

/** Every worker spawned and not yet exited, so a failed test can kill what it left behind (see killLeftovers). */
const live = new Set<Worker>();

/**
 * SIGKILLs every worker still running. For an afterEach hook: a test that fails half-way would otherwise leave
 * sequencers running, whose pipes keep this process alive, so the run hangs instead of reporting the failure.
 */
export async function killLeftovers(): Promise<void> {
  const left = [...live];
  for (const w of left) w.proc.kill('SIGKILL');
  await Promise.all(left.map((w) => w.exited));
}

export class Worker {
  readonly proc: ChildProcess;
  readonly lines: string[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  #waiters: { pred: (l: string) => boolean; resolve: (l: string) => void }[] = [];

  constructor(args: string[]) {
    this.proc = spawn(process.execPath, ['--import', 'tsx', WORKER, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    createInterface({ input: this.proc.stdout! }).on('line', (line) => {
      this.lines.push(line);
      this.#waiters = this.#waiters.filter((w) => {
        if (!w.pred(line)) return true;
        w.resolve(line);
        return false;
      });
    });
    // Children's warnings (retries after faults) are expected; keep stderr for failure messages only.
    this.stderr = '';
    this.proc.stderr!.on('data', (d: Buffer) => {
      this.stderr = (this.stderr + d.toString()).slice(-4000);
    });
    this.exited = new Promise((resolve) =>
      this.proc.on('exit', (code, signal) => {
        live.delete(this);
        resolve({ code, signal });
      }),
    );
    live.add(this);
  }

  stderr: string;

  get alive(): boolean {
    return this.proc.exitCode === null && this.proc.signalCode === null;
  }

  /** Resolves with the first line (already seen or future) matching `pred`; rejects after `ms` or if the child exits first. */
  waitFor(pred: (l: string) => boolean, ms: number, what = 'a line'): Promise<string> {
    const seen = this.lines.find(pred);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}; stderr: ${this.stderr}`)), ms);
      this.#waiters.push({
        pred,
        resolve: (l) => {
          clearTimeout(t);
          resolve(l);
        },
      });
      void this.exited.then(({ code, signal }) => {
        clearTimeout(t);
        reject(new Error(`worker exited (${code ?? signal}) while waiting for ${what}; stderr: ${this.stderr}`));
      });
    });
  }

  /** SIGTERM, then the exit. */
  async stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (this.alive) this.proc.kill('SIGTERM');
    return this.exited;
  }
}

/** Acknowledged leaf values of a queue worker, from its "ack i n" lines. */
export function acked(w: Worker, worker: number, overlap: number): Buffer[] {
  const out: Buffer[] = [];
  for (const l of w.lines) {
    const m = /^ack (\d+) (\d+)$/.exec(l);
    if (!m) continue;
    for (let i = Number(m[1]); i < Number(m[1]) + Number(m[2]); i++) out.push(workerLeaf(worker, i, overlap));
  }
  return out;
}

/**
 * The whole-log check. From storage alone: the sequenced leaves are indexes
 * 0…size-1 with no gap and no leaf twice; every `acked` value is among them;
 * the queue is empty; every head from revision 0 to the latest exists, is
 * signed by `key` and self-consistent, has the root of the first `size`
 * sequenced leaves (so no two different roots share a size), and is
 * consistent with the previous head by a proof served by Log.
 */
export async function checkWholeLog(
  storage: LogStorage,
  treeName: string,
  key: PublicKey,
  ackedValues: readonly Buffer[],
): Promise<{ size: number; revisions: number }> {
  const log = await Log.open(storage, treeName, null);
  const treeId = log.tree.id;
  const latest = await storage.latestHead(treeId);
  assert.ok(latest);
  assert.equal(await storage.pendingCount(treeId), 0, 'queue drained');

  const leafHashes: Buffer[] = [];
  const identities = new Set<string>();
  for (let at = 0; at < latest.size; at += 1000) {
    const got = await storage.leavesByRange(treeId, at, Math.min(latest.size, at + 1000));
    assert.equal(got.length, Math.min(latest.size, at + 1000) - at, `leaves from ${at} without a gap`);
    for (const l of got) {
      const id = l.identityHash.toString('hex');
      assert.ok(!identities.has(id), `leaf ${id} sequenced twice`);
      identities.add(id);
      leafHashes.push(l.leafHash);
    }
  }
  const missing = ackedValues.filter((v) => !identities.has(hashLeaf(v).toString('hex')));
  assert.equal(missing.length, 0, `${missing.length} acknowledged leaves were never sequenced, e.g. ${missing[0]?.toString()}`);

  const heads: StoredHead[] = [];
  for (let r = 0; r <= latest.revision; r++) {
    const h = await storage.headAtRevision(treeId, r);
    assert.ok(h, `head revision ${r} exists`);
    checkHead(h, key);
    heads.push(h);
  }
  const bySize = [...new Set(heads.map((h) => h.size))].sort((a, b) => a - b);
  const roots = new Map<number, Buffer>();
  const range = CompactRange.empty();
  for (const size of bySize) {
    while (range.size < size) range.append(leafHashes[range.size]);
    roots.set(size, range.root());
  }
  for (let i = 0; i < heads.length; i++) {
    const h = heads[i];
    assert.ok(h.rootHash.equals(roots.get(h.size) as Buffer), `head ${h.revision} has the root of the first ${h.size} leaves`);
    if (i === 0) continue;
    const p = heads[i - 1];
    assert.ok(h.size >= p.size, `head ${h.revision} does not shrink the tree`);
    assert.ok(h.timestamp >= p.timestamp, `head ${h.revision} does not go back in time`);
    // RFC 6962 §2.1.2 proofs start at a non-empty tree; the empty head is covered by the root check above.
    if (p.size > 0) verifyConsistency(p.size, h.size, await log.getConsistencyProof(p.size, h.size), p.rootHash, h.rootHash);
  }
  return { size: latest.size, revisions: heads.length };
}
