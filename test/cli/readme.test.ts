/**
 * The commands in the README's `sh` blocks work as written: each one that
 * runs `npx grapevine …` exits 0 when run in order, in a fresh folder, with
 * the built CLI. Blocks naming `127.0.0.1:8080` (what `npm start` listens
 * on) run beside a demo server started as `npm start` starts it, on a free
 * port written in place of 8080. `npm` lines (install, start, test) are the
 * only others allowed, and are not run here.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { BIN, startServe } from './run.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DEMO_ADDRESS = '127.0.0.1:8080';

/** The commands of each ```sh block: continuation lines joined, comments and blank lines dropped. */
export function shellBlocks(markdown: string): string[][] {
  const blocks: string[][] = [];
  for (const m of markdown.matchAll(/^```sh\n([\s\S]*?)^```$/gm)) {
    const commands: string[] = [];
    for (const line of m[1].replace(/\\\n\s*/g, '').split('\n')) {
      const cmd = line.trim();
      if (cmd !== '' && !cmd.startsWith('#')) commands.push(cmd);
    }
    blocks.push(commands);
  }
  return blocks;
}

/** Runs one documented command in `cwd` with the built CLI in place of `npx grapevine`; returns its result. */
function run(cmd: string, cwd: string) {
  const line = cmd.replace(/^npx grapevine /, `"${process.execPath}" "${BIN}" `);
  return spawnSync('sh', ['-c', line], { cwd, encoding: 'utf8', timeout: 60_000 });
}

describe('README.md', () => {
  const blocks = shellBlocks(readFileSync(join(ROOT, 'README.md'), 'utf8'));
  const work = mkdtempSync(join(tmpdir(), 'gv-readme-'));
  after(() => rmSync(work, { recursive: true, force: true }));

  it('shows only commands that run as written: `npx grapevine …` or npm', () => {
    assert.ok(blocks.length >= 3, `found ${blocks.length} sh blocks`);
    for (const cmd of blocks.flat()) assert.match(cmd, /^(npx grapevine |npm )/, cmd);
  });

  it('`npx grapevine` runs this package’s own bin (offline: never a registry package of that name)', () => {
    const r = spawnSync('npx', ['--offline', 'grapevine', '--version'], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^grapevine \d+\.\d+\.\d+/);
  });

  for (const [i, block] of blocks.entries()) {
    const commands = block.filter((c) => c.startsWith('npx grapevine '));
    if (commands.length === 0) continue;
    const needsServer = commands.some((c) => c.includes(DEMO_ADDRESS));
    it(`runs block ${i + 1} (${commands.length} commands${needsServer ? ', beside `npm start`' : ''})`, { timeout: 300_000 }, async () => {
      const cwd = mkdtempSync(join(work, `block${i + 1}-`));
      // What `npm start` runs, on a free port.
      const server = needsServer ? await startServe(['--data', './grapevine-data', '--init-if-missing', '--port', '0'], { cwd }) : null;
      try {
        for (const cmd of commands) {
          const r = run(server ? cmd.replaceAll(DEMO_ADDRESS, new URL(server.url).host) : cmd, cwd);
          assert.equal(r.status, 0, `${cmd}\nexit ${r.status}\n${r.stderr}`);
        }
      } finally {
        await server?.stop();
      }
    });
  }
});
