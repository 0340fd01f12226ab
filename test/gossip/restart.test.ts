/**
 * `grapevine gossipd` keeps the latest head per log in its `database`
 * (a HeadStore), so a fork is caught even when its two sides reach the
 * service on either side of a restart (draft-linus-trans-gossip-00 §5.1: the
 * service compares what it is given with what it saw). The real binary, a
 * SQLite file, and the peer socket.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { grapevine, type RunningCommand, startCommand } from '../support/cli.ts';
import { tempDir } from '../support/temp-dir.ts';
import { hexLogId, LOG_LIST_TEXT, signedSthJson, TEST_KEYS } from './fixtures.ts';

const M = hexLogId(TEST_KEYS.m);
const BANNER = /gossip service at (http:\/\/\S+)/;

describe('grapevine gossipd across a restart', () => {
  let dir: string;
  let running: RunningCommand | null = null;

  before(() => {
    dir = tempDir('gossipd-restart-');
    writeFileSync(join(dir, 'log_list.json'), LOG_LIST_TEXT);
    writeFileSync(
      join(dir, 'gossip.yaml'),
      [
        'listen: 127.0.0.1:0',
        'database: sqlite:gossip.db',
        'peerSocket: { path: peer.sock }',
        'logLists: [log_list.json]',
        'transports: { echo: {} }',
        'incidents: { evidenceDir: evidence, sinks: [{ type: jsonl, path: incidents.jsonl }] }',
        'logLevel: warn',
        '',
      ].join('\n'),
    );
  });

  after(async () => {
    await running?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const start = async () => {
    running = await startCommand(['gossipd', '--config', join(dir, 'gossip.yaml')], BANNER);
  };
  const stop = async () => {
    const code = await running?.stop();
    running = null;
    return code;
  };
  const send = (name: string, root: string) => {
    const file = join(dir, name);
    const head = { size: 7, root: createHash('sha256').update(root).digest(), timestamp: Date.now() };
    writeFileSync(file, signedSthJson(TEST_KEYS.m, head).json);
    const r = grapevine(['gossip', 'send', '--socket', join(dir, 'peer.sock'), '--log-id', M, '--data', file, '--to', 'echo']);
    assert.equal(r.code, 0, r.stderr);
  };
  const incidents = () =>
    existsSync(join(dir, 'incidents.jsonl'))
      ? readFileSync(join(dir, 'incidents.jsonl'), 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as { category: string; class: string })
      : [];

  it('catches a same-size fork whose first side it saw before it restarted', async () => {
    await start();
    send('one.json', 'one');
    assert.equal(await stop(), 0);
    assert.ok(existsSync(join(dir, 'gossip.db')), 'the database holds the latest head');
    assert.deepEqual(incidents(), []);

    await start();
    send('two.json', 'two');
    // Stopping waits for the split-view checks in flight, and the jsonl sink fsyncs before it goes on.
    assert.equal(await stop(), 0);
    assert.deepEqual(
      incidents().map((i) => [i.category, i.class]),
      [['fork', 'proof']],
    );
  });
});
