/**
 * `grapevine log …`: create and inspect a log in a data directory, for
 * operators and for debugging personalities. Output is JSON (one object, or
 * one line per leaf) so it pipes into jq.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { Log, type LogStorage, Sequencer, type StoredHead, type StoredLeaf } from '../log/index.ts';
import { hashArg, intArg } from './args.ts';
import { createKey, type DataDirOptions, keyPath, loadSigner, openDataDir } from './data-dir.ts';
import { CliError } from './errors.ts';
import { b64, msTime, printJson, printJsonLine } from './output.ts';
import { progress } from './progress.ts';

/** Leaves queued per storage call by `log add`. */
const ADD_BATCH = 1000;

type Opts = DataDirOptions & { name: string };

function common(cmd: Command): Command {
  return cmd
    .requiredOption('--data <dir>', 'data directory (database and keys)', './grapevine-data')
    .option('--db <url>', 'database URL instead of DIR/grapevine.db (sqlite:PATH or postgres://…)')
    .option('--name <tree>', 'tree name', 'default');
}

async function withLog<T>(o: Opts, fn: (log: Log, storage: LogStorage) => Promise<T>): Promise<T> {
  const storage = await openDataDir(o, false);
  try {
    return await fn(await Log.open(storage, o.name, null), storage);
  } finally {
    await storage.close();
  }
}

const out = printJson;

/** A signed root as printed (output.ts conventions: base64 bytes, ms times with their RFC 3339 form). */
export function headJson(h: StoredHead) {
  return {
    size: h.size,
    root_hash: b64(h.rootHash),
    ...msTime('timestamp', h.timestamp),
    revision: h.revision,
    signature: b64(h.signature),
  };
}

function leafJson(l: StoredLeaf) {
  return {
    index: l.index,
    leaf_hash: b64(l.leafHash),
    identity_hash: b64(l.identityHash),
    ...msTime('queued_at', l.queuedAt),
    value: b64(l.value),
    extra_data: l.extraData ? b64(l.extraData) : null,
    label: l.label,
  };
}

export function registerLog(log: Command): void {
  common(log.command('create'))
    .description('Create a new tree with a fresh signing key in DIR/keys/<name>.pem')
    .option('--key-type <type>', 'ecdsa-p256 or ed25519', 'ecdsa-p256')
    .action(async (o: Opts & { keyType: string }) => {
      if (o.keyType !== 'ecdsa-p256' && o.keyType !== 'ed25519') throw new CliError('USAGE', `unknown --key-type ${o.keyType}`);
      const storage = await openDataDir(o, true);
      try {
        // Checked before the key is written, so a refused create leaves no key that is not the tree's.
        if (await storage.getTree(o.name)) throw new CliError('FAILED', `a tree named ${JSON.stringify(o.name)} already exists`);
        const signer = createKey(keyPath(o, o.name), o.keyType);
        const tree = await Log.create(storage, o.name, 'log', signer);
        out({
          created: tree.name,
          id: tree.id,
          key: keyPath(o, o.name),
          public_key: signer.publicKey.key.export({ type: 'spki', format: 'pem' }),
        });
      } finally {
        await storage.close();
      }
    });

  common(log.command('info'))
    .description('Print the latest signed root and the queue length')
    .action((o: Opts) =>
      withLog(o, async (l, s) => {
        out({ tree: l.tree.name, ...headJson(await l.latestHead()), pending: await s.pendingCount(l.tree.id) });
      }),
    );

  common(log.command('add'))
    .description('Queue leaves (each --value string or --file content is one leaf), then optionally sequence')
    .option('--value <string...>', 'leaf values')
    .option('--file <path...>', 'files whose bytes are leaves')
    .option('--sequence', 'integrate everything queued before returning')
    .action((o: Opts & { value?: string[]; file?: string[]; sequence?: boolean }) =>
      withLog(o, async (l, s) => {
        const values = [...(o.value ?? []).map((v) => Buffer.from(v)), ...(o.file ?? []).map((f) => readFileSync(f))];
        // In batches, so that many values show progress (and no one transaction holds them all).
        const res: Awaited<ReturnType<typeof l.queueLeaves>> = [];
        const queued = progress('log add', 'leaves queued', values.length);
        try {
          for (let i = 0; i < values.length; i += ADD_BATCH) {
            res.push(...(await l.queueLeaves(values.slice(i, i + ADD_BATCH).map((value) => ({ value })))));
            queued.update(res.length);
          }
        } finally {
          queued.finish();
        }
        if (o.sequence) await sequenceAll(s, l, o);
        const final = await Promise.all(res.map((r) => l.getLeafByIdentityHash(r.leaf.identityHash)));
        out(final.map((x, i) => ({ duplicate: res[i].duplicate, ...leafJson(x as StoredLeaf) })));
      }),
    );

  common(log.command('sequence'))
    .description('Integrate every queued leaf and sign a new root (refuses while another sequencer holds the lease)')
    .action((o: Opts) =>
      withLog(o, async (l, s) => {
        out(headJson(await sequenceAll(s, l, o)));
      }),
    );

  common(log.command('leaves'))
    .description('Print sequenced leaves [start, end) as JSON lines')
    .option('--start <n>', 'first index', intArg, 0)
    .option('--end <n>', 'end index (exclusive)', intArg)
    .action((o: Opts & { start: number; end?: number }) =>
      withLog(o, async (l) => {
        const size = (await l.latestHead()).size;
        const end = Math.min(o.end ?? size, size);
        for (let at = o.start; at < end; ) {
          const batch = await l.getLeaves(at, end);
          if (batch.length === 0) break;
          for (const x of batch) printJsonLine(leafJson(x));
          at += batch.length;
        }
      }),
    );

  common(log.command('inclusion'))
    .description('Print an inclusion proof by --index or --leaf-hash, for --size (default: latest)')
    .option('--index <n>', 'leaf index', intArg)
    .option('--leaf-hash <hash>', 'leaf hash (hex or base64)', hashArg)
    .option('--size <n>', 'tree size', intArg)
    .action((o: Opts & { index?: number; leafHash?: Buffer; size?: number }) =>
      withLog(o, async (l) => {
        if ((o.index === undefined) === (o.leafHash === undefined))
          throw new CliError('USAGE', 'give exactly one of --index and --leaf-hash');
        const size = o.size ?? (await l.latestHead()).size;
        const { index, proof } =
          o.leafHash !== undefined
            ? await l.getInclusionProofByHash(o.leafHash, size)
            : { index: o.index as number, proof: await l.getInclusionProof(o.index as number, size) };
        out({ index, size, proof: proof.map(b64) });
      }),
    );

  common(log.command('consistency'))
    .description('Print a consistency proof between two sizes (size2 defaults to the latest)')
    .requiredOption('--size1 <n>', 'first size', intArg)
    .option('--size2 <n>', 'second size', intArg)
    .action((o: Opts & { size1: number; size2?: number }) =>
      withLog(o, async (l) => {
        const size2 = o.size2 ?? (await l.latestHead()).size;
        out({ size1: o.size1, size2, proof: (await l.getConsistencyProof(o.size1, size2)).map(b64) });
      }),
    );
}

async function sequenceAll(storage: LogStorage, log: Log, o: Opts): Promise<StoredHead> {
  const signer = loadSigner(keyPath(o, o.name));
  const seq = new Sequencer({ storage, tree: log.tree, signer, maxRootAgeMs: 0 });
  if (!(await storage.acquireLease(log.tree.id, 'cli', 10_000))) {
    throw new CliError('FAILED', 'another sequencer holds the lease for this tree; it will integrate the leaves');
  }
  const pending = await storage.pendingCount(log.tree.id);
  const shown = progress('log sequence', 'leaves integrated', pending);
  try {
    let done = 0;
    for (let n = await seq.runOnce(); n > 0; n = await seq.runOnce()) {
      done += n;
      shown.update(done, Math.max(pending, done));
    }
  } finally {
    shown.finish();
    await storage.releaseLease(log.tree.id, 'cli');
  }
  return log.latestHead();
}
