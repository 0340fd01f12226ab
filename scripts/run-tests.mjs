#!/usr/bin/env node
// Runs every test/**/*.test.ts with node:test (Node 20 has no glob for --test).
// Extra arguments filter files by substring: `npm test -- merkle`.
// First it rebuilds dist/ if src/ changed since (scripts/build.mjs), so the
// tests that spawn bin/grapevine.js run what users run, never a stale build.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { build, stale } from './build.mjs';

function collect(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...collect(p));
    else if (name.endsWith('.test.ts')) out.push(relative(process.cwd(), p));
  }
  return out;
}

const filters = process.argv.slice(2);
const files = collect('test').filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)));
if (files.length === 0) {
  console.error('no test files matched', filters);
  process.exit(1);
}
if (stale()) await build();
// A test that hangs fails after this long instead of holding CI to its limit (node:test's
// --test-timeout, per test); GRAPEVINE_TEST_TIMEOUT_MS overrides it.
const timeout = process.env.GRAPEVINE_TEST_TIMEOUT_MS ?? '300000';
const res = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', `--test-timeout=${timeout}`, ...files], {
  stdio: 'inherit',
});
process.exit(res.status ?? 1);
