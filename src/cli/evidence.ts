/**
 * `grapevine evidence verify FILE [--key KEY]…`: re-checks every signature
 * and proof of an evidence file (docs/evidence.md) and prints one line
 * saying what it proves. Exit 0 when it proves misbehaviour, 1 when it does
 * not (a suspicion, or a check that fails), 2 when the file is malformed or
 * a key does not parse.
 *
 * --key takes a vkey, or a file holding a public key (PEM, DER) or a vkey;
 * repeat it for several logs. Given keys replace the file's own.
 */
import { readFileSync, statSync } from 'node:fs';
import type { Command } from 'commander';
import { parsePublicKey } from '../crypto/index.ts';
import { EvidenceError, type EvidenceKey, MAX_EVIDENCE_BYTES, verifyEvidence } from '../evidence/index.ts';
import { parseVkey } from '../note/index.ts';
import { CliError, EXIT_FAIL } from './errors.ts';

export function registerEvidence(evidence: Command): void {
  evidence
    .command('verify')
    .description('Check an evidence file: exit 0 if it proves misbehaviour, 1 if it does not, 2 if malformed')
    .argument('<file>', 'the evidence file (JSON), or - for stdin')
    .option('--key <key>', 'a trusted log key: a vkey, or a file with a PEM/DER public key or a vkey (repeatable)', collect, [])
    .option('--json', 'print the verdict as JSON instead of one line')
    .action((file: string, o: { key: string[]; json?: boolean }) => {
      const keys = o.key.map(loadKey);
      const bytes = readEvidence(file);
      let verdict: ReturnType<typeof verifyEvidence>;
      try {
        verdict = verifyEvidence(bytes, { keys });
      } catch (err) {
        if (err instanceof EvidenceError) throw new CliError('USAGE', `${file}: ${err.code}: ${err.message}`, { cause: err });
        throw err;
      }
      process.stdout.write(o.json ? `${JSON.stringify(verdict)}\n` : `${verdict.line}\n`);
      if (!verdict.proves) process.exitCode = EXIT_FAIL;
    });
}

function collect(v: string, prev: string[]): string[] {
  return [...prev, v];
}

function readEvidence(file: string): Buffer {
  try {
    if (file === '-') return readFileSync(0);
    const { size } = statSync(file);
    if (size > MAX_EVIDENCE_BYTES)
      throw new CliError('USAGE', `${file}: got ${size} bytes, want an evidence file of at most ${MAX_EVIDENCE_BYTES}`);
    return readFileSync(file);
  } catch (err) {
    if (err instanceof CliError) throw err;
    throw new CliError('USAGE', `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { cause: err });
  }
}

/** A vkey given inline or in a file, else a public key file. */
function loadKey(arg: string): EvidenceKey {
  const asVkey = (s: string): EvidenceKey | null => {
    try {
      parseVkey(s);
      return { vkey: s };
    } catch {
      return null;
    }
  };
  const inline = asVkey(arg.trim());
  if (inline) return inline;
  let bytes: Buffer;
  try {
    bytes = readFileSync(arg);
  } catch (err) {
    throw new CliError('USAGE', `--key ${arg}: neither a vkey nor a readable file (${(err as NodeJS.ErrnoException).code ?? 'error'})`, {
      cause: err,
    });
  }
  const text = bytes.toString('utf8').trim();
  const fromFile = !text.includes('\n') ? asVkey(text) : null;
  if (fromFile) return fromFile;
  try {
    return { spki: parsePublicKey(bytes).spki };
  } catch (err) {
    throw new CliError('USAGE', `--key ${arg}: not a vkey or a public key: ${(err as Error).message}`, { cause: err });
  }
}
