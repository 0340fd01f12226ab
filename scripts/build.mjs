#!/usr/bin/env node
// Builds what `bin/grapevine.js` runs: dist/, an esbuild bundle of src/ and
// its packages with code splitting (a chunk per lazily loaded command
// module). `npm ci` runs it (the `prepare` script) and so does `npm test`
// before it spawns the CLI.
//
//   node scripts/build.mjs           build when dist/ is older than src/, package.json or this script
//   node scripts/build.mjs --force   build anyway
//   node scripts/build.mjs --check   exit 1 when dist/ is stale, build nothing
//
// Entries: dist/cli.js (src/cli/main.ts) and dist/writer-worker.js, the
// SQLite writer thread (src/storage/sqlite/writer-thread.ts starts it from
// beside its own chunk, so every output file stays in dist/ itself); and the
// dashboard's browser bundle, dist/dashboard/app.js and app.css
// (src/dashboard/ui/, served by src/dashboard/page.ts: no CDN).
// Types are not checked here: `npm run typecheck` does that.
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const DIST = join(ROOT, 'dist');
const STAMP = join(DIST, '.built-from');

/** The newest modification time (ms) among the build's inputs. */
function newestInput() {
  let newest = 0;
  const visit = (p) => {
    const s = statSync(p);
    // A directory's own time covers files added, renamed or deleted in it.
    newest = Math.max(newest, s.mtimeMs);
    if (s.isDirectory()) for (const name of readdirSync(p)) visit(join(p, name));
  };
  visit(join(ROOT, 'src'));
  for (const f of ['package.json', 'package-lock.json', 'scripts/build.mjs']) visit(join(ROOT, f));
  return newest;
}

function builtAt() {
  try {
    return Number(readFileSync(STAMP, 'utf8'));
  } catch {
    return -1;
  }
}

/** True when dist/ is missing or older than an input. */
export function stale() {
  return builtAt() < newestInput();
}

export async function build() {
  const inputsAt = newestInput();
  const { build: esbuild } = await import('esbuild');
  rmSync(DIST, { recursive: true, force: true });
  mkdirSync(DIST);
  await esbuild({
    absWorkingDir: ROOT,
    entryPoints: { cli: 'src/cli/main.ts', 'writer-worker': 'src/storage/sqlite/writer-worker.ts' },
    outdir: 'dist',
    chunkNames: 'chunk-[hash]',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    // Packages are bundled too (loading one file beats resolving and lexing hundreds of CommonJS
    // files: serve loads about 1.6× faster), except a native addon, pg's optional native binding,
    // and pino, whose transports start worker files by path from its own folder.
    external: ['better-sqlite3', 'pg-native', 'pino'],
    // Bundled CommonJS calls require() for node built-ins and the externals.
    banner: { js: "import { createRequire as __gvCreateRequire } from 'node:module'; const require = __gvCreateRequire(import.meta.url);" },
    // Linked maps cost nothing at run time; NODE_OPTIONS=--enable-source-maps maps stacks to src/.
    sourcemap: 'linked',
    logLevel: 'warning',
  });
  await esbuild({
    absWorkingDir: ROOT,
    entryPoints: { app: 'src/dashboard/ui/main.tsx' },
    outdir: 'dist/dashboard',
    bundle: true,
    format: 'esm',
    platform: 'browser',
    // Browsers of the last few years (ES2020, CSS nesting not used).
    target: ['chrome100', 'firefox100', 'safari15'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    minify: true,
    legalComments: 'none',
    logLevel: 'warning',
  });
  writeFileSync(STAMP, `${inputsAt}\n`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  if (args.includes('--check')) {
    if (stale()) {
      console.error('dist/ is older than src/: run `npm run build`');
      process.exit(1);
    }
  } else if (args.includes('--force') || stale()) {
    const t0 = performance.now();
    await build();
    console.error(`built dist/ in ${Math.round(performance.now() - t0)} ms`);
  }
}
