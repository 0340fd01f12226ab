#!/usr/bin/env node
// Regenerates the key tables of docs/configuration.md from the config schemas (src/config/reference.ts).
//
//   node --import tsx scripts/config-reference.ts           exit 1 when the tables are stale
//   node --import tsx scripts/config-reference.ts --write   rewrite them
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { regenerate } from '../src/config/reference.ts';

const DOC = fileURLToPath(new URL('../docs/configuration.md', import.meta.url));
const text = readFileSync(DOC, 'utf8');
const fresh = regenerate(text);
if (process.argv.includes('--write')) {
  if (fresh !== text) writeFileSync(DOC, fresh);
  process.stdout.write(fresh === text ? 'docs/configuration.md is up to date\n' : 'docs/configuration.md updated\n');
} else if (fresh !== text) {
  process.stderr.write('docs/configuration.md is stale: run node --import tsx scripts/config-reference.ts --write\n');
  process.exit(1);
}
