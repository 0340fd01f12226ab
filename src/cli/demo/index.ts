/**
 * `grapevine demo`: see run.ts. Registered lazily like every command.
 */
import type { Command } from 'commander';
import { runDemo } from './run.ts';

export function registerDemo(cmd: Command): void {
  cmd
    .option('--dir <dir>', 'keep evidence, state and configs here (default: a new temporary directory)')
    .action(async (o: { dir?: string }) => {
      const code = await runDemo(o.dir !== undefined ? { dir: o.dir } : {});
      if (code !== 0) process.exitCode = code;
    });
}
