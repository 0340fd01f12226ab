/**
 * `grapevine demo` as users run it: exits 0, tells the story README.md shows
 * (same steps), and leaves evidence that verifies.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { verifyEvidence } from '../../src/evidence/index.ts';
import { grapevine } from '../support/cli.ts';
import { tempDir } from '../support/temp-dir.ts';

const dir = tempDir('grapevine-demo-test-');
after(() => rmSync(dir, { recursive: true, force: true }));

describe('grapevine demo', () => {
  it('catches the split view, verifies the evidence, keeps the honest log quiet, exits 0', () => {
    const r = grapevine(['demo', '--dir', dir]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const lines = r.stdout.split('\n');
    const readme = readFileSync('README.md', 'utf8');
    const shown = /```text\n(grapevine demo[\s\S]*?)```/.exec(readme)?.[1].split('\n') ?? [];
    // Same steps as the README shows (ports, roots and ids differ per run).
    const steps = (ls: string[]) => ls.map((l) => /^ ?(\d+)\. /.exec(l)?.[1]).filter((x) => x !== undefined);
    assert.deepEqual(steps(lines), steps(shown));
    assert.match(r.stdout, /INCIDENT fork-[0-9a-f]{16}/);
    assert.match(r.stdout, /\(key given with --key\) {3}\(exit 0\)/);
    assert.match(r.stdout, /honest-ct: .* 0 incidents\./);
    const files = readdirSync(join(dir, 'evidence'));
    assert.equal(files.length, 1);
    assert.equal(verifyEvidence(readFileSync(join(dir, 'evidence', files[0]))).proves, true);
  });
});
