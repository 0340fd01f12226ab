/**
 * The hub key for `grapevine hub <client cmd>`: `--hub-key FILE` (PEM, DER
 * or base64 SPKI) and/or a pin file (`--pin FILE`, URL → base64 SPKI).
 *
 * The hub API has no authenticated way to learn its key, and a key fetched
 * from the hub being checked would make every check circular, so the client
 * never fetches it. The pin file gives trust on first *configured* use: the
 * first run with --hub-key records the key, later runs may omit --hub-key,
 * and a different key is refused (a rotated hub key must be re-pinned by
 * hand, on purpose).
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { type PublicKey, parsePublicKey } from '../crypto/index.ts';
import { CliError } from './errors.ts';
import { readKeyFile } from './key-file.ts';

export interface HubKeyOptions {
  readonly url: string;
  readonly hubKey?: string;
  readonly pin?: string;
}

/** The hub key from --hub-key and/or the pin file (see the file comment). */
export function hubKeyFor(o: HubKeyOptions): PublicKey {
  const given = o.hubKey ? readKeyFile(o.hubKey, '--hub-key') : null;
  if (!o.pin) {
    if (!given) throw new CliError('USAGE', 'need --hub-key FILE (or --pin FILE holding a key pinned earlier) to verify what the hub says');
    return given;
  }
  let pins: Record<string, string> = {};
  if (existsSync(o.pin)) {
    try {
      pins = JSON.parse(readFileSync(o.pin, 'utf8'));
    } catch (err) {
      throw new CliError('FAILED', `pin file ${o.pin} is not JSON: ${(err as Error).message}`, { cause: err });
    }
  }
  const url = o.url.replace(/\/+$/, '');
  const pinned = pins[url] ? parsePublicKey(pins[url]) : null;
  if (given && pinned && !given.spki.equals(pinned.spki)) {
    throw new CliError(
      'INVALID',
      `the --hub-key for ${url} differs from the key pinned in ${o.pin}; if the hub really changed its key, edit the pin file`,
    );
  }
  if (pinned) return pinned;
  if (!given) throw new CliError('USAGE', `no key pinned for ${url} in ${o.pin}; give --hub-key once to pin it`);
  pins[url] = given.spki.toString('base64');
  const tmp = `${o.pin}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(pins, null, 2)}\n`, { mode: 0o644 });
  renameSync(tmp, o.pin);
  process.stderr.write(`grapevine: pinned the hub key for ${url} in ${o.pin}\n`);
  return given;
}
