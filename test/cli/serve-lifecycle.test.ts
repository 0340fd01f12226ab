/**
 * The `grapevine serve` binary over its whole life on SQLite, the part
 * .ci/run also runs on every supported Node (20, 22, 24; issue 8 §1): start,
 * submissions with health probes in between, graceful shutdown on SIGTERM,
 * restart on the same data directory with everything still there, and a
 * second clean shutdown. better-sqlite3 12 aborted Node 24 at start-up and at
 * teardown (SIGABRT, exit 134); the exit codes and stderr are checked here.
 */
import assert from 'node:assert/strict';
import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { decodeTreeHeadSignature } from '../../src/codec/index.ts';
import { parsePublicKey } from '../../src/crypto/index.ts';
import { CtClient } from '../../src/ct/index.ts';
import { HubClient } from '../../src/hub/index.ts';
import { certificatesFromPem } from '../../src/x509/index.ts';
import { BIN } from '../support/cli.ts';
import { tempDir } from '../support/temp-dir.ts';
import { pollUntil } from '../support/wait.ts';

interface Server {
  readonly child: ChildProcessByStdio<null, null, Readable>;
  readonly url: string;
  /** Everything the server wrote to stderr so far. */
  stderr(): string;
}

/** Starts `grapevine serve` and resolves once it prints where it serves. */
function start(data: string, init: boolean): Promise<Server> {
  const args = [BIN, 'serve', '--data', data, '--port', '0', ...(init ? ['--init-if-missing'] : [])];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stderr }).on('line', (line) => {
      err += `${line}\n`;
      const m = /serving at (http:\/\/\S+)/.exec(line);
      if (m) resolve({ child, url: m[1], stderr: () => err });
    });
    child.on('exit', (code, signal) => reject(new Error(`exited with ${code ?? signal} before serving: ${err}`)));
  });
}

/** SIGTERM, then the exit code (null with the signal when killed by one). */
function stop(s: Server): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => {
    s.child.on('exit', (code, signal) => resolve({ code, signal }));
    s.child.kill('SIGTERM');
  });
}

function killIfRunning(s: Server | undefined): void {
  if (s && s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGKILL');
}

describe(`grapevine serve on SQLite, start to restart (Node ${process.versions.node})`, () => {
  it('serves submissions, shuts down cleanly on SIGTERM, and finds them all after a restart', { timeout: 300_000 }, async () => {
    const data = join(tempDir('gv-lifecycle-'), 'data');
    let s: Server | undefined;
    try {
      s = await start(data, true);
      const ct = new CtClient({ url: s.url, logKey: parsePublicKey(readFileSync(join(data, 'keys', 'ct.pub.pem'))) });
      const hub = new HubClient({ url: `${s.url}/hub`, hubKey: parsePublicKey(readFileSync(join(data, 'keys', 'hub.pub.pem'))) });
      const chain = (f: string) => certificatesFromPem(readFileSync(join(data, 'ca', f), 'utf8'));

      // Submissions, with health probes and reads in between (the load that aborted Node 24).
      const submissions = [
        ct.addChain(chain('leaf-chain.pem'), false),
        ct.addChain(chain('precert-chain.pem'), true),
        ct.addChain(chain('signed-precert-chain.pem'), true),
        ct.addChain(chain('leaf-chain.pem'), false), // a resubmission: same entry
      ];
      const probes = Array.from({ length: 20 }, () => fetch(`${s?.url}/readyz`).then((r) => r.status));
      const scts = await Promise.all(submissions);
      assert.deepEqual(await Promise.all(probes), Array(20).fill(200));
      assert.equal(scts[3].timestamp, scts[0].timestamp, 'the resubmission answers the first SCT');

      const sth = await pollUntil(
        'the CT log to merge 3 entries',
        () => ct.getSth(),
        (x) => x.treeSize >= 3,
        { stuckMs: 90_000 },
      );
      assert.equal(sth.treeSize, 3);
      const recorded = await pollUntil(
        'the gossip loop to record the size-3 STH in the hub',
        () => hub.getLatestForSource('local-ct'),
        (e) => e !== null && decodeTreeHeadSignature(e.entry.blobData).treeSize === 3,
        { stuckMs: 90_000 },
      );
      assert.ok(recorded);

      const first = await stop(s);
      assert.deepEqual(first, { code: 0, signal: null }, `first shutdown; stderr:\n${s.stderr()}`);
      assert.doesNotMatch(s.stderr(), /Assertion failed|ExperimentalWarning/);

      // Restart on the same directory: every entry and the hub's record are still there.
      s = await start(data, false);
      const ct2 = new CtClient({ url: s.url, logKey: parsePublicKey(readFileSync(join(data, 'keys', 'ct.pub.pem'))) });
      const hub2 = new HubClient({ url: `${s.url}/hub`, hubKey: parsePublicKey(readFileSync(join(data, 'keys', 'hub.pub.pem'))) });
      const again = await ct2.getSth();
      assert.equal(again.treeSize, 3);
      assert.ok(again.sha256RootHash.equals(sth.sha256RootHash));
      assert.equal((await ct2.getEntries(0, 2)).length, 3);
      const latest = await hub2.getLatestForSource('local-ct');
      assert.ok(latest && decodeTreeHeadSignature(latest.entry.blobData).treeSize === 3);
      assert.equal((await fetch(`${s.url}/readyz`)).status, 200);

      const second = await stop(s);
      assert.deepEqual(second, { code: 0, signal: null }, `second shutdown; stderr:\n${s.stderr()}`);
      assert.doesNotMatch(s.stderr(), /Assertion failed|ExperimentalWarning/);
    } finally {
      killIfRunning(s);
    }
  });
});
