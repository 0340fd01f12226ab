/**
 * `grapevine ct <cmd> --url URL`: an RFC 6962 client (src/ct/client.ts) that
 * checks what it receives, prints JSON, and exits 1 with one line when
 * anything fails to verify.
 *
 *   sth          fetch the STH (verify it with --log-key), print it, --out FILE saves it
 *   consistency  prove that a saved STH (--old FILE) is a prefix of the current one
 *   entries      print entries [start, end] (one JSON line each)
 *   audit        download every entry, recompute the root, compare with the verified STH
 *   roots        print the accepted roots
 *   add-chain    submit a PEM chain (--pre for add-pre-chain), verify the SCT
 *
 * The log's key: `--log-key FILE` (PEM, DER or base64 SPKI). RFC 6962 has no
 * authenticated way to learn it from the log, so the client never fetches it;
 * audit and consistency require it.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import {
  decodePrecertExtraData,
  decodeX509ExtraData,
  encodeBase64,
  type LogEntry,
  parseGetSth,
  type SignedTreeHead,
} from '../codec/index.ts';
import { encodePem, rfc6962LogId } from '../crypto/index.ts';
import { CtClient, CtClientError, sthJson } from '../ct/index.ts';
import { GrapevineError } from '../errors.ts';
import { hashLeaf } from '../merkle/index.ts';
import { admitChain, RootStore } from '../personalities/ct/index.ts';
import { certificatesFromPem } from '../x509/index.ts';
import { intArg } from './args.ts';
import { CliError } from './errors.ts';
import { readKeyFile } from './key-file.ts';
import { printJson, printJsonLine } from './output.ts';

interface CommonOpts {
  url: string;
  logKey?: string;
  timeout: string;
}

const out = printJson;
const line = printJsonLine;

function common(cmd: Command): Command {
  return cmd
    .requiredOption('--url <url>', 'log URL: everything before /ct/v1, e.g. http://127.0.0.1:6962')
    .option('--log-key <file>', "the log's public key (PEM, DER or base64 SPKI); STHs and SCTs must verify with it")
    .option('--timeout <ms>', 'per-request time limit in ms', '30000');
}

function client(o: CommonOpts, needKey: boolean): CtClient {
  if (needKey && !o.logKey) throw new CliError('USAGE', "need --log-key FILE: without the log's key nothing it signed can be checked");
  return new CtClient({ url: o.url, logKey: o.logKey ? readKeyFile(o.logKey, '--log-key') : null, timeoutMs: intArg(o.timeout) });
}

/** Turns client failures into one-line CLI errors: verification failures are INVALID, the rest FAILED. */
async function run(fn: () => Promise<void>): Promise<void> {
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

function sthView(sth: SignedTreeHead, c: CtClient) {
  return {
    tree_size: sth.treeSize,
    timestamp: sth.timestamp,
    timestamp_iso: new Date(sth.timestamp).toISOString(),
    sha256_root_hash: encodeBase64(sth.sha256RootHash),
    signature: c.logKey ? 'verified' : 'unchecked (no --log-key)',
    ...(c.logKey ? { log_id: encodeBase64(rfc6962LogId(c.logKey)) } : {}),
  };
}

function entryView(e: LogEntry, index: number) {
  const se = e.leaf.signedEntry;
  let chain: number | string;
  try {
    chain =
      se.entryType === 'x509_entry'
        ? decodeX509ExtraData(e.extraData).length
        : decodePrecertExtraData(e.extraData).precertificateChain.length;
  } catch (err) {
    chain = `undecodable: ${(err as Error).message}`;
  }
  return {
    index,
    leaf_hash: hashLeaf(e.leafInput).toString('hex'),
    timestamp: e.leaf.timestamp,
    entry_type: se.entryType,
    ...(se.entryType === 'precert_entry' ? { issuer_key_hash: se.issuerKeyHash.toString('hex') } : {}),
    chain_length: chain,
    leaf_input: encodeBase64(e.leafInput),
    extra_data: encodeBase64(e.extraData),
  };
}

function readSthFile(path: string): SignedTreeHead {
  if (!existsSync(path)) throw new CliError('FAILED', `--old: no file at ${path}`);
  try {
    return parseGetSth(readFileSync(path));
  } catch (err) {
    throw new CliError('FAILED', `--old ${path}: not a get-sth body: ${(err as Error).message}`, { cause: err });
  }
}

export function registerCtClient(ct: Command): void {
  common(ct.command('sth'))
    .description('Fetch the signed tree head (RFC 6962 §4.3), verify it with --log-key, print it')
    .option('--out <file>', 'also save the get-sth JSON (for a later `ct consistency --old`)')
    .action((o: CommonOpts & { out?: string }) =>
      run(async () => {
        const c = client(o, false);
        const sth = await c.getSth();
        if (o.out) writeFileSync(o.out, `${sthJson(sth)}\n`);
        out(sthView(sth, c));
      }),
    );

  common(ct.command('consistency'))
    .description('Verify that a saved STH (--old) is a prefix of the current one (RFC 6962 §2.1.2, §4.4)')
    .requiredOption('--old <file>', 'an earlier get-sth answer (from `ct sth --out`)')
    .action((o: CommonOpts & { old: string }) =>
      run(async () => {
        const c = client(o, true);
        const old = readSthFile(o.old);
        c.verifySth(old);
        const cur = await c.getSth();
        const proof = await c.verifyConsistency(old, cur);
        out({ consistent: true, first: old.treeSize, second: cur.treeSize, proof_length: proof.length, current: sthView(cur, c) });
      }),
    );

  common(ct.command('entries'))
    .description('Print entries start..end, inclusive (RFC 6962 §4.6), one JSON line each')
    .requiredOption('--start <n>', 'first index', intArg)
    .requiredOption('--end <n>', 'last index (inclusive)', intArg)
    .action((o: CommonOpts & { start: number; end: number }) =>
      run(async () => {
        if (o.end < o.start) throw new CliError('USAGE', `--end ${o.end} < --start ${o.start}`);
        const c = client(o, false);
        // Stop at the tree size: get-entries answers 400 for a start beyond it (RFC 6962 §4.6).
        const end = Math.min(o.end, (await c.getSth()).treeSize - 1);
        let next = o.start;
        while (next <= end) {
          const entries = await c.getEntries(next, end);
          if (entries.length === 0) break;
          entries.forEach((e, i) => {
            line(entryView(e, next + i));
          });
          next += entries.length;
        }
      }),
    );

  common(ct.command('audit'))
    .description('Download every entry, recompute the Merkle root and compare it with the STH verified by --log-key')
    .option('--page <n>', 'entries per get-entries request', intArg, 1000)
    .option('--old <file>', 'also prove the saved STH consistent with the audited one')
    .action((o: CommonOpts & { page: number; old?: string }) =>
      run(async () => {
        const c = client(o, true);
        const sth = await c.getSth();
        if (o.old) {
          const old = readSthFile(o.old);
          c.verifySth(old);
          await c.verifyConsistency(old, sth);
        }
        const r = await c.audit({
          sth,
          pageSize: o.page,
          onProgress: (p) => process.stderr.write(`\r${p.fetched}/${p.total} entries`),
        });
        if (r.entries > 0) process.stderr.write('\n');
        out({
          verified: true,
          entries: r.entries,
          x509_entries: r.x509Entries,
          precert_entries: r.precertEntries,
          root: encodeBase64(r.rootHash),
          sth: sthView(sth, c),
        });
      }),
    );

  common(ct.command('roots'))
    .description('Print the accepted roots (RFC 6962 §4.7) as PEM')
    .action((o: CommonOpts) =>
      run(async () => {
        for (const der of await client(o, false).getRoots()) process.stdout.write(encodePem('CERTIFICATE', der));
      }),
    );

  common(ct.command('add-chain'))
    .description('Submit a PEM chain (leaf first) with add-chain, or add-pre-chain with --pre; verify the SCT with --log-key')
    .requiredOption('--chain <file>', 'PEM file: the end-entity certificate (or precertificate) first, then its issuers')
    .option('--pre', 'submit a precertificate (add-pre-chain)', false)
    .action((o: CommonOpts & { chain: string; pre: boolean }) =>
      run(async () => {
        const c = client(o, false);
        let chain: Buffer[];
        try {
          chain = certificatesFromPem(readFileSync(o.chain, 'latin1'));
        } catch (err) {
          throw new CliError('FAILED', `--chain ${o.chain}: ${(err as Error).message}`, { cause: err });
        }
        const sct = await c.addChain(chain, o.pre);
        let verified = 'unchecked (no --log-key)';
        if (c.logKey) {
          // Rebuild the signed entry the way the log must have (RFC 6962 §3.2), from the chain and the log's roots.
          const roots = new RootStore(await c.getRoots());
          try {
            const a = admitChain(o.pre ? 'precert_entry' : 'x509_entry', chain, { roots, maxChainLength: 100 }, sct.timestamp);
            c.verifySct(sct, { signedEntry: a.signedEntry, extensions: sct.extensions });
            verified = 'verified';
          } catch (err) {
            if (err instanceof CtClientError) throw err;
            if (err instanceof GrapevineError) verified = `not checked: ${err.message}`;
            else throw err;
          }
        }
        out({
          sct_version: 0,
          id: encodeBase64(sct.logId),
          timestamp: sct.timestamp,
          extensions: encodeBase64(sct.extensions),
          signature: verified,
        });
      }),
    );
}
