/**
 * The `grapevine` CLI: the composition root. Only cli/ reads files, env and
 * flags; it builds concrete storage, signers and servers and passes them in.
 *
 * Exit codes: 0 success, 1 failure or "invalid" verdict (one line on stderr
 * saying why), 2 usage error.
 */
import { Command, CommanderError } from 'commander';
import { GrapevineError } from '../errors.ts';
import { commands } from './commands.ts';

import { CliError, EXIT_FAIL, EXIT_OK, EXIT_USAGE } from './errors.ts';

// Re-exported for command modules written before cli/errors.ts existed.
export { CliError, EXIT_FAIL, EXIT_OK, EXIT_USAGE };

export function buildProgram(): Command {
  const program = new Command('grapevine')
    .description('Gossip for transparency logs: log core, Gossip Hub, CT log, proofs and keys')
    .showHelpAfterError(false)
    .exitOverride();
  program.configureOutput({ writeErr: (s) => process.stderr.write(s) });
  for (const register of commands) register(program);
  // Sub-commands inherit exitOverride so usage errors come back to main() as exceptions.
  const override = (cmd: Command) => {
    cmd.exitOverride();
    for (const c of cmd.commands) override(c);
  };
  override(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return process.exitCode === undefined ? EXIT_OK : Number(process.exitCode);
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version arrive here too, with exit code 0.
      if (err.exitCode === 0) return EXIT_OK;
      return EXIT_USAGE;
    }
    if (err instanceof CliError) {
      process.stderr.write(`grapevine: ${err.message}\n`);
      return err.exitCode;
    }
    if (err instanceof GrapevineError) {
      process.stderr.write(`grapevine: ${err.code}: ${err.message}\n`);
      return EXIT_FAIL;
    }
    process.stderr.write(`grapevine: unexpected error: ${err instanceof Error ? err.stack : String(err)}\n`);
    return EXIT_FAIL;
  }
}
