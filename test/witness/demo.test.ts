/**
 * The witness in the demo site (`grapevine serve --init-if-missing`), black
 * box: the demo publishes its CT log (static-ct-api) and its hub (tlog-tiles)
 * and witnesses both with its own witness at /witness; once an entry is
 * merged, each log's `checkpoint` carries the witness's cosignature, the
 * witness's monitoring endpoint has the checkpoint, and `grapevine
 * checkpoint verify` accepts it under the demo's witnesses.policy.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { grapevineAsync, type RunningCommand, startServe } from '../support/cli.ts';
import { freePort } from '../support/ports.ts';
import { tempDir } from '../support/temp-dir.ts';

describe('the demo site witnesses its own logs', { timeout: 300_000 }, () => {
  const dir = tempDir('gv-demo-witness-');
  let serve: RunningCommand | null = null;
  after(async () => {
    await serve?.stop();
  });

  it('serves cosigned checkpoints of its CT log and hub once an entry is merged', async () => {
    const port = await freePort();
    serve = await startServe(['--data', dir, '--init-if-missing', '--listen', `127.0.0.1:${port}`]);
    const url = serve.url;
    assert.equal(url, `http://127.0.0.1:${port}`);
    const chain = readFileSync(join(dir, 'ca', 'leaf-chain.pem'), 'utf8')
      .split(/(?=-----BEGIN CERTIFICATE-----)/)
      .map((p) => Buffer.from(p.replace(/-----[^-]+-----|\s/g, ''), 'base64').toString('base64'));
    const res = await fetch(`${url}/ct/v1/add-chain`, { method: 'POST', body: JSON.stringify({ chain }) });
    assert.equal(res.status, 200, await res.text());

    // The witnessing loop runs every 5 s; wait (bounded only to catch a stuck site) for both cosigned checkpoints.
    const cosigned: Record<string, string> = {};
    for (
      const deadline = Date.now() + 120_000;
      Date.now() < deadline && Object.keys(cosigned).length < 2;
      await new Promise((r) => setTimeout(r, 250))
    ) {
      for (const path of ['checkpoint', 'hub/checkpoint']) {
        const note = await (await fetch(`${url}/${path}`)).text();
        if (note.includes('— grapevine-demo/witness ') && note.split('\n')[1] !== '0') cosigned[path] = note;
      }
    }
    assert.deepEqual(Object.keys(cosigned).sort(), ['checkpoint', 'hub/checkpoint'], serve.stderr());
    for (const [path, note] of Object.entries(cosigned)) {
      const file = join(dir, `${path.replace('/', '-')}.txt`);
      writeFileSync(file, note);
      const v = await grapevineAsync(['checkpoint', 'verify', '--policy', join(dir, 'witnesses.policy'), file], { cwd: dir });
      assert.equal(v.code, 0, v.stderr);
      assert.match(v.stdout, /^OK: /);
      // The witness's monitoring endpoint holds the same checkpoint text.
      const origin = note.split('\n')[0];
      const held = await (await fetch(`${url}/witness/${createHash('sha256').update(origin).digest('hex')}/checkpoint`)).text();
      assert.equal(held.split('\n\n')[0], note.split('\n\n')[0]);
    }
    // And the CT log's tiles rebuild under its RFC 6962 key (tiles verify with the 0x05 vkey of the policy).
    const vkey = readFileSync(join(dir, 'witnesses.policy'), 'utf8')
      .split('\n')
      .find((l) => l.startsWith(`log 127.0.0.1:${port}+`))
      ?.slice(4);
    const tiles = await grapevineAsync(['tiles', 'verify', '--url', url, '--vkey', vkey ?? ''], { cwd: dir });
    assert.equal(tiles.code, 0, tiles.stderr);
  });
});
