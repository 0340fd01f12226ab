#!/usr/bin/env node
// The dependency review (docs/supply-chain.md, issue 9 #11): what `npm ci` installs and runs,
// read from package-lock.json, and an advisory check where the registry answers one.
//
//   npm run review-deps            prints the review; exits 1 when the lockfile is not fully pinned
//                                  or `npm audit` reports an advisory at or above moderate
//   npm run review-deps -- --json  the same facts as one JSON object (used by test/supply-chain.test.ts)
//
// No advisory check is not a pass: when the registry does not answer `npm audit` (these machines'
// registry answers 405), the review says so in its last line and exits 0 only because nothing
// else can be checked offline.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..');
const INSTALL_HOOKS = ['preinstall', 'install', 'postinstall', 'prepare'];

/** Every package of the lockfile, whether it carries an integrity hash, and the install hooks npm runs for it. */
export function reviewLockfile(dir = root) {
  const lock = JSON.parse(readFileSync(join(dir, 'package-lock.json'), 'utf8'));
  const packages = Object.entries(lock.packages).filter(([path]) => path !== '');
  // Pinned: an exact version and its integrity hash (this registry's lockfiles record no download URL).
  const unpinned = packages.filter(([, p]) => !p.version || !p.integrity).map(([path]) => path);
  const scripts = [];
  for (const [path, p] of packages) {
    if (!p.hasInstallScript) continue;
    const name = path.replace(/^.*node_modules\//, '');
    let hooks = {};
    try {
      const manifest = JSON.parse(readFileSync(join(dir, path, 'package.json'), 'utf8'));
      hooks = Object.fromEntries(
        INSTALL_HOOKS.filter((h) => h !== 'prepare' && manifest.scripts?.[h]).map((h) => [h, manifest.scripts[h]]),
      );
    } catch {
      // Not installed (an optional dependency skipped on this platform): the lockfile's flag is what we know.
    }
    scripts.push({ name, version: p.version, optional: Boolean(p.optional), dev: Boolean(p.dev), hooks });
  }
  const own = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const ownHooks = Object.fromEntries(INSTALL_HOOKS.filter((h) => own.scripts?.[h]).map((h) => [h, own.scripts[h]]));
  return { lockfileVersion: lock.lockfileVersion, packages: packages.length, unpinned, scripts, own: { name: own.name, hooks: ownHooks } };
}

/** `npm audit` of the production dependencies: the counts by severity, or why no check ran. */
function audit(dir = root) {
  const r = spawnSync('npm', ['audit', '--omit=dev', '--json'], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
  try {
    const j = JSON.parse(r.stdout);
    if (j.metadata?.vulnerabilities) return { ran: true, vulnerabilities: j.metadata.vulnerabilities };
    return { ran: false, reason: j.message || j.error?.summary || 'no advisory data in the answer' };
  } catch {
    const lines = `${r.stderr ?? ''}`.split('\n').map((l) => l.replace(/^npm (warn|error) /, '').trim());
    return { ran: false, reason: lines.find((l) => /\d{3} /.test(l)) ?? lines.find((l) => l.length > 0) ?? 'npm audit printed no JSON' };
  }
}

function main() {
  const json = process.argv.includes('--json');
  const facts = reviewLockfile();
  const advisories = json ? null : audit();
  if (json) {
    process.stdout.write(`${JSON.stringify(facts, null, 2)}\n`);
    return;
  }
  const out = [];
  out.push(
    facts.unpinned.length === 0
      ? `lockfile v${facts.lockfileVersion}: ${facts.packages} packages, every one pinned to an exact version and an integrity hash`
      : `lockfile v${facts.lockfileVersion}: ${facts.unpinned.length} of ${facts.packages} packages without an exact version or integrity hash: ${facts.unpinned.join(', ')}`,
  );
  out.push('install scripts npm ci runs:');
  for (const s of facts.scripts) {
    const kind = [s.optional && 'optional', s.dev && 'dev'].filter(Boolean).join(', ') || 'runtime';
    const hooks =
      Object.entries(s.hooks)
        .map(([h, c]) => `${h}: ${c}`)
        .join('; ') || '(not installed here)';
    out.push(`  ${s.name}@${s.version} (${kind}) — ${hooks}`);
  }
  for (const [h, c] of Object.entries(facts.own.hooks)) out.push(`  ${facts.own.name} itself — ${h}: ${c}`);
  let failed = facts.unpinned.length > 0;
  if (advisories.ran) {
    const v = advisories.vulnerabilities;
    const serious = (v.moderate ?? 0) + (v.high ?? 0) + (v.critical ?? 0);
    out.push(
      `npm audit (production dependencies): ${Object.entries(v)
        .map(([k, n]) => `${n} ${k}`)
        .join(', ')}`,
    );
    if (serious > 0) failed = true;
  } else {
    out.push(`npm audit: NO ADVISORY CHECK RAN — ${advisories.reason}; run it where the registry answers audits`);
  }
  process.stdout.write(`${out.join('\n')}\n`);
  process.exit(failed ? 1 : 0);
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) main();
