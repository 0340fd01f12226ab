/**
 * A public key named on the command line (`--log-key FILE`, `--hub-key FILE`):
 * PEM, base64 SPKI or DER. The clients never fetch a key from the server they
 * check (that would make every check circular), so it always comes from here
 * or a pin file (hub-keys.ts).
 */
import { existsSync, readFileSync } from 'node:fs';
import { keyFileContent } from '../config/hub.ts';
import { type PublicKey, parsePublicKey } from '../crypto/index.ts';
import { CliError } from './errors.ts';

/** Reads and parses the key file `path` given as option `what` (e.g. "--log-key"); any failure is a CliError FAILED naming both. */
export function readKeyFile(path: string, what: string): PublicKey {
  if (!existsSync(path)) throw new CliError('FAILED', `${what}: no file at ${path}`);
  try {
    return parsePublicKey(keyFileContent(readFileSync(path)));
  } catch (err) {
    throw new CliError('FAILED', `${what} ${path}: ${(err as Error).message}`, { cause: err });
  }
}
