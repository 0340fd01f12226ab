/**
 * Fatal means stop (issue 10 §2): once a sequencer stops on a fatal error —
 * here a stored edge tile damaged behind the log's back, which the sequencer
 * finds (StorageError CORRUPT) when it loads its state — the personalities
 * refuse new entries at once (503 with the reason) instead of issuing SCTs
 * and SGTs for up to MMD/2, and the server drains and exits non-zero, as
 * Sunlight's log does.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Registry } from 'prom-client';
import type { Signer } from '../../src/crypto/index.ts';
import { isError } from '../../src/errors.ts';
import { HubError, makeSource } from '../../src/hub/index.ts';
import { INTERNAL_CLIENT, type LogStorage, Sequencer, StorageError, type TreeInfo } from '../../src/log/index.ts';
import { CtError, type CtLogPart, openCtLog } from '../../src/personalities/ct/index.ts';
import { openHubs } from '../../src/personalities/hub/index.ts';
import { startServer } from '../../src/server/index.ts';
import { openStorage } from '../../src/storage/index.ts';
import { openSqlite } from '../../src/storage/sqlite/driver.ts';
import { certificatesFromPem } from '../../src/x509/index.ts';
import { demoSet } from '../ct/fixtures.ts';
import { ownSth } from '../hub/fixtures.ts';
import { BIN, startServe } from '../support/cli.ts';
import { newSigner } from '../support/keys.ts';
import { tempDir } from '../support/temp-dir.ts';

/** Flips one byte of every level-0 tile of `tree`: the damage a bad disk or a hand edit leaves. */
function damageTiles(file: string, tree: string): void {
  const db = openSqlite(file);
  try {
    const rows = db
      .prepare('SELECT t.tree_id, t.idx, t.data FROM tiles t JOIN trees r ON r.id = t.tree_id WHERE r.name = ? AND t.level = 0')
      .all(tree) as { tree_id: number; idx: number; data: Uint8Array }[];
    assert.ok(rows.length > 0, `tree ${tree} has tiles`);
    for (const r of rows) {
      const data = Buffer.from(r.data);
      data[0] ^= 0xff;
      db.prepare('UPDATE tiles SET data = ? WHERE tree_id = ? AND level = 0 AND idx = ?').run(data, r.tree_id, r.idx);
    }
  } finally {
    db.close();
  }
}

/** Integrates what is queued with a sequencer of its own (the servers under test have not started yet). */
async function integrate(storage: LogStorage, tree: TreeInfo, signer: Signer): Promise<void> {
  const seq = new Sequencer({ storage, tree, signer, maxRootAgeMs: 0 });
  while ((await seq.runOnce()) > 0) {
    // until drained
  }
}

const fatalOf = (part: { tree: { onFatal(l: (err: unknown) => void): void } }) =>
  new Promise<unknown>((resolve) => part.tree.onFatal(resolve));

describe('a sequencer stopped on a fatal error', () => {
  it('makes the CT log refuse new submissions at once (UNAVAILABLE, 503) and the server exit 1 after draining', async () => {
    const d = await demoSet();
    const file = join(tempDir('gv-fatal-'), 'ct.db');
    const signer = newSigner();
    const spec = { tree: 'ct', signer, roots: [d.root.der] };
    // A log with one merged entry, then its edge tile damaged on disk.
    const setup = await openStorage(`sqlite:${file}`);
    const first = await openCtLog(spec, { storage: setup, createMissing: true, sequencer: false });
    await first.ct.processAddChain('x509_entry', [d.leaf.der, d.intermediate.der], { quotaUser: 'ip:192.0.2.1' });
    await integrate(setup, first.log.tree, signer);
    await setup.close();
    damageTiles(file, 'ct');

    // The storage stays open after the server stops, so the refusal can be shown not to touch it.
    const storage = await openStorage(`sqlite:${file}`);
    const registry = new Registry();
    const part: CtLogPart = await openCtLog(spec, { storage, registry, timing: { intervalMs: 5 } });
    const fatal = fatalOf(part);
    let exited: number | null = null;
    const server = await startServer({
      host: '127.0.0.1',
      port: 0,
      parts: [part],
      registry,
      storage,
      exit: (code) => {
        exited = code;
      },
    });
    assert.ok(isError(await fatal, StorageError, 'CORRUPT'));
    // No watchdog tick, no clock movement: the refusal is immediate, not after MMD/2 of backlog.
    await assert.rejects(
      part.ct.processAddChain('precert_entry', [d.precert.der, d.intermediate.der], { quotaUser: 'ip:192.0.2.1' }),
      (e: Error) => isError(e, CtError, 'UNAVAILABLE') && /sequencer stopped on a fatal error \(CORRUPT\)/.test(e.message),
    );
    assert.equal(server.app.errorMapper.statusOf(new CtError('UNAVAILABLE', 'x')), 503);
    assert.equal(await server.done, 1);
    assert.equal(exited, 1);
    assert.equal(server.app.server.listening, false, 'drained and closed');
    assert.equal(await storage.pendingCount(part.log.tree.id), 0, 'nothing was queued after the fatal error');
    await storage.close();
  });

  it('makes the hub refuse new entries at once (UNAVAILABLE, 503) but still answer resubmissions', async () => {
    const file = join(tempDir('gv-fatal-'), 'hub.db');
    const key = newSigner();
    const own = newSigner();
    const sources = [makeSource({ id: 'o', kind: 'RFC6962STH', publicKey: own.publicKey })];
    const spec = [{ prefix: 'gamut', signer: key, sources }];
    const setup = await openStorage(`sqlite:${file}`);
    const first = await openHubs(spec, { storage: setup, createMissing: true, sequencer: false });
    const s1 = ownSth(own, 1);
    await first.hubs[0].hub.processAddSignedBlob({ sourceId: 'o', blobData: s1.blob, srcSignature: s1.signature }, INTERNAL_CLIENT);
    await integrate(setup, first.hubs[0].log.tree, key);
    await setup.close();
    damageTiles(file, 'hub-gamut');

    const storage = await openStorage(`sqlite:${file}`);
    const part = await openHubs(spec, { storage, timing: { intervalMs: 5 } });
    const fatal = fatalOf(part.hubs[0]);
    const server = await startServer({ host: '127.0.0.1', port: 0, parts: [part], registry: new Registry(), storage, exit: () => {} });
    assert.ok(isError(await fatal, StorageError, 'CORRUPT'));
    const hub = part.hubs[0].hub;
    const s2 = ownSth(own, 2);
    await assert.rejects(
      hub.processAddSignedBlob({ sourceId: 'o', blobData: s2.blob, srcSignature: s2.signature }, INTERNAL_CLIENT),
      (e: Error) => isError(e, HubError, 'UNAVAILABLE') && /sequencer stopped on a fatal error \(CORRUPT\)/.test(e.message),
    );
    assert.equal(server.app.errorMapper.statusOf(new HubError('UNAVAILABLE', 'x')), 503);
    // A resubmission renews no promise: it is answered from the stored entry.
    const again = await hub.processAddSignedBlob({ sourceId: 'o', blobData: s1.blob, srcSignature: s1.signature }, INTERNAL_CLIENT);
    assert.ok(again.data.length > 0);
    assert.equal(await server.done, 1);
    await storage.close();
  });

  it('makes `grapevine serve` log the error and exit 1', { timeout: 120_000 }, async () => {
    const data = join(tempDir('gv-fatal-'), 'data');
    const first = await startServe(['--data', data, '--init-if-missing', '--port', '0']);
    try {
      const chain = certificatesFromPem(readFileSync(join(data, 'ca', 'leaf-chain.pem'), 'utf8'));
      const r = await fetch(`${first.url}/ct/v1/add-chain`, {
        method: 'POST',
        body: JSON.stringify({ chain: chain.map((c) => c.toString('base64')) }),
      });
      assert.equal(r.status, 200);
      // Stuck-server bound only: the demo MMD is 10 s.
      for (const limit = Date.now() + 60_000; ; ) {
        const sth = (await (await fetch(`${first.url}/ct/v1/get-sth`)).json()) as { tree_size: number };
        if (sth.tree_size >= 1) break;
        assert.ok(Date.now() < limit, 'the entry was merged');
        await new Promise((res) => setTimeout(res, 50));
      }
    } finally {
      assert.equal(await first.stop(), 0);
    }
    damageTiles(join(data, 'grapevine.db'), 'ct');
    const child = spawn(process.execPath, [BIN, 'serve', '--data', data, '--port', '0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      let out = '';
      child.stdout.on('data', (b) => (out += b));
      child.stderr.on('data', (b) => (out += b));
      const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
      assert.equal(code, 1, out);
      assert.match(out, /the sequencer stopped on a fatal error/);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  });
});
