/**
 * The demo site of `npm start` for the dashboard's end-to-end tests: the
 * built `grapevine serve` in a fresh folder (data in ./grapevine-data), a
 * certificate submitted with the CLI, and a split view injected as the
 * detection tests inject one — a second STH of the same size with another
 * root, signed with the log's own key, handed to the site's gossip service
 * over its peer socket (`grapevine gossip send`).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatGetSth, parseGetSth } from '../../src/codec/index.ts';
import { parsePrivateKey, signerFromPrivateKey, signSth } from '../../src/crypto/index.ts';
import { grapevineAsync, type RunningCommand, startServe } from '../support/cli.ts';
import { tempDir } from '../support/temp-dir.ts';
import { type WaitOptions, waitUntil } from '../support/wait.ts';

/** Catches a stuck server; the site's loop gossips every 5 s. */
export const STUCK_MS = 90_000;

/** How the demo's API is polled: every 200 ms, stuck after STUCK_MS. */
export const DEMO_POLL: WaitOptions = { stuckMs: STUCK_MS, everyMs: 200 };

export interface Demo {
  /** The folder it runs in (commands are run from here). */
  readonly dir: string;
  /** dir/grapevine-data */
  readonly data: string;
  readonly serve: RunningCommand;
  readonly url: string;
}

export async function startDemo(args: readonly string[] = []): Promise<Demo> {
  const dir = tempDir('gv-demo-');
  const data = join(dir, 'grapevine-data');
  const serve = await startServe(['--data', data, '--init-if-missing', '--port', '0', ...args], { cwd: dir });
  // The dashboard's first sample is the baseline its event lines are counted from.
  await waitUntil(
    'the first dashboard sample',
    async () => {
      const p = (await (await fetch(`${serve.url}/api/v1/plots`)).json()) as { times: number[] };
      return p.times.length > 0;
    },
    DEMO_POLL,
  ).catch(async (err) => {
    await serve.stop();
    throw err;
  });
  return { dir, data, serve, url: serve.url };
}

/** `grapevine ct add-chain` of the demo CA's leaf chain. */
export async function submitCertificate(d: Demo): Promise<void> {
  const r = await grapevineAsync(
    ['ct', 'add-chain', '--url', d.url, '--chain', join(d.data, 'ca', 'leaf-chain.pem'), '--log-key', join(d.data, 'keys', 'ct.pub.pem')],
    { cwd: d.dir },
  );
  assert.equal(r.code, 0, r.stderr);
}

interface Views {
  sources: { name: string; views: { observer: { kind: string }; head: { size: number } }[] }[];
}

/** Waits until the log itself, the hub and the gossip service all hold a head of `size` (the API says so). */
export async function gossiped(d: Demo, size: number): Promise<void> {
  await waitUntil(
    `the hub and the gossip service holding size ${size}`,
    async () => {
      const body = (await (await fetch(`${d.url}/api/v1/sources`)).json()) as Views;
      const views = body.sources.find((x) => x.name === 'CT log ct')?.views ?? [];
      return ['log', 'hub', 'gossip'].every((k) => views.some((v) => v.observer.kind === k && v.head.size === size));
    },
    DEMO_POLL,
  );
}

/** Sends the gossip service a second head of the log's current size, another root, signed with the log key; returns the log id. */
export async function injectSplitView(d: Demo): Promise<string> {
  const honest = parseGetSth(Buffer.from(await (await fetch(`${d.url}/ct/v1/get-sth`)).arrayBuffer()));
  const signer = signerFromPrivateKey(parsePrivateKey(readFileSync(join(d.data, 'keys', 'ct.pem'))));
  const forged = signSth(signer, {
    treeSize: honest.treeSize,
    timestamp: honest.timestamp + 1,
    sha256RootHash: createHash('sha256').update('another tree of the same size').digest(),
  });
  const file = join(d.dir, 'forged-sth.json');
  writeFileSync(file, formatGetSth(forged));
  const logId = createHash('sha256').update(signer.publicKey.spki).digest('hex');
  const sent = await grapevineAsync(['gossip', 'send', '--socket', join(d.data, 'gossip.sock'), '--log-id', logId, '--data', file], {
    cwd: d.dir,
  });
  assert.equal(sent.code, 0, sent.stderr);
  return logId;
}

/** Waits for the first incident in the API; returns its id. */
export async function firstIncident(d: Demo): Promise<string> {
  let id = '';
  await waitUntil(
    'an incident',
    async () => {
      const body = (await (await fetch(`${d.url}/api/v1/incidents`)).json()) as { incidents: { id: string }[] };
      id = body.incidents[0]?.id ?? '';
      return id !== '';
    },
    DEMO_POLL,
  );
  return id;
}
