/** Types of scripts/build.mjs, for the TypeScript that imports it (bench/cli.bench.ts). */
/** True when dist/ is missing or older than src/, package.json, package-lock.json or the build script. */
export function stale(): boolean;
/** Rebuilds dist/ from src/ (esbuild bundle, code splitting). */
export function build(): Promise<void>;
