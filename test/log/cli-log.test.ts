/**
 * Edges of `grapevine log` (src/cli/log.ts) not covered by test/cli/log.test.ts:
 * ranges that reach past the tree, a database that cannot be opened, and a
 * create that is refused. Black-box, against the real binary.
 */
import assert from 'node:assert/strict';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { grapevine } from '../support/cli.ts';
import { tempDir } from '../support/temp-dir.ts';

describe('grapevine log (edges)', () => {
  const data = join(tempDir('gv-cli-edges-'), 'data');
  const base = ['--data', data, '--name', 'edges'];

  it('prints the leaves up to the tree size when --end reaches past it, and exits 0', () => {
    assert.equal(grapevine(['log', 'create', ...base]).code, 0);
    assert.equal(grapevine(['log', 'add', ...base, '--value', 'a', 'b', 'c', '--sequence']).code, 0);
    const r = grapevine(['log', 'leaves', ...base, '--start', '1', '--end', '10']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(
      r.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).index),
      [1, 2],
    );
  });

  it('refuses to create a tree that already exists without writing a new key beside it', () => {
    const key = join(data, 'keys', 'edges.pem');
    rmSync(key);
    const r = grapevine(['log', 'create', ...base]);
    assert.equal(r.code, 1);
    assert.equal(r.stderr.trim().split('\n').length, 1);
    assert.ok(!existsSync(key), 'no key that is not the tree key is left behind');
  });

  it('reports a database in a missing directory as a storage failure on one line (exit 1)', () => {
    const r = grapevine(['log', 'info', ...base, '--db', `sqlite:${join(data, 'no', 'such', 'dir', 'x.db')}`]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^grapevine: UNAVAILABLE: /);
    assert.equal(r.stderr.trim().split('\n').length, 1);
  });
});
