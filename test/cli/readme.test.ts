/**
 * The commands in the README's and docs/cli.md's `sh` blocks work as
 * written: each `npx grapevine …` exits 0 when run in order, in one fresh
 * folder per document, with the built CLI. A document whose blocks name
 * `127.0.0.1:8080` (what `npm start` listens on) runs beside a demo server
 * started as `npm start` starts it, on a free port written in place of 8080.
 * `npm` lines (install, start, test) are the only others allowed, and are
 * not run here. A `json` block right after an `sh` block shows the output of
 * that block's last command: it must have the same keys at every level.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { BIN, type RunningCommand, startServe } from '../support/cli.ts';
import { tempDir } from '../support/temp-dir.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DEMO_ADDRESS = '127.0.0.1:8080';
const DOCUMENTS = ['README.md', 'docs/cli.md'];

interface Block {
  readonly lang: 'sh' | 'json';
  readonly text: string;
}

/** The ```sh and ```json blocks of a markdown text, in order. */
function blocks(markdown: string): Block[] {
  return [...markdown.matchAll(/^```(sh|json)\n([\s\S]*?)^```$/gm)].map((m) => ({ lang: m[1] as 'sh' | 'json', text: m[2] }));
}

/** The commands of an sh block: continuation lines joined, comments and blank lines dropped. */
export function commands(block: string): string[] {
  return block
    .replace(/\\\n\s*/g, '')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
}

/** Runs one documented command in `cwd` with the built CLI in place of `npx grapevine`. */
function run(cmd: string, cwd: string) {
  const line = cmd.replace(/^npx grapevine /, `"${process.execPath}" "${BIN}" `);
  return spawnSync('sh', ['-c', line], { cwd, encoding: 'utf8', timeout: 120_000 });
}

/** The keys of a JSON value at every level (arrays by their first element), for comparing shapes, not values. */
function shape(v: unknown): unknown {
  if (Array.isArray(v)) return v.length > 0 ? [shape(v[0])] : [];
  if (v && typeof v === 'object')
    return Object.fromEntries(
      Object.entries(v)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, x]) => [k, shape(x)]),
    );
  return typeof v;
}

/** A command's output as JSON: the whole of it, or its first line (streams print one document per line). */
function outputJson(stdout: string): unknown {
  try {
    return JSON.parse(stdout);
  } catch {
    return JSON.parse(stdout.split('\n')[0]);
  }
}

for (const doc of DOCUMENTS) {
  describe(doc, () => {
    const all = blocks(readFileSync(join(ROOT, doc), 'utf8'));
    const sh = all.filter((b) => b.lang === 'sh').map((b) => commands(b.text));
    const needsServer = sh.flat().some((c) => c.includes(DEMO_ADDRESS));
    const cwd = tempDir('gv-docs-');
    let server: RunningCommand | null = null;
    before(async () => {
      // What `npm start` runs, on a free port.
      if (needsServer) server = await startServe(['--data', './grapevine-data', '--init-if-missing', '--port', '0'], { cwd });
    });
    after(async () => {
      await server?.stop();
      rmSync(cwd, { recursive: true, force: true });
    });

    it('shows only commands that run as written: `npx grapevine …` or npm', () => {
      assert.ok(sh.length > 0, `${doc} has sh blocks`);
      for (const cmd of sh.flat()) assert.match(cmd, /^(npx grapevine |npm )/, cmd);
    });

    let last: { cmd: string; stdout: string } | null = null;
    for (const [i, b] of all.entries()) {
      if (b.lang === 'json') {
        it(`block ${i + 1}: the json example has the keys of what the command before it prints`, () => {
          assert.ok(last, 'a json block follows an sh block');
          assert.deepEqual(shape(outputJson(last.stdout)), shape(JSON.parse(b.text)), last.cmd);
        });
        continue;
      }
      const cmds = commands(b.text).filter((c) => c.startsWith('npx grapevine '));
      if (cmds.length === 0) continue;
      it(`block ${i + 1}: runs ${cmds.length} command(s)`, { timeout: 300_000 }, () => {
        for (const cmd of cmds) {
          const r = run(server ? cmd.replaceAll(DEMO_ADDRESS, new URL(server.url).host) : cmd, cwd);
          assert.equal(r.status, 0, `${cmd}\nexit ${r.status}\n${r.stderr}`);
          last = { cmd, stdout: r.stdout };
        }
      });
    }
  });
}

describe('npx grapevine', () => {
  it('runs this package’s own bin (offline: never a registry package of that name)', () => {
    const r = spawnSync('npx', ['--offline', 'grapevine', '--version'], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^grapevine \d+\.\d+\.\d+/);
  });
});
