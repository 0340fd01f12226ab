/** Shared fixtures for the CT personality tests: a minted CA, logs on in-memory SQLite, error assertions. */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { Registry } from 'prom-client';
import { parsePrivateKey, type Signer, signerFromPrivateKey } from '../../src/crypto/index.ts';
import type { GrapevineError } from '../../src/errors.ts';
import { createApp, registerMetrics } from '../../src/http/index.ts';
import { Log, type LogStorage, Sequencer } from '../../src/log/index.ts';
import {
  CtError,
  type CtErrorCode,
  CtLog,
  type CtLogOptions,
  type CtLogSpec,
  mountCtLog,
  type OpenCtOptions,
  openCtLog,
  RootStore,
  stopCtLog,
} from '../../src/personalities/ct/index.ts';
import { openStorage } from '../../src/storage/index.ts';
import { type DemoSet, mintDemoSet } from '../../src/x509/testca/index.ts';

let demo: Promise<DemoSet> | null = null;
/** One demo CA per test process (minting takes ~100 ms). */
export function demoSet(): Promise<DemoSet> {
  demo ??= mintDemoSet();
  return demo;
}

export function newSigner(type: 'ec' | 'rsa' | 'ed25519' = 'ec'): Signer {
  const { privateKey } =
    type === 'ec'
      ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
      : type === 'rsa'
        ? generateKeyPairSync('rsa', { modulusLength: 2048 })
        : generateKeyPairSync('ed25519');
  return signerFromPrivateKey(parsePrivateKey(privateKey.export({ type: 'pkcs8', format: 'pem' }) as string));
}

export interface TestLog {
  readonly storage: LogStorage;
  readonly log: Log;
  readonly seq: Sequencer;
  readonly ct: CtLog;
  readonly signer: Signer;
  close(): Promise<void>;
}

/** A CT log on a fresh in-memory SQLite, accepting `roots` (default: the demo root). */
export async function newCtLog(opts: Partial<Omit<CtLogOptions, 'log' | 'roots'>> & { roots?: Uint8Array[] } = {}): Promise<TestLog> {
  const d = await demoSet();
  const storage = await openStorage('sqlite::memory:');
  const signer = opts.signer ?? newSigner();
  await Log.create(storage, 'ct', 'ct', signer, 1_000);
  const log = await Log.open(storage, 'ct', signer);
  const seq = new Sequencer({ storage, tree: log.tree, signer, batchSize: 1000, maxRootAgeMs: 0 });
  const ct = new CtLog({
    admission: { maxChainLength: 10 },
    ...opts,
    log,
    signer,
    roots: new RootStore(opts.roots ?? [d.root.der]),
  });
  return { storage, log, seq, ct, signer, close: () => storage.close() };
}

/** Runs the sequencer until the queue is empty. */
export async function drain(seq: Sequencer): Promise<void> {
  while ((await seq.runOnce()) > 0) {
    // keep going
  }
}

function check<E extends GrapevineError>(caught: unknown, cls: abstract new (...args: never[]) => E, code: E['code']): void {
  assert.ok(
    caught instanceof cls,
    `want ${cls.name} ${code}, got ${caught instanceof Error ? `${caught.name} ${(caught as E).code}: ${caught.message}` : String(caught)}`,
  );
  assert.equal((caught as E).code, code, `want code ${code}, got ${(caught as E).code}: ${(caught as E).message}`);
}

/** Asserts `fn` throws `cls` with `code` (never the message). */
export function assertThrowsCode<E extends GrapevineError>(
  fn: () => unknown,
  cls: abstract new (...args: never[]) => E,
  code: E['code'],
): void {
  let caught: unknown = 'nothing thrown';
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  check(caught, cls, code);
}

export async function assertRejectsCode<E extends GrapevineError>(
  p: Promise<unknown> | (() => Promise<unknown>),
  cls: abstract new (...args: never[]) => E,
  code: E['code'],
): Promise<void> {
  let caught: unknown = 'nothing thrown';
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (err) {
    caught = err;
  }
  check(caught, cls, code);
}

export const assertCtError = (fn: () => unknown, code: CtErrorCode) => assertThrowsCode(fn, CtError, code);

/** A CT log opened the way the server does (openCtLog) on in-memory SQLite, mounted on a src/http app for inject(). */
export async function newCtApp(spec: Partial<CtLogSpec> = {}, opts: Partial<OpenCtOptions> = {}) {
  const d = await demoSet();
  const storage = await openStorage('sqlite::memory:');
  const registry = new Registry();
  const opened = await openCtLog(
    { tree: 'ct', signer: newSigner(), roots: [d.root.der], ...spec },
    { storage, init: true, registry, sequencer: true, sequencerIntervalMs: 5, ...opts },
  );
  const app = createApp();
  registerMetrics(app, { registry });
  await mountCtLog(app, opened);
  await app.ready();
  const signer = spec.signer ?? null;
  return {
    app,
    opened,
    storage,
    registry,
    signer,
    /** Integrates everything queued. */
    sequence: () => drain(opened.sequencer as Sequencer),
    close: async () => {
      await app.close();
      await stopCtLog(opened);
      await storage.close();
    },
  };
}
