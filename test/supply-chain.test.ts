/**
 * docs/supply-chain.md against the lockfile (issue 9 #11): every package is
 * pinned, and the install scripts npm ci runs are exactly the ones the page
 * names — a dependency that gains an install hook fails here until it is
 * reviewed and documented.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';

interface Review {
  packages: number;
  unpinned: string[];
  scripts: { name: string; hooks: Record<string, string> }[];
  own: { name: string; hooks: Record<string, string> };
}

const review = (): Review => {
  const r = spawnSync(process.execPath, ['scripts/review-deps.mjs', '--json'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as Review;
};

describe('docs/supply-chain.md', () => {
  const doc = readFileSync('docs/supply-chain.md', 'utf8');
  const facts = review();

  it('the lockfile pins every package to a version and an integrity hash', () => {
    assert.ok(facts.packages > 50, `only ${facts.packages} packages read`);
    assert.deepEqual(facts.unpinned, []);
  });

  it('names every install script npm ci runs, and no other', () => {
    const table = doc.slice(doc.indexOf('## Install scripts that run'), doc.indexOf('## Reviewing'));
    const documented = [...table.matchAll(/^\| ([a-z0-9@/._-]+) \|/gm)].map((m) => m[1]).filter((n) => n !== 'package');
    assert.deepEqual(documented.sort(), facts.scripts.map((s) => s.name).sort());
    for (const s of facts.scripts) {
      for (const [hook, command] of Object.entries(s.hooks)) {
        assert.ok(table.includes(`${hook}: ${command.replaceAll('|', '\\|')}`), `${s.name}'s ${hook} hook "${command}" as it is`);
      }
    }
    const allowed = Object.keys((JSON.parse(readFileSync('package.json', 'utf8')) as { allowScripts?: object }).allowScripts ?? {});
    assert.deepEqual(allowed.sort(), facts.scripts.map((s) => s.name).sort(), "package.json's allowScripts approves exactly these");
    for (const [hook, command] of Object.entries(facts.own.hooks)) assert.ok(table.includes(`${hook}: ${command}`), `our ${hook}`);
  });
});
