/**
 * `grapevine hub <cmd> --url URL`: a Gossip Hub client that verifies every
 * signature and proof it receives (src/hub/client.ts), prints JSON, and
 * exits 1 with one line when anything fails to verify.
 *
 * The hub's key comes from --hub-key and/or a pin file: see hub-keys.ts.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { parseSumdbTree } from '../checkpoint/index.ts';
import {
  decodeBase64,
  decodeHashText,
  decodeHubTreeHead,
  decodeTreeHeadSignature,
  encodeTreeHeadSignature,
  type HubTimestampedEntry,
  parseGetSth,
} from '../codec/index.ts';
import { verifySth } from '../crypto/index.ts';
import { GrapevineError } from '../errors.ts';
import {
  checkEntrySourceSignature,
  HubClient,
  HubClientError,
  makeSource,
  type SourceKeyInfo,
  type VerifiedSgt,
  type VerifiedSth,
} from '../hub/index.ts';
import { nsToMs } from '../hub/time.ts';
import { hashLeaf } from '../merkle/index.ts';
import { parseNote, verifierFromVkey } from '../note/index.ts';
import { intArg } from './args.ts';
import { CliError } from './errors.ts';
import { cappedFetch, DEFAULT_MAX_BODY_BYTES } from './fetch.ts';
import { hubKeyFor } from './hub-keys.ts';
import { registerHubSourcesFromLogList } from './hub-sources.ts';
import { readKeyFile } from './key-file.ts';
import { b64, msTime, nsTime, printJson, printJsonLine, rfc3339 } from './output.ts';
import { progress } from './progress.ts';

interface CommonOpts {
  url: string;
  hubKey?: string;
  pin?: string;
  timeout: number;
  maxBody: number;
}

const out = printJson;
const line = printJsonLine;

/** The options every hub client command takes; `--url` is checked by `client()` where a command has sub-commands. */
function common(cmd: Command, urlRequired = true): Command {
  const url = '--url <url>';
  const urlHelp = 'hub base URL including its prefix, e.g. https://hub.example/gamut';
  return (urlRequired ? cmd.requiredOption(url, urlHelp) : cmd.option(url, urlHelp))
    .option('--hub-key <file>', "the hub's public key (PEM, DER or base64 SPKI); every head and SGT must verify with it")
    .option('--pin <file>', 'URL → key pin file: records --hub-key on first use, supplies it later, refuses a different key')
    .option('--timeout <ms>', 'per-request time limit in ms', intArg, 30_000)
    .option('--max-body <bytes>', 'refuse answers larger than this', intArg, DEFAULT_MAX_BODY_BYTES);
}

function client(o: CommonOpts): HubClient {
  if (o.url === undefined) throw new CliError('USAGE', "required option '--url <url>' not specified");
  return new HubClient({ url: o.url, hubKey: hubKeyFor(o), timeoutMs: o.timeout, fetch: cappedFetch(o.maxBody) });
}

/** Runs an action, turning verification failures into one-line CliErrors (exit 1). */
function verified<O>(fn: (o: O) => Promise<void>) {
  return async (o: O) => {
    try {
      await fn(o);
    } catch (err) {
      if (err instanceof HubClientError) {
        const kind = err.code === 'HTTP' || err.code === 'BAD_RESPONSE' ? 'FAILED' : 'INVALID';
        throw new CliError(kind, `${err.code === 'HTTP' || err.code === 'BAD_RESPONSE' ? '' : 'verification failed: '}${err.message}`, {
          cause: err,
        });
      }
      if (err instanceof GrapevineError && !(err instanceof CliError))
        throw new CliError('FAILED', `${err.code}: ${err.message.split('\n')[0]}`, { cause: err });
      throw err;
    }
  };
}

const nsToIso = (ns: bigint) => rfc3339(nsToMs(ns));

function sthJson(s: VerifiedSth) {
  return {
    tree_size: s.head.treeSize,
    ...nsTime('timestamp', s.head.timestamp),
    root_hash: b64(s.head.rootHash),
    head_data: b64(s.headData),
    hub_signature: b64(s.hubSignature),
  };
}

/** A readable view of a blob, by the kind the hub lists for its source. */
function describeBlob(kind: string | undefined, blob: Buffer): unknown {
  try {
    if (kind === 'RFC6962STH') {
      const th = decodeTreeHeadSignature(blob);
      return { tree_size: th.treeSize, ...msTime('timestamp', th.timestamp), sha256_root_hash: b64(th.sha256RootHash) };
    }
    if (kind === 'GOSSIPHUB') {
      const th = decodeHubTreeHead(blob);
      return { tree_size: th.treeSize, ...nsTime('timestamp', th.timestamp), root_hash: b64(th.rootHash) };
    }
    if (kind === 'CHECKPOINT' || kind === 'GONOTARY') return { note_text: blob.toString('utf8') };
  } catch {
    // Shown raw below.
  }
  return { blob: b64(blob) };
}

function entryJson(e: HubTimestampedEntry, leafHash: Buffer, keys?: readonly SourceKeyInfo[]) {
  const kind = keys?.find((k) => k.id === e.sourceId)?.kind;
  return {
    source_id: e.sourceId,
    ...nsTime('hub_timestamp', e.hubTimestamp),
    leaf_hash: b64(leafHash),
    ...(kind ? { kind } : {}),
    ...(describeBlob(kind, e.blobData) as object),
    source_signature: b64(e.sourceSignature),
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Polls until the entry is in a verified head, or the MMD (plus slack for
 * clock skew) has passed since its hub timestamp: then a broken promise.
 */
async function waitForInclusion(c: HubClient, sgt: VerifiedSgt, mmdMs: number): Promise<{ sth: VerifiedSth; leafIndex: number }> {
  const deadline = nsToMs(sgt.entry.hubTimestamp) + mmdMs + 2000;
  for (;;) {
    const sth = await c.getSth();
    if (sth.head.treeSize > 0) {
      try {
        const p = await c.proveInclusion(sgt.leafHash, sth);
        return { sth, leafIndex: p.leafIndex };
      } catch (err) {
        if (!(err instanceof HubClientError && err.code === 'HTTP' && err.status === 404)) throw err;
      }
    }
    if (Date.now() > deadline) {
      throw new CliError(
        'INVALID',
        `verification failed: the entry (hub timestamp ${nsToIso(sgt.entry.hubTimestamp)}) is not in the hub's tree within the MMD of ${mmdMs} ms`,
      );
    }
    await sleep(250);
  }
}

function mmdArg(v: string): number {
  const m = /^([0-9]+)(ms|s|m)?$/.exec(v);
  if (!m) throw new CliError('USAGE', `--mmd: got ${JSON.stringify(v)}, want e.g. 10s or 500ms`);
  return Number(m[1]) * ({ ms: 1, s: 1000, m: 60_000 }[m[2] ?? 's'] as number);
}

/** What submit-sth and submit-checkpoint print: the entry decoded as `hub entries` shows it, the SGT, and with --wait where it was merged. */
async function submitted(c: HubClient, sgt: VerifiedSgt, o: { wait?: boolean; mmd: string }): Promise<void> {
  const keys = await c.getSourceKeys();
  const sig = checkEntrySourceSignature(sgt.entry, keys);
  const result: Record<string, unknown> = {
    ...entryJson(sgt.entry, sgt.leafHash, keys),
    source_signature_verified: sig === true,
    timestamped_entry: b64(sgt.value),
    hub_signature: b64(sgt.hubSignature),
  };
  if (o.wait) {
    const { sth, leafIndex } = await waitForInclusion(c, sgt, mmdArg(o.mmd));
    result.included = { leaf_index: leafIndex, tree_size: sth.head.treeSize, root_hash: b64(sth.head.rootHash) };
  }
  out(result);
}

export function registerHubClient(hub: Command): void {
  common(hub.command('sth'))
    .description("Fetch and verify the hub's signed tree head")
    .action(verified(async (o: CommonOpts) => out(sthJson(await client(o).getSth()))));

  // `sources` also has a sub-command (from-log-list), so its --url is checked in client(), not by commander.
  const sources = common(hub.command('sources'), false);
  registerHubSourcesFromLogList(sources);
  sources.description('List the sources the hub accepts (each key must parse); or: sources from-log-list FILE').action(
    verified(async (o: CommonOpts) => {
      const keys = await client(o).getSourceKeys();
      out(
        keys.map((k) => {
          let keyType: string;
          try {
            keyType = (
              k.vkey !== undefined
                ? makeSource({ id: k.id, kind: 'CHECKPOINT', vkey: k.vkey })
                : makeSource({ id: k.id, kind: 'UNKNOWN', publicKey: k.pubKey })
            ).publicKey.type;
          } catch (err) {
            throw new HubClientError(
              'BAD_RESPONSE',
              `get-source-keys: the key of ${JSON.stringify(k.id)} does not parse: ${(err as Error).message}`,
              { cause: err },
            );
          }
          return { id: k.id, kind: k.kind, key_type: keyType, pub_key: b64(k.pubKey), ...(k.vkey ? { vkey: k.vkey } : {}) };
        }),
      );
    }),
  );

  common(hub.command('entries'))
    .description('Fetch entries [start, end] and verify each: inclusion in the verified head, and its source signature')
    .requiredOption('--start <n>', 'first index', intArg)
    .requiredOption('--end <n>', 'last index (inclusive); stops at the verified head', intArg)
    .action(
      verified(async (o: CommonOpts & { start: number; end: number }) => {
        if (o.end < o.start) throw new CliError('USAGE', `--end ${o.end} < --start ${o.start}`);
        const c = client(o);
        const sth = await c.getSth();
        const keys = await c.getSourceKeys();
        // Entries of the verified head only (their proofs are against it), in the pages the hub answers (§1.5).
        const end = Math.min(o.end, sth.head.treeSize - 1);
        const shown = progress('hub entries', 'entries', Math.max(0, end - o.start + 1));
        try {
          for (let next = o.start; next <= end; ) {
            const page = await c.getEntries(next, end);
            if (page.length === 0)
              throw new HubClientError('MISMATCH', `get-entries returned nothing at ${next} of a tree of ${sth.head.treeSize}`);
            for (const e of page) {
              const p = await c.proveInclusion(e.leafHash, sth);
              if (p.leafIndex !== next) throw new HubClientError('MISMATCH', `entry ${next} is proven at index ${p.leafIndex}`);
              const sig = checkEntrySourceSignature(e.entry, keys);
              if (sig === false)
                throw new HubClientError(
                  'MISMATCH',
                  `entry ${next}: the source signature does not verify with the key of ${JSON.stringify(e.entry.sourceId)}`,
                );
              line({
                index: next,
                ...entryJson(e.entry, e.leafHash, keys),
                source_signature_verified: sig === true,
                included_in_tree_size: sth.head.treeSize,
              });
              next++;
              shown.update(next - o.start);
            }
          }
        } finally {
          shown.finish();
        }
      }),
    );

  common(hub.command('inclusion'))
    .description("Prove a leaf's inclusion in the verified head")
    .option('--leaf-hash <hash>', 'Merkle leaf hash (hex or base64)')
    .option('--entry <base64>', 'a TLS TimestampedEntry (e.g. from an SGT); its leaf hash is computed')
    .action(
      verified(async (o: CommonOpts & { leafHash?: string; entry?: string }) => {
        if ((o.leafHash === undefined) === (o.entry === undefined))
          throw new CliError('USAGE', 'give exactly one of --leaf-hash and --entry');
        const leafHash = o.leafHash !== undefined ? decodeHashText(o.leafHash) : hashLeaf(decodeBase64(o.entry as string));
        const c = client(o);
        const sth = await c.getSth();
        const p = await c.proveInclusion(leafHash, sth);
        out({
          leaf_hash: b64(leafHash),
          leaf_index: p.leafIndex,
          tree_size: sth.head.treeSize,
          root_hash: b64(sth.head.rootHash),
          audit_path: p.auditPath.map(b64),
          verified: true,
        });
      }),
    );

  common(hub.command('consistency'))
    .description('Prove that an older head (size, root) is a prefix of the verified current head')
    .requiredOption('--old-size <n>', 'size of the older head', intArg)
    .requiredOption('--old-root <hash>', 'root hash of the older head (hex or base64)')
    .action(
      verified(async (o: CommonOpts & { oldSize: number; oldRoot: string }) => {
        const c = client(o);
        const sth = await c.getSth();
        const proof = await c.proveConsistency(o.oldSize, decodeHashText(o.oldRoot), sth);
        out({
          old_size: o.oldSize,
          new_size: sth.head.treeSize,
          new_root_hash: b64(sth.head.rootHash),
          consistency: proof.map(b64),
          verified: true,
        });
      }),
    );

  common(hub.command('latest'))
    .description('The latest entry for a source, with its inclusion proven (or pending within the MMD)')
    .requiredOption('--source <id>', 'source id')
    .option('--mmd <duration>', "the hub's maximum merge delay", '10s')
    .action(
      verified(async (o: CommonOpts & { source: string; mmd: string }) => {
        const c = client(o);
        const e = await c.getLatestForSource(o.source);
        if (!e) return out({ source_id: o.source, entry: null });
        const keys = await c.getSourceKeys();
        const sig = checkEntrySourceSignature(e.entry, keys);
        if (sig === false)
          throw new HubClientError(
            'MISMATCH',
            `the latest entry's source signature does not verify with the key of ${JSON.stringify(o.source)}`,
          );
        const sth = await c.getSth();
        let included: unknown = null;
        try {
          const p = await c.proveInclusion(e.leafHash, sth);
          included = { leaf_index: p.leafIndex, tree_size: sth.head.treeSize };
        } catch (err) {
          if (!(err instanceof HubClientError && err.code === 'HTTP' && err.status === 404)) throw err;
          if (Date.now() > nsToMs(e.entry.hubTimestamp) + mmdArg(o.mmd)) {
            throw new HubClientError(
              'MISMATCH',
              `the latest entry (hub timestamp ${nsToIso(e.entry.hubTimestamp)}) is still not in the tree after the MMD`,
            );
          }
          included = 'pending';
        }
        out({ ...entryJson(e.entry, e.leafHash, keys), source_signature_verified: sig === true, included });
      }),
    );

  common(hub.command('submit-sth'))
    .description('Submit a CT log STH (a get-sth JSON file), verified first with the log key; verify the SGT')
    .requiredOption('--source <id>', "the hub's source id for the log (usually its URL with trailing /)")
    .requiredOption('--sth <file>', "the log's get-sth JSON (or a gossiped STH with log_id)")
    .requiredOption('--log-key <file>', "the CT log's public key (PEM, DER or base64 SPKI)")
    .option('--wait', 'wait until the entry is in a verified head (fails after the MMD)')
    .option('--mmd <duration>', "the hub's maximum merge delay, for --wait", '10s')
    .action(
      verified(async (o: CommonOpts & { source: string; sth: string; logKey: string; wait?: boolean; mmd: string }) => {
        if (!existsSync(o.sth)) throw new CliError('FAILED', `--sth: no file at ${o.sth}`);
        const sth = parseGetSth(readFileSync(o.sth));
        // RFC 6962 §3.5 and, for gossiped STHs, log_id = SHA-256(key): refuse to gossip what the log did not sign.
        verifySth(sth, readKeyFile(o.logKey, '--log-key'));
        const c = client(o);
        const sgt = await c.addSignedBlob(o.source, encodeTreeHeadSignature(sth), sth.treeHeadSignature.signature);
        await submitted(c, sgt, o);
      }),
    );

  common(hub.command('submit-checkpoint'))
    .description('Submit a signed checkpoint note (its text and the signature of --key-name); verify the SGT')
    .requiredOption('--source <id>', "the hub's source id for the log (e.g. sum.golang.org)")
    .requiredOption('--note <file>', 'the signed note (checkpoint text, blank line, signature lines)')
    .option('--key-name <name>', 'which signature line to submit (default: the source id)')
    .option('--vkey <vkey>', 'verify the note with this verifier key before submitting')
    .option('--wait', 'wait until the entry is in a verified head (fails after the MMD)')
    .option('--mmd <duration>', "the hub's maximum merge delay, for --wait", '10s')
    .action(
      verified(async (o: CommonOpts & { source: string; note: string; keyName?: string; vkey?: string; wait?: boolean; mmd: string }) => {
        if (!existsSync(o.note)) throw new CliError('FAILED', `--note: no file at ${o.note}`);
        const note = parseNote(readFileSync(o.note));
        const name = o.keyName ?? o.source;
        const sigs = note.signatures.filter((s) => s.name === name);
        const verifier = o.vkey !== undefined ? verifierFromVkey(o.vkey) : null;
        const sig = verifier ? sigs.find((s) => s.keyId === verifier.keyId) : sigs[0];
        if (!sig)
          throw new CliError(
            'FAILED',
            `the note has no signature line by ${JSON.stringify(name)}${verifier ? ` with key ID ${verifier.keyId.toString(16).padStart(8, '0')}` : ''}`,
          );
        const text = Buffer.from(note.text, 'utf8');
        if (verifier && !verifier.verify(text, sig.signature))
          throw new CliError('INVALID', `verification failed: the note's signature by ${name} does not verify with --vkey`);
        if (note.text.startsWith('go.sum database tree\n')) parseSumdbTree(note.text); // a readable error for a broken sumdb note
        // §3.3 GONOTARY: blob = note text, signature = the signature line's bytes after the 4-byte key ID.
        const c = client(o);
        const sgt = await c.addSignedBlob(o.source, text, sig.signature);
        await submitted(c, sgt, o);
      }),
    );
}
