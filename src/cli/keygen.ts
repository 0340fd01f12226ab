/**
 * `grapevine keygen`: create a signing key for a log, hub or witness.
 *
 * Writes the private key as unencrypted PKCS#8 PEM with mode 0600 and never
 * replaces an existing file unless --force (refuse dangerous states: silently
 * replacing a log's key would fork its identity). Prints the public key as
 * PEM on stdout and, for Ed25519, the c2sp.org/signed-note verifier key on
 * the line after it, so `grapevine keygen … > pub.txt` captures both.
 */
import { basename, extname } from 'node:path';
import { type Command, Option } from 'commander';
import { exportPrivateKeyPem, exportPublicKeyPem, generatePrivateKey, rfc6962LogId } from '../crypto/index.ts';
import { isValidKeyName, rawEd25519Key, recommendedVkey, SignatureType } from '../note/index.ts';
import { CliError } from './errors.ts';
import { writeNewFile } from './file-write.ts';

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
      const { text, spki, logId } = runKeygen(opts);
      process.stdout.write(text);
      // What a monitor's log list asks for (Google's log_list.json v3 "key" and "log_id"), beside the file written.
      process.stderr.write(
        `grapevine: wrote ${opts.type} private key to ${opts.out} (mode 0600)\n  key (base64 SPKI)    ${spki}\n  log id (RFC 6962)    ${logId}\n`,
      );
    });
}

/**
 * Generates the key and writes it. Returns what to print on stdout (`text`),
 * and the public key as base64 SPKI and its RFC 6962 log id (SHA-256 of the
 * SPKI, §3.2). Throws CliError.
 */
export function runKeygen(opts: KeygenOptions): { text: string; spki: string; logId: string } {
  const name = opts.type === 'ed25519' ? keyName(opts) : undefined;
  const key = generatePrivateKey(opts.type);
  writeNewFile(opts.out, exportPrivateKeyPem(key), {
    mode: 0o600,
    replace: opts.force === true,
    existsHint: '; refusing to overwrite a key (pass --force to replace it)',
  });
  let text = exportPublicKeyPem(key.publicKey);
  if (name !== undefined) text += `${recommendedVkey(name, SignatureType.Ed25519, rawEd25519Key(key.publicKey))}\n`;
  return { text, spki: key.publicKey.spki.toString('base64'), logId: rfc6962LogId(key.publicKey).toString('base64') };
}

function keyName(opts: KeygenOptions): string {
  const name = opts.name ?? basename(opts.out, extname(opts.out));
  if (!isValidKeyName(name)) {
    const hint = opts.name === undefined ? ' (derived from --out; pass --name)' : '';
    throw new CliError('USAGE', `got key name ${JSON.stringify(name)}, want non-empty, no spaces, no '+'${hint}`);
  }
  return name;
}
