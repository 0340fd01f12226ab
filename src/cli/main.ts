/**
 * The `grapevine` CLI: the composition root. Only cli/ reads files, env and
 * flags; it builds concrete storage, signers and servers and passes them in.
 *
 * Exit codes: 0 success, 1 failure or "invalid" verdict (one line on stderr
 * saying why), 2 usage error.
 */
import { Command, CommanderError } from 'commander';
import pkg from '../../package.json' with { type: 'json' };
import { GrapevineError } from '../errors.ts';
import { commands } from './commands.ts';
import { CliError, EXIT_FAIL, EXIT_OK, EXIT_USAGE } from './errors.ts';
import { commandPath } from './lazy.ts';
import { hostPort, listenProblem } from './listen-check.ts';
import { terminalLine } from './output.ts';

// Re-exported for command modules written before cli/errors.ts existed.
export { CliError, EXIT_FAIL, EXIT_OK, EXIT_USAGE };

/**
 * The program with the modules on `path` loaded (lazy.ts): the command
 * words the user typed (none for `--help` and `--version`), or 'all' (tests
 * that inspect every command and option).
 */
export async function buildProgram(path: readonly string[] | 'all'): Promise<Command> {
  const program = new Command('grapevine')
    .description('Gossip for transparency logs: logs, a Gossip Hub, a CT log, a witness, the gossip service, monitoring and evidence')
    .version(`grapevine ${pkg.version}`, '-V, --version', 'print the version')
    .showHelpAfterError(false)
    .exitOverride();
  program.configureOutput({ writeErr: (s) => process.stderr.write(s) });
  for (const c of commands) {
    const cmd = program.command(c.name).description(c.description);
    if (path === 'all') await (await c.load())(cmd, []);
    else if (path[0] === c.name) await (await c.load())(cmd, path);
  }
  // Sub-commands inherit exitOverride so usage errors come back to main() as exceptions.
  const override = (cmd: Command) => {
    cmd.exitOverride();
    for (const c of cmd.commands) override(c);
  };
  override(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  // A reader that stops early (`grapevine ct entries … | head`) is no failure: end quietly, as on SIGPIPE.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    process.exit(EXIT_OK);
  });
  try {
    const program = await buildProgram(commandPath(argv.slice(2)));
    await program.parseAsync(argv);
    return process.exitCode === undefined ? EXIT_OK : Number(process.exitCode);
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version arrive here too, with exit code 0.
      if (err.exitCode === 0) return EXIT_OK;
      return EXIT_USAGE;
    }
    if (err instanceof CliError) {
      process.stderr.write(`grapevine: ${terminalLine(err.message)}\n`);
      return err.exitCode;
    }
    if (err instanceof GrapevineError) {
      process.stderr.write(`grapevine: ${err.code}: ${terminalLine(err.message)}\n`);
      return EXIT_FAIL;
    }
    const sys = err as NodeJS.ErrnoException & { address?: string; port?: number };
    if (typeof sys?.code === 'string' && typeof sys.syscall === 'string') {
      // A system call failed (a file, a socket): Node's message names the call and the path.
      const what =
        sys.syscall === 'listen' && sys.address !== undefined
          ? `cannot listen on ${hostPort(sys.address, sys.port ?? 0)}: ${listenProblem(sys)}`
          : sys.message;
      process.stderr.write(`grapevine: ${terminalLine(what)}\n`);
      return EXIT_FAIL;
    }
    // A bug: still one line, the stack on request.
    if (process.env.GRAPEVINE_DEBUG) process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    else
      process.stderr.write(
        `grapevine: unexpected error: ${terminalLine(err instanceof Error ? err.message : String(err))} (GRAPEVINE_DEBUG=1 prints the stack)\n`,
      );
    return EXIT_FAIL;
  }
}
