/**
 * The built binary: `grapevine gossipd --config FILE` serves the sockets and
 * HTTP; `grapevine gossip transports|send|subscribe` talk to it; an external
 * transport (the client library) brings gossip in.
 */
import assert from 'node:assert/strict';
import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { GossipClient } from '../../src/gossip/client.ts';
import { BIN, grapevine } from '../support/cli.ts';
import { tempDir } from '../support/temp-dir.ts';
import { waitUntil } from '../support/wait.ts';
import { hexLogId, LOG_LIST_TEXT, signedSthJson, TEST_KEYS } from './fixtures.ts';

const SECRET = 'a shared secret of some length';
const M = hexLogId(TEST_KEYS.m);

describe('grapevine gossipd and grapevine gossip', () => {
  let dir: string;
  let child: ChildProcessByStdio<null, Readable, Readable>;
  let out = '';
  let url = '';

  before(async () => {
    dir = tempDir('gossipd-cli-');
    writeFileSync(join(dir, 'log_list.json'), LOG_LIST_TEXT);
    writeFileSync(join(dir, 'transport.secret'), `${SECRET}\n`, { mode: 0o600 });
    writeFileSync(
      join(dir, 'gossip.yaml'),
      'listen: 127.0.0.1:0\npeerSocket: { path: peer.sock }\ntransportSocket: { path: transport.sock, secretFile: transport.secret }\nlogLists: [log_list.json]\ntransports: { echo: {} }\nlogLevel: warn\n',
    );
    child = spawn(process.execPath, [BIN, 'gossipd', '--config', join(dir, 'gossip.yaml')], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    await waitUntil('gossipd banner', () => /gossip service at (http:\/\/\S+)/.test(out) || child.exitCode !== null);
    const m = /gossip service at (http:\/\/\S+)/.exec(out);
    assert.ok(m, `gossipd did not start: ${out}`);
    url = m[1];
  });

  after(async () => {
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const stuck = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(stuck);
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves /metrics and lists its transports', async () => {
    assert.equal((await fetch(`${url}/metrics`)).status, 200);
    const r = grapevine(['gossip', 'transports', '--socket', join(dir, 'peer.sock')]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'echo\n');
  });

  it('send exits 0 for a taken message and 1 with the refusal for a refused one', () => {
    const data = join(dir, 'sth.json');
    writeFileSync(
      data,
      signedSthJson(TEST_KEYS.m, { size: 3, root: createHash('sha256').update('c').digest(), timestamp: Date.now() }).json,
    );
    const ok = grapevine(['gossip', 'send', '--socket', join(dir, 'peer.sock'), '--log-id', M, '--data', data, '--to', 'echo']);
    assert.equal(ok.code, 0, ok.stderr);
    const bad = grapevine(['gossip', 'send', '--socket', join(dir, 'peer.sock'), '--log-id', M, '--data', data, '--to', 'nowhere']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /unknown-transport/);
    const usage = grapevine(['gossip', 'send', '--socket', join(dir, 'peer.sock'), '--log-id', 'XYZ', '--data', data]);
    assert.equal(usage.code, 2);
  });

  it('subscribe prints what an external transport brings in, as JSON lines', async () => {
    const sub = spawn(process.execPath, [BIN, 'gossip', 'subscribe', '--socket', join(dir, 'peer.sock'), '--count', '1'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let subOut = '';
    sub.stdout.on('data', (d: Buffer) => (subOut += d.toString()));
    const relay = await GossipClient.connect({ path: join(dir, 'transport.sock') }, { transport: true });
    try {
      await relay.authenticate(Buffer.from(SECRET), 'relay');
      const data = signedSthJson(TEST_KEYS.m, { size: 4, root: createHash('sha256').update('d').digest(), timestamp: Date.now() }).json;
      // Until the subscriber is connected, what the relay brings reaches no one: send until it lands.
      let i = 0;
      await waitUntil('the subscriber printing', () => {
        if (subOut.length > 0 || sub.exitCode !== null) return true;
        const d = signedSthJson(TEST_KEYS.m, {
          size: 4 + ++i,
          root: createHash('sha256').update(`d${i}`).digest(),
          timestamp: Date.now(),
        }).json;
        relay.send({ command: 'gossip-msg-0', logId: M, gossipData: i === 1 ? data : d });
        return false;
      });
      // The subscriber may have exited already: 'exit' is not replayed to a late listener.
      if (sub.exitCode === null && sub.signalCode === null) await new Promise((r) => sub.once('exit', r));
      const line = JSON.parse(subOut.trim().split('\n')[0]);
      assert.equal(line.command, 'gossip-msg-0');
      assert.equal(line.source, 'relay');
      assert.equal(line['log-id'], M);
      assert.equal(sub.exitCode, 0);
    } finally {
      relay.close();
      sub.kill('SIGKILL');
    }
  });
});
