/**
 * What the `grapevine ct` client commands share: their options (--url,
 * --log-key, --timeout, --max-body), the verifying client they build, the
 * one-line failures, and the printed views of STHs (output.ts conventions).
 */

import { existsSync, readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { encodeDigitallySigned, parseGetSth, type SignedTreeHead } from '../codec/index.ts';
import { rfc6962LogId } from '../crypto/index.ts';
import { CtClient, CtClientError } from '../ct/index.ts';
import { intArg } from './args.ts';
import { CliError } from './errors.ts';
import { cappedFetch, DEFAULT_MAX_BODY_BYTES } from './fetch.ts';
import { readKeyFile } from './key-file.ts';
import { b64, msTime } from './output.ts';

export interface CommonOpts {
  url: string;
  logKey?: string;
  timeout: number;
  maxBody: number;
}

export function common(cmd: Command): Command {
  return cmd
    .requiredOption('--url <url>', 'log URL: everything before /ct/v1, e.g. http://127.0.0.1:6962')
    .option('--log-key <file>', "the log's public key (PEM, DER or base64 SPKI); STHs and SCTs must verify with it")
    .option('--timeout <ms>', 'per-request time limit in ms', intArg, 30_000)
    .option('--max-body <bytes>', 'refuse answers larger than this', intArg, DEFAULT_MAX_BODY_BYTES);
}

export function client(o: CommonOpts, needKey: boolean): CtClient {
  if (needKey && !o.logKey) throw new CliError('USAGE', "need --log-key FILE: without the log's key nothing it signed can be checked");
  return new CtClient({
    url: o.url,
    logKey: o.logKey ? readKeyFile(o.logKey, '--log-key') : null,
    timeoutMs: o.timeout,
    fetch: cappedFetch(o.maxBody),
  });
}

/** Turns client failures into one-line CLI errors: verification failures are INVALID, the rest FAILED. */
export async function run(fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    if (err instanceof CtClientError) {
      const invalid = err.code === 'BAD_SIGNATURE' || err.code === 'BAD_PROOF' || err.code === 'MISMATCH' || err.code === 'BAD_RESPONSE';
      throw new CliError(invalid ? 'INVALID' : 'FAILED', `${err.code}: ${err.message}`, { cause: err });
    }
    throw err;
  }
}

/** An STH as printed: the get-sth fields (§4.3) in the output conventions, and whether its signature was checked. */
export function sthView(sth: SignedTreeHead, c: CtClient) {
  return {
    tree_size: sth.treeSize,
    ...msTime('timestamp', sth.timestamp),
    sha256_root_hash: b64(sth.sha256RootHash),
    tree_head_signature: b64(encodeDigitallySigned(sth.treeHeadSignature)),
    // False only without --log-key: a signature that does not verify is a failure (exit 1).
    signature_verified: c.logKey !== null,
    ...(c.logKey ? { log_id: b64(rfc6962LogId(c.logKey)) } : {}),
  };
}

export function readSthFile(path: string, what = '--old'): SignedTreeHead {
  if (!existsSync(path)) throw new CliError('FAILED', `${what}: no file at ${path}`);
  try {
    return parseGetSth(readFileSync(path));
  } catch (err) {
    throw new CliError('FAILED', `${what} ${path}: not a get-sth body: ${(err as Error).message}`, { cause: err });
  }
}
