/**
 * The data directory layout used by `grapevine log` and `grapevine serve`:
 *
 *   DIR/grapevine.db        SQLite database (unless --db names another)
 *   DIR/keys/<tree>.pem     PKCS#8 private key of each tree (mode 0600)
 *
 * Trust: anyone who can write DIR/keys can sign as the log; anyone who can
 * write the database can make the log sign over tampered data (the
 * sequencer checks heads, not leaves). Keep both private to the operator.
 */

import { generateKeyPairSync } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parsePrivateKey, type Signer, signerFromPrivateKey } from '../crypto/index.ts';
import type { LogStorage } from '../log/index.ts';
import { openStorage } from '../storage/index.ts';
import { CliError } from './errors.ts';

export interface DataDirOptions {
  data: string;
  db?: string;
}

export function dbUrl(o: DataDirOptions): string {
  return o.db ?? `sqlite:${join(resolve(o.data), 'grapevine.db')}`;
}

export function keyPath(o: DataDirOptions, tree: string): string {
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(tree)) throw new CliError('USAGE', `tree name ${JSON.stringify(tree)}: use 1-64 of A-Z a-z 0-9 . _ -`);
  return join(resolve(o.data), 'keys', `${tree}.pem`);
}

export async function openDataDir(o: DataDirOptions, create: boolean): Promise<LogStorage> {
  const dir = resolve(o.data);
  if (!existsSync(dir)) {
    if (!create) throw new CliError('FAILED', `data directory ${dir} does not exist (\`grapevine log create\` makes one)`);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  }
  return openStorage(dbUrl(o));
}

export function loadSigner(path: string): Signer {
  if (!existsSync(path)) throw new CliError('FAILED', `no key file at ${path}`);
  return signerFromPrivateKey(parsePrivateKey(readFileSync(path)));
}

/** Writes a fresh key, refusing to overwrite one. */
export function createKey(path: string, type: 'ecdsa-p256' | 'ed25519'): Signer {
  if (existsSync(path)) throw new CliError('FAILED', `refusing to overwrite the existing key ${path}`);
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const { privateKey } = type === 'ed25519' ? generateKeyPairSync('ed25519') : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  // Synced (file, then directory) before the caller creates the tree: a tree
  // whose key was lost to a crash could never sign again.
  const fd = openSync(path, 'wx', 0o600);
  try {
    writeSync(fd, pem);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  const dir = openSync(dirname(path), 'r');
  try {
    fsyncSync(dir);
  } finally {
    closeSync(dir);
  }
  return signerFromPrivateKey(parsePrivateKey(pem));
}
