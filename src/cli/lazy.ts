/**
 * Lazy command modules: `grapevine --version` and `--help` load commander and
 * this folder's tables only, `grapevine proof …` the proof code only, and
 * only `serve` commands load the servers. The invoked command path is read
 * from argv before commander parses it; whatever is not on it stays a name
 * and a description (enough for `--help` listings and "unknown command").
 */
import type { Command } from 'commander';

/**
 * Adds options, sub-commands and actions to `cmd`, which is already named
 * (and, at the top, described). `path` is the command path the user typed
 * (commandPath), or [] to register everything.
 */
export type Register = (cmd: Command, path: readonly string[]) => void | Promise<void>;

/** A top-level command, described here so that `grapevine --help` lists it without loading its module. */
export interface TopCommand {
  readonly name: string;
  readonly description: string;
  load(): Promise<Register>;
}

/** One module's share of a command group: the sub-command names it registers. */
export interface CommandPart {
  readonly names: readonly string[];
  load(): Promise<Register>;
}

/**
 * The command words the user typed: the leading arguments up to the first
 * option, without `help` (so `grapevine help ct` loads ct). Options come
 * after the command words in every grapevine command.
 */
export function commandPath(args: readonly string[]): string[] {
  const words: string[] = [];
  for (const a of args) {
    if (a.startsWith('-')) break;
    if (a !== 'help') words.push(a);
  }
  return words;
}

/**
 * Registers the part that owns `path[1]` (the sub-command invoked under
 * `group`), or every part when none does: help, unknown sub-commands and
 * `path = []` (load everything) see the whole group.
 */
export async function registerParts(group: Command, parts: readonly CommandPart[], path: readonly string[]): Promise<void> {
  const word = path[1];
  const owner = parts.filter((p) => word !== undefined && p.names.includes(word));
  for (const p of owner.length > 0 ? owner : parts) await (await p.load())(group, path);
}
