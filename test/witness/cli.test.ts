/**
 * The witness commands, black-box: the built `grapevine` binary against a
 * temp directory, a tiled log served as static files on loopback, and real
 * keys. keygen → serve → feed (409 recovery from a fresh process, proofs
 * from tiles) → get → checkpoint verify against a tlog-policy → restart on
 * the same database (the state persisted) → tiles verify (and a tampered
 * tile caught).
 */
import assert from 'node:assert/strict';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { stringify } from 'yaml';
import { parseNote } from '../../src/note/index.ts';
import { grapevine, grapevineAsync, type RunningCommand, startCommand } from '../support/cli.ts';
import { tempDir } from '../support/temp-dir.ts';
import { type StaticLog, serveStaticLog } from '../tiles/static-log.ts';
import { TestLog } from './fixtures.ts';

/** `grapevine witness serve ARGS`, resolved once its banner names the witness URL; killed if it exits first. */
const serveWitness = (args: string[]) => startCommand(['witness', 'serve', ...args], /^\s+witness\s+--url (\S+)/);

describe('grapevine witness, checkpoint verify, tiles verify', { timeout: 240_000 }, () => {
  const dir = tempDir('gv-witness-cli-');
  const log = new TestLog('example.com/cli-log', 600);
  let served: StaticLog;
  let running: RunningCommand | null = null;
  let vkey = '';
  const config = join(dir, 'witness.yaml');
  const run = (args: string[]) => grapevine(args, { cwd: dir });
  /** As `run`, but without blocking this process, whose static log server the command talks to. */
  const runAsync = (args: string[]) => grapevineAsync(args, { cwd: dir });

  before(async () => {
    served = await serveStaticLog(log, 300);
  });
  after(async () => {
    await running?.stop();
    await served.close();
  });

  it('keygen writes a 0600 key and prints the cosignature/v1 vkey; it never overwrites', () => {
    const r = run(['witness', 'keygen', '--name', 'witness.example/w1', '--out', 'witness.key']);
    assert.equal(r.code, 0, r.stderr);
    vkey = r.stdout.trim();
    assert.match(vkey, /^witness\.example\/w1\+[0-9a-f]{8}\+B[A-Za-z0-9+/]{43}$/);
    assert.equal(statSync(join(dir, 'witness.key')).mode & 0o777, 0o600);
    assert.match(readFileSync(join(dir, 'witness.key'), 'utf8'), /^PRIVATE\+KEY\+witness\.example\/w1\+/);
    const again = run(['witness', 'keygen', '--name', 'witness.example/w1', '--out', 'witness.key']);
    assert.equal(again.code, 1);
  });

  it('serve answers add-checkpoint and the monitoring GET; feed takes the log to it', async () => {
    writeFileSync(
      config,
      stringify({
        listen: '127.0.0.1:0',
        database: 'sqlite:witness.db',
        keys: ['witness.key'],
        incidents: { evidenceDir: 'evidence', sinks: [{ type: 'jsonl', path: 'incidents.jsonl' }] },
        logs: [{ origin: log.origin, vkey: log.vkey, url: served.url }],
      }),
    );
    running = await serveWitness(['--config', config]);
    const feed = (extra: string[] = []) =>
      runAsync(['witness', 'feed', '--config', config, '--witness', running?.url ?? '', '--witness-vkey', vkey, '--once', ...extra]);
    const first = await feed();
    assert.equal(first.code, 0, first.stderr);
    assert.deepEqual(JSON.parse(first.stdout), { origin: log.origin, witness: running.url, outcome: 'cosigned', size: 300 });
    // The log grows; a new feeder process knows nothing: 409 gives it 300, the proof 300 → 600 comes from the tiles.
    served.size = 600;
    const second = await feed();
    assert.equal(second.code, 0, second.stderr);
    assert.equal(JSON.parse(second.stdout).size, 600);

    const got = await runAsync(['witness', 'get', '--url', running.url, '--origin', log.origin, '--vkey', log.vkey, '--vkey', vkey]);
    assert.equal(got.code, 0, got.stderr);
    const note = parseNote(got.stdout);
    assert.equal(note.text, parseNote(log.checkpoint(600)).text);
    assert.deepEqual(
      note.signatures.map((s) => s.name),
      [log.origin, 'witness.example/w1'],
    );
    writeFileSync(join(dir, 'cosigned.txt'), got.stdout);
  });

  it('checkpoint verify: one witness meets quorum W1, not a 2-of-2 group', () => {
    const second = run(['witness', 'keygen', '--name', 'witness.example/w2', '--out', 'w2.key']).stdout.trim();
    const policy = (quorum: string) =>
      `log ${log.vkey}\nwitness W1 ${vkey}\nwitness W2 ${second}\ngroup BOTH all W1 W2\nquorum ${quorum}\n`;
    writeFileSync(join(dir, 'one.policy'), policy('W1'));
    writeFileSync(join(dir, 'both.policy'), policy('BOTH'));
    const ok = run(['checkpoint', 'verify', '--policy', 'one.policy', 'cosigned.txt']);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /^OK: example\.com\/cli-log size 600 .* W1: quorum W1 met\n$/);
    const short = run(['checkpoint', 'verify', '--policy', 'both.policy', 'cosigned.txt', '--json']);
    assert.equal(short.code, 1);
    assert.deepEqual(JSON.parse(short.stdout).witnesses, ['W1']);
    writeFileSync(join(dir, 'bad.policy'), 'log nope\nquorum none\n');
    assert.equal(run(['checkpoint', 'verify', '--policy', 'bad.policy', 'cosigned.txt']).code, 2);
  });

  it('keeps its state across a restart on the same database', async () => {
    assert.equal(await running?.stop(), 0);
    running = await serveWitness(['--config', config]);
    const res = await fetch(`${running.url}/add-checkpoint`, { method: 'POST', body: `old 0\n\n${log.checkpoint(600)}` });
    assert.equal(res.status, 409);
    assert.equal(await res.text(), '600\n');
  });

  it('tiles verify rebuilds the log from its tiles, and catches a tampered tile', async () => {
    const ok = await runAsync(['tiles', 'verify', '--url', served.url, '--vkey', log.vkey, '--origin', log.origin]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.deepEqual(JSON.parse(ok.stdout), {
      ok: true,
      origin: log.origin,
      size: 600,
      rootHash: log.root(600).toString('base64'),
      tiles: 4,
    });
    assert.match(ok.stderr, /tiles 4\/4 \(100%\)/);
    served.tamper = (level, index, data) => {
      if (level === 0 && index === 1) data[40] ^= 1;
      return data;
    };
    const bad = await runAsync(['tiles', 'verify', '--url', served.url, '--vkey', log.vkey]);
    served.tamper = undefined;
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /MISMATCH/);
  });
});
