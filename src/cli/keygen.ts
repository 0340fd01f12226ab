/**
 * `grapevine keygen`: create a signing key for a log, hub or witness.
 *
 * Writes the private key as unencrypted PKCS#8 PEM with mode 0600 and never
 * replaces an existing file unless --force (refuse dangerous states: silently
 * replacing a log's key would fork its identity). Prints the public key as
 * PEM on stdout and, for Ed25519, the c2sp.org/signed-note verifier key on
 * the line after it, so `grapevine keygen … > pub.txt` captures both.
 */
import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { type Command, Option } from 'commander';
import { exportPrivateKeyPem, exportPublicKeyPem, generatePrivateKey } from '../crypto/index.ts';
import { isValidKeyName, rawEd25519Key, recommendedVkey, SignatureType } from '../note/index.ts';
import { CliError } from './errors.ts';

export const KEYGEN_TYPES = ['ecdsa-p256', 'ed25519'] as const;
export type KeygenType = (typeof KEYGEN_TYPES)[number];

export interface KeygenOptions {
  readonly type: KeygenType;
  readonly out: string;
  readonly name?: string;
  readonly force?: boolean;
}

export function registerKeygen(keygen: Command): void {
  keygen
    .addOption(new Option('--type <type>', 'key type').choices(KEYGEN_TYPES).makeOptionMandatory())
    .requiredOption('--out <file>', 'file to write the private key to (refused if it exists, unless --force)')
    .option('--name <name>', 'signed-note key name for the Ed25519 vkey (default: --out file name without extension)')
    .option('--force', 'replace --out if it already exists', false)
    .addHelpText(
      'after',
      `
Output (stdout): the public key as PEM ("PUBLIC KEY", SPKI); for ed25519 also the
signed-note verifier key "<name>+<key id>+<base64 key>" (c2sp.org/signed-note).

Examples:
  grapevine keygen --type ecdsa-p256 --out log.key
  grapevine keygen --type ed25519 --out witness.key --name witness.example.org
`,
    )
    .action((opts: KeygenOptions) => {
      process.stdout.write(runKeygen(opts));
      process.stderr.write(`grapevine: wrote ${opts.type} private key to ${opts.out} (mode 0600)\n`);
    });
}

/** Generates the key, writes it and returns what to print. Throws CliError. */
export function runKeygen(opts: KeygenOptions): string {
  const name = opts.type === 'ed25519' ? keyName(opts) : undefined;
  const key = generatePrivateKey(opts.type);
  writePrivateKeyFile(opts.out, exportPrivateKeyPem(key), opts.force === true);
  let out = exportPublicKeyPem(key.publicKey);
  if (name !== undefined) out += `${recommendedVkey(name, SignatureType.Ed25519, rawEd25519Key(key.publicKey))}\n`;
  return out;
}

function keyName(opts: KeygenOptions): string {
  const name = opts.name ?? basename(opts.out, extname(opts.out));
  if (!isValidKeyName(name)) {
    const hint = opts.name === undefined ? ' (derived from --out; pass --name)' : '';
    throw new CliError('USAGE', `got key name ${JSON.stringify(name)}, want non-empty, no spaces, no '+'${hint}`);
  }
  return name;
}

/**
 * Creates `path` with mode 0600 and the given contents, durably. Without
 * `force` the O_EXCL open is the existence check, so there is no window in
 * which another process's file could be clobbered. With `force` the key goes
 * to a temporary file that is renamed over `path`, so a crash leaves either
 * the old key or the new one, never half of one, and the new file gets 0600
 * even when the old one was more permissive.
 */
function writePrivateKeyFile(path: string, pem: string, force: boolean): void {
  const target = force ? join(dirname(path), `.${basename(path)}.${process.pid}.tmp`) : path;
  let fd: number;
  try {
    fd = openSync(target, 'wx', 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST' && !force) {
      throw new CliError('FAILED', `${path} already exists; refusing to overwrite a key (pass --force to replace it)`, { cause: err });
    }
    throw new CliError('FAILED', `cannot create ${target}: ${(err as Error).message}`, { cause: err });
  }
  try {
    try {
      writeSync(fd, pem);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    if (force) renameSync(target, path);
  } catch (err) {
    try {
      unlinkSync(target);
    } catch {
      // best effort: the write already failed
    }
    throw new CliError('FAILED', `cannot write ${path}: ${(err as Error).message}`, { cause: err });
  }
}
