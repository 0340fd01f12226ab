/**
 * Lazy command loading (src/cli/lazy.ts): the program built for one command
 * path has that command exactly as the program with every module loaded,
 * so no sub-command is lost to a stale name table; and the built binary
 * answers --version and --help.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { Command } from 'commander';
import { commandPath } from '../../src/cli/lazy.ts';
import { buildProgram } from '../../src/cli/main.ts';
import { grapevine } from '../support/cli.ts';

/** A command's shape: its options' flags and, recursively, its sub-commands. */
function shape(cmd: Command): unknown {
  return {
    options: cmd.options.map((o) => o.flags),
    commands: Object.fromEntries(cmd.commands.map((c) => [c.name(), shape(c)])),
  };
}

const find = (cmd: Command, name: string) => cmd.commands.find((c) => c.name() === name);

describe('commandPath', () => {
  const cases = [
    { desc: 'no arguments', args: [], want: [] },
    { desc: 'top-level options only', args: ['--version'], want: [] },
    { desc: 'a command and its sub-command, then options', args: ['ct', 'sth', '--url', 'x'], want: ['ct', 'sth'] },
    { desc: '`help` words dropped', args: ['help', 'hub', 'sth'], want: ['hub', 'sth'] },
    { desc: 'stops at the first option', args: ['serve', '--data', 'd', 'x'], want: ['serve'] },
  ];
  for (const tc of cases) it(tc.desc, () => assert.deepEqual(commandPath(tc.args), tc.want));
});

describe('buildProgram', () => {
  it('loads, for each command path, the same command as the full program', async () => {
    const all = await buildProgram('all');
    let checked = 0;
    for (const top of all.commands) {
      const one = find(await buildProgram([top.name()]), top.name());
      assert.ok(one, top.name());
      for (const sub of top.commands) {
        const lazy = find(find(await buildProgram([top.name(), sub.name()]), top.name()) as Command, sub.name());
        assert.ok(lazy, `${top.name()} ${sub.name()} is registered when invoked`);
        assert.deepEqual(shape(lazy), shape(sub), `${top.name()} ${sub.name()}`);
        checked++;
      }
      if (top.commands.length === 0) assert.deepEqual(shape(one), shape(top), top.name());
    }
    assert.ok(checked > 10, `checked ${checked} sub-commands`);
  });

  it('loads no command module for --help: the commands are names and descriptions', async () => {
    const p = await buildProgram([]);
    assert.ok(p.commands.length >= 6);
    for (const c of p.commands) {
      assert.equal(c.commands.length, 0, c.name());
      assert.notEqual(c.description(), '', c.name());
    }
  });
});

describe('grapevine --version and --help (the binary)', () => {
  it('prints the package version and exits 0', () => {
    const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
    const r = grapevine(['--version']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `grapevine ${version}\n`);
  });

  it('lists every command in --help', () => {
    const r = grapevine(['--help']);
    assert.equal(r.code, 0, r.stderr);
    for (const c of ['log', 'proof', 'keygen', 'hub', 'ct', 'serve']) assert.match(r.stdout, new RegExp(`^  ${c} `, 'm'));
  });

  it('answers an unknown command with a usage error (exit 2)', () => {
    const r = grapevine(['no-such-command']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown command/);
  });
});
