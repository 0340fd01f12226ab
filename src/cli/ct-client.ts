/**
 * `grapevine ct <cmd> --url URL`: an RFC 6962 client (src/ct/client.ts) that
 * checks what it receives, prints JSON (output.ts conventions), and exits 1
 * with one line when anything fails to verify.
 *
 *   sth          fetch the STH (verify it with --log-key), print it, --out FILE saves it
 *   consistency  prove that a saved STH (--old) is a prefix of the current one
 *   entries      print entries [start, end] (one JSON line each)
 *   audit        download every entry, recompute the root, compare with the verified STH
 *   roots        print the accepted roots
 *
 * Submitting and checking one certificate: ct-submit.ts. The log's key:
 * `--log-key FILE` (PEM, DER or base64 SPKI). RFC 6962 has no authenticated
 * way to learn it from the log, so the client never fetches it; audit and
 * consistency require it.
 */
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { decodePrecertExtraData, decodeX509ExtraData, type LogEntry } from '../codec/index.ts';
import { encodePem } from '../crypto/index.ts';
import { sthJson } from '../ct/index.ts';
import { hashLeaf } from '../merkle/index.ts';
import { intArg } from './args.ts';
import { type CommonOpts, client, common, readSthFile, run, sthView } from './ct-common.ts';
import { CliError } from './errors.ts';
import { b64, msTime, printJson, printJsonLine } from './output.ts';
import { progress } from './progress.ts';

const out = printJson;
const line = printJsonLine;

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
    leaf_hash: b64(hashLeaf(e.leafInput)),
    ...msTime('timestamp', e.leaf.timestamp),
    entry_type: se.entryType,
    ...(se.entryType === 'precert_entry' ? { issuer_key_hash: b64(se.issuerKeyHash) } : {}),
    chain_length: chain,
    leaf_input: b64(e.leafInput),
    extra_data: b64(e.extraData),
  };
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
        out({ consistent: true, first: old.treeSize, second: cur.treeSize, consistency: proof.map(b64), current: sthView(cur, c) });
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
        const shown = progress('ct entries', 'entries', Math.max(0, end - o.start + 1));
        try {
          let next = o.start;
          while (next <= end) {
            const entries = await c.getEntries(next, end);
            if (entries.length === 0) break;
            entries.forEach((e, i) => {
              line(entryView(e, next + i));
            });
            next += entries.length;
            shown.update(next - o.start);
          }
        } finally {
          shown.finish();
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
        const shown = progress('ct audit', 'entries', sth.treeSize);
        let r: Awaited<ReturnType<typeof c.audit>>;
        try {
          r = await c.audit({ sth, pageSize: o.page, onProgress: (p) => shown.update(p.fetched, p.total) });
        } finally {
          shown.finish();
        }
        out({
          verified: true,
          entries: r.entries,
          x509_entries: r.x509Entries,
          precert_entries: r.precertEntries,
          root: b64(r.rootHash),
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
}
