/**
 * Shared material for the gossip tests: the real STHs and keys of
 * shared/testdata/ct-sths.json, the published test keys "m" and "b" (their
 * private keys are in that file) to sign fresh STHs with, and the log list
 * fixture in Google's v3 shape.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type SignedTreeHead, sthToJson } from '../../src/codec/index.ts';
import { type PrivateKey, parsePrivateKey, rfc6962LogId, signerFromPrivateKey, signSth } from '../../src/crypto/index.ts';
import { LogRegistry, parseCtLogListV3 } from '../../src/gossip/validate/index.ts';
import { loadTestdata } from '../testdata.ts';

export const CT_STHS = loadTestdata('ct-sths.json');
export const LOG_LIST_TEXT = readFileSync(join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'ct-log-list-v3.json'), 'utf8');

const PAIR = CT_STHS.sth_pairs[1];
/** The published private keys of test logs "m" and "b". */
export const TEST_KEYS: Record<'m' | 'b', PrivateKey> = {
  m: parsePrivateKey(PAIR.test_private_keys_pem.m),
  b: parsePrivateKey(PAIR.test_private_keys_pem.b),
};

export const hexLogId = (key: PrivateKey) => rfc6962LogId(key.publicKey).toString('hex');

/** A registry of every log in the v3 fixture (real Google logs, m as a tiled log, b). */
export function fixtureRegistry(): LogRegistry {
  return new LogRegistry(parseCtLogListV3(LOG_LIST_TEXT));
}

/** An STH signed now by `key`, as get-sth JSON bytes (with `log_id` and `sth_version` when `gossiped`). */
export function signedSthJson(
  key: PrivateKey,
  head: { size: number; root: Buffer; timestamp: number },
  gossiped = false,
): { sth: SignedTreeHead; json: Buffer } {
  const sth = signSth(signerFromPrivateKey(key), { treeSize: head.size, timestamp: head.timestamp, sha256RootHash: head.root });
  const full: SignedTreeHead = gossiped ? { ...sth, sthVersion: 0, logId: rfc6962LogId(key.publicKey) } : sth;
  return { sth: full, json: Buffer.from(JSON.stringify(sthToJson(full))) };
}

/** The get-sth JSON of a case of ct-sths.json. */
export const sthCaseJson = (c: { sth: unknown }) => Buffer.from(JSON.stringify(c.sth));
