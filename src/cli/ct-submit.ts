/**
 * `grapevine ct add-chain` and `grapevine ct inclusion`: one certificate
 * (or precertificate) and the log.
 *
 * add-chain submits a PEM chain (§4.1, §4.2 with --pre) and prints the SCT
 * as the log answered it (the RFC 6962 JSON, to keep or hand on), the leaf
 * hash of the entry the log promised to merge (§3.4: the MerkleTreeLeaf of
 * the SCT's timestamp and extensions and the entry rebuilt from the chain
 * and the log's roots), whether the SCT's signature verified (--log-key),
 * and with --wait its index once it is in a verified STH.
 *
 * inclusion takes the same chain and the SCT (add-chain's output, or a bare
 * add-chain answer) and proves the entry is in the log's current tree.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import {
  encodeMerkleTreeLeaf,
  formatAddChainResponse,
  parseAddChainResponse,
  type SignedCertificateTimestamp,
  type SignedTreeHead,
} from '../codec/index.ts';
import { type CtClient, CtClientError } from '../ct/index.ts';
import { GrapevineError } from '../errors.ts';
import { hashLeaf } from '../merkle/index.ts';
import { admitChain, RootStore } from '../personalities/ct/index.ts';
import { certificatesFromPem } from '../x509/index.ts';
import { durationArg } from './args.ts';
import { type CommonOpts, client, common, run, sthView } from './ct-common.ts';
import { CliError } from './errors.ts';
import { b64, msTime, printJson, rfc3339 } from './output.ts';

/** RFC 6962 §3: "MMD … 24 hours", the usual promise; our demo logs use 10s. */
const DEFAULT_MMD = '24h';
/** Clock skew between the log and us, allowed on top of the MMD before a promise counts as broken. */
const SKEW_MS = 2000;
const POLL_MS = 500;

type SubmitOpts = CommonOpts & { chain: string; pre: boolean };

function readChain(path: string): Buffer[] {
  try {
    return certificatesFromPem(readFileSync(path, 'latin1'));
  } catch (err) {
    throw new CliError('FAILED', `--chain ${path}: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * The leaf hash of the entry an SCT covers (RFC 6962 §3.4), rebuilt the way
 * the log must have (§3.1: precertificates need the issuer and the log's
 * roots). Also verifies the SCT's signature when the client has the key.
 */
async function entryOf(c: CtClient, chain: Buffer[], pre: boolean, sct: SignedCertificateTimestamp) {
  const roots = new RootStore(await c.getRoots());
  let signedEntry: ReturnType<typeof admitChain>['signedEntry'];
  try {
    signedEntry = admitChain(pre ? 'precert_entry' : 'x509_entry', chain, { roots, maxChainLength: 100 }, sct.timestamp).signedEntry;
  } catch (err) {
    if (err instanceof GrapevineError) return { leafHash: null, problem: `${err.code}: ${err.message}` };
    throw err;
  }
  c.verifySct(sct, { signedEntry, extensions: sct.extensions });
  const leafHash = hashLeaf(encodeMerkleTreeLeaf({ timestamp: sct.timestamp, signedEntry, extensions: sct.extensions }));
  return { leafHash, problem: null };
}

/** The leaf's index in `sth` (proof verified), or null when the log does not have it in that tree. */
async function indexIn(c: CtClient, leafHash: Buffer, sth: SignedTreeHead): Promise<number | null> {
  if (sth.treeSize === 0) return null;
  try {
    return await c.verifyInclusion(leafHash, sth);
  } catch (err) {
    // §4.5 gives no code for "not there"; logs answer 404 or 400.
    if (err instanceof CtClientError && err.code === 'HTTP' && (err.status === 404 || err.status === 400)) return null;
    throw err;
  }
}

function inclusionView(c: CtClient, leafHash: Buffer, index: number, sth: SignedTreeHead) {
  return { leaf_hash: b64(leafHash), leaf_index: index, tree_size: sth.treeSize, verified: true, sth: sthView(sth, c) };
}

/** The promise of an SCT: merged by timestamp + MMD (RFC 6962 §3). */
function deadline(sct: SignedCertificateTimestamp, mmdMs: number): number {
  return sct.timestamp + mmdMs;
}

export function registerCtSubmit(ct: Command): void {
  common(ct.command('add-chain'))
    .description('Submit a PEM chain (leaf first) with add-chain, or add-pre-chain with --pre; print the SCT and its leaf hash')
    .requiredOption('--chain <file>', 'PEM file: the end-entity certificate (or precertificate) first, then its issuers')
    .option('--pre', 'submit a precertificate (add-pre-chain)', false)
    .option('--wait', 'wait until the entry is in a verified STH and print its index (fails once the MMD has passed)')
    .option('--mmd <duration>', "the log's maximum merge delay, for --wait", durationArg, durationArg(DEFAULT_MMD))
    .option('--out <file>', 'also save the output (for `ct inclusion --sct`)')
    .action((o: SubmitOpts & { wait?: boolean; mmd: number; out?: string }) =>
      run(async () => {
        const c = client(o, false);
        const chain = readChain(o.chain);
        const sct = await c.addChain(chain, o.pre);
        const { leafHash, problem } = await entryOf(c, chain, o.pre, sct);
        const result: Record<string, unknown> = {
          sct: JSON.parse(formatAddChainResponse(sct)),
          ...msTime('timestamp', sct.timestamp),
          leaf_hash: leafHash ? b64(leafHash) : null,
          ...(problem ? { leaf_hash_problem: `the entry cannot be rebuilt from the chain: ${problem}` } : {}),
          // False only without --log-key (or without a leaf hash): a signature that does not verify is a failure.
          sct_verified: c.logKey !== null && leafHash !== null,
        };
        if (o.wait) {
          if (!leafHash) throw new CliError('FAILED', `--wait needs the leaf hash, and ${problem}`);
          for (;;) {
            const sth = await c.getSth();
            const index = await indexIn(c, leafHash, sth);
            if (index !== null) {
              result.included = inclusionView(c, leafHash, index, sth);
              break;
            }
            if (Date.now() > deadline(sct, o.mmd) + SKEW_MS)
              throw new CliError(
                'INVALID',
                `the entry is not in the tree of size ${sth.treeSize} after the MMD: the SCT promised it by ${rfc3339(deadline(sct, o.mmd))}`,
              );
            await new Promise((r) => setTimeout(r, POLL_MS));
          }
        }
        if (o.out) writeFileSync(o.out, `${JSON.stringify(result, null, 2)}\n`);
        printJson(result);
      }),
    );

  common(ct.command('inclusion'))
    .description("Prove that one certificate (its chain and SCT) is in the log's current tree (RFC 6962 §4.5)")
    .requiredOption('--chain <file>', 'PEM file: the certificate (or precertificate) first, then its issuers, as submitted')
    .option('--pre', 'the chain is a precertificate chain', false)
    .requiredOption('--sct <file>', 'the SCT: the output of `ct add-chain` (or its --out file), or an RFC 6962 add-chain answer')
    .option(
      '--mmd <duration>',
      "the log's maximum merge delay: missing after it is a broken promise",
      durationArg,
      durationArg(DEFAULT_MMD),
    )
    .action((o: SubmitOpts & { sct: string; mmd: number }) =>
      run(async () => {
        const c = client(o, false);
        const sct = readSct(o.sct);
        const { leafHash, problem } = await entryOf(c, readChain(o.chain), o.pre, sct);
        if (!leafHash) throw new CliError('FAILED', `cannot compute the leaf hash: ${problem}`);
        const sth = await c.getSth();
        const index = await indexIn(c, leafHash, sth);
        if (index === null) {
          const due = deadline(sct, o.mmd);
          if (sth.timestamp > due)
            throw new CliError(
              'INVALID',
              `not in the tree of size ${sth.treeSize} (STH of ${rfc3339(sth.timestamp)}), though the SCT promised it by ${rfc3339(due)}`,
            );
          throw new CliError('FAILED', `not yet in the tree of size ${sth.treeSize}; the SCT promises it by ${rfc3339(due)}`);
        }
        printJson({ ...inclusionView(c, leafHash, index, sth), sct_verified: c.logKey !== null });
      }),
    );
}

/** An SCT from a file: `ct add-chain` output (its `sct`) or a bare add-chain answer. */
function readSct(path: string): SignedCertificateTimestamp {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new CliError('FAILED', `--sct: cannot read ${path}: ${(err as Error).message}`, { cause: err });
  }
  try {
    const v = JSON.parse(text) as { sct?: unknown };
    return parseAddChainResponse(JSON.stringify(v && typeof v === 'object' && v.sct !== undefined ? v.sct : v));
  } catch (err) {
    throw new CliError('FAILED', `--sct ${path}: not an SCT (add-chain JSON): ${(err as Error).message}`, { cause: err });
  }
}
