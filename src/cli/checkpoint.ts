/**
 * `grapevine checkpoint verify --policy FILE [NOTE]`: checks a checkpoint and
 * its cosignatures against a c2sp.org/tlog-policy file — a log key signed it,
 * no trusted key's signature fails, and the witnesses that cosigned make the
 * quorum. One line on stdout (or --json); exit 0 satisfied, 1 not satisfied
 * or badly signed, 2 when the policy or the note does not parse.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { CheckpointError, checkPolicy, type Policy, parsePolicy } from '../checkpoint/index.ts';
import { NoteError } from '../note/index.ts';
import { CliError, EXIT_FAIL } from './errors.ts';

function read(file: string, what: string): string {
  try {
    return readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (err) {
    throw new CliError('USAGE', `cannot read ${what} ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, {
      cause: err,
    });
  }
}

export function registerCheckpoint(checkpoint: Command): void {
  checkpoint
    .command('verify')
    .description('Check a cosigned checkpoint against a tlog-policy: exit 0 if the quorum is met, 1 if not')
    .requiredOption('--policy <file>', 'c2sp.org/tlog-policy file: log and witness vkeys, groups, quorum')
    .argument('[note]', 'the checkpoint note with its cosignatures (default: stdin)', '-')
    .option('--json', 'print the verdict as JSON')
    .action((note: string, o: { policy: string; json?: boolean }) => {
      let policy: Policy;
      try {
        policy = parsePolicy(read(o.policy, 'policy'));
      } catch (err) {
        if (err instanceof CheckpointError) throw new CliError('USAGE', `${o.policy}: ${err.message}`, { cause: err });
        throw err;
      }
      let verdict: ReturnType<typeof checkPolicy>;
      try {
        verdict = checkPolicy(read(note, 'checkpoint'), policy);
      } catch (err) {
        if (err instanceof NoteError && err.code === 'MALFORMED') throw new CliError('USAGE', `${note}: ${err.message}`, { cause: err });
        if (err instanceof NoteError || err instanceof CheckpointError)
          throw new CliError('INVALID', `${note}: ${err.code}: ${err.message}`, { cause: err });
        throw err;
      }
      const cp = verdict.checkpoint.checkpoint;
      const who = verdict.witnesses.length > 0 ? verdict.witnesses.join(', ') : 'no listed witness';
      const quorum = policy.quorum ?? 'none';
      const line = verdict.satisfied
        ? `OK: ${cp.origin} size ${cp.size} signed by the log, cosigned by ${who}: quorum ${quorum} met`
        : `NOT ENOUGH: ${cp.origin} size ${cp.size} signed by the log, cosigned by ${who}: quorum ${quorum} not met`;
      process.stdout.write(
        o.json
          ? `${JSON.stringify({ satisfied: verdict.satisfied, origin: cp.origin, size: cp.size, rootHash: cp.rootHash.toString('base64'), witnesses: verdict.witnesses, quorum })}\n`
          : `${line}\n`,
      );
      if (!verdict.satisfied) process.exitCode = EXIT_FAIL;
    });
}
