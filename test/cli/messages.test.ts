/**
 * Advice names flags that exist. Every `--flag` written in a string of src/
 * (messages, help texts, generated configs) is an option of some grapevine
 * command; and the refusals of each server command name only options of
 * that command (a flag of another command is no advice at all).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import ts from 'typescript';
import { buildProgram } from '../../src/cli/main.ts';
import { initDataDir } from '../../src/cli/serve.ts';
import { grapevine } from '../support/cli.ts';
import { tempDir } from '../support/temp-dir.ts';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));
const FLAG = /(?<![\w-])--([a-z][a-z0-9-]*)/g;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? sourceFiles(p) : name.endsWith('.ts') ? [p] : [];
  });
}

/** The text of every string and template literal in a file (comments are not messages), with its line. */
function literals(file: string): { text: string; line: number }[] {
  const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
  const out: { text: string; line: number }[] = [];
  const visit = (n: ts.Node) => {
    if (
      ts.isStringLiteral(n) ||
      ts.isNoSubstitutionTemplateLiteral(n) ||
      ts.isTemplateHead(n) ||
      ts.isTemplateMiddle(n) ||
      ts.isTemplateTail(n)
    )
      out.push({ text: n.text, line: sf.getLineAndCharacterOfPosition(n.getStart()).line + 1 });
    n.forEachChild(visit);
  };
  visit(sf);
  return out;
}

/** Long option names of a command, or of it and every sub-command. */
function optionsOf(cmd: Command, deep: boolean): Set<string> {
  const names = new Set<string>(['help']);
  for (const o of cmd.options) if (o.long) names.add(o.long.slice(2));
  if (deep) for (const c of cmd.commands) for (const n of optionsOf(c, true)) names.add(n);
  return names;
}

function command(program: Command, path: readonly string[]): Command {
  let c = program;
  for (const name of path) {
    const next = c.commands.find((x) => x.name() === name);
    assert.ok(next, `no command ${path.join(' ')}`);
    c = next;
  }
  return c;
}

function flagsIn(text: string): string[] {
  return [...text.matchAll(FLAG)].map((m) => m[1]);
}

describe('flags named in messages', () => {
  it('every --flag in a string of src/ is an option of some command', async () => {
    const known = optionsOf(await buildProgram('all'), true);
    const unknown: string[] = [];
    let seen = 0;
    for (const file of sourceFiles(SRC)) {
      for (const { text, line } of literals(file)) {
        for (const flag of flagsIn(text)) {
          seen++;
          if (!known.has(flag)) unknown.push(`src/${relative(SRC, file)}:${line}: --${flag}`);
        }
      }
    }
    assert.ok(seen > 20, `found ${seen} flags in strings`);
    assert.deepEqual(unknown, []);
  });

  /** Runs a failing command and checks that each flag its one-line error names is one of its own options. */
  async function refusesNamingOwnFlags(path: readonly string[], args: string[], want: RegExp): Promise<void> {
    const own = optionsOf(command(await buildProgram('all'), path), false);
    const r = grapevine([...path, ...args]);
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, want);
    const named = flagsIn(r.stderr);
    assert.ok(named.length > 0, `the advice names a flag: ${r.stderr}`);
    for (const f of named) assert.ok(own.has(f), `\`grapevine ${path.join(' ')}\` has no --${f}: ${r.stderr}`);
  }

  it('`grapevine serve` on a site whose trees are missing names its own create flag', async () => {
    const dir = join(tempDir('gv-msg-'), 'site');
    await initDataDir(dir); // config and keys, no database: the trees do not exist
    await refusesNamingOwnFlags(['serve'], ['--data', dir, '--port', '0'], /does not exist/);
  });

  it('`grapevine ct serve` on a missing tree names its own create flag', async () => {
    const dir = tempDir('gv-msg-');
    assert.equal(grapevine(['ct', 'test-ca', '--out', dir, '--log-config']).code, 0);
    const yaml = join(dir, 'ct.yaml');
    writeFileSync(yaml, readFileSync(yaml, 'utf8').replace(/^listen: .*$/m, 'listen: 127.0.0.1:0'));
    await refusesNamingOwnFlags(['ct', 'serve'], ['--config', yaml], /does not exist/);
  });

  it('`grapevine log info` on a missing data directory names no flag of another command', async () => {
    const own = optionsOf(command(await buildProgram('all'), ['log', 'info']), false);
    const r = grapevine(['log', 'info', '--data', join(tmpdir(), 'gv-msg-none', 'x')]);
    assert.equal(r.code, 1);
    for (const f of flagsIn(r.stderr)) assert.ok(own.has(f), r.stderr);
  });
});
