#!/usr/bin/env node
// The grapevine CLI. TypeScript sources are loaded through tsx's loader so that
// `npm ci && npm start` needs no build step; the CLI lives in src/cli/.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv);
