#!/usr/bin/env node
// The grapevine CLI, as built into dist/ by `npm ci` (the `prepare` script)
// or `npm run build`; the sources are src/cli/. Tests and benchmarks load
// src/ through tsx instead, and `npm test` rebuilds dist/ first.
import { existsSync } from 'node:fs';
import module from 'node:module';

// Node ≥ 22.1 caches compiled code on disk (in the OS temp folder): later starts skip most parsing.
module.enableCompileCache?.();

const CLI = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(CLI)) {
  process.stderr.write('grapevine: no build in dist/: run `npm run build` (npm ci does it)\n');
  process.exit(1);
}
const { main } = await import(CLI.href);
process.exitCode = await main(process.argv);
