/** Shared fixtures for the CT personality tests: a minted CA, logs on in-memory SQLite. */
import { Registry } from 'prom-client';
import type { Signer } from '../../src/crypto/index.ts';
import { type BacklogProbe, Log, type LogMetrics, type LogStorage, MergeWatchdog, Sequencer } from '../../src/log/index.ts';
import {
  CtError,
  type CtErrorCode,
  CtLog,
  type CtLogOptions,
  type CtLogSpec,
  type OpenCtOptions,
  openCtLog,
  RootStore,
} from '../../src/personalities/ct/index.ts';
import { startServer } from '../../src/server/index.ts';
import { openStorage } from '../../src/storage/index.ts';
import { type DemoSet, mintDemoSet } from '../../src/x509/testca/index.ts';
import { assertThrowsCode } from '../support/assert-code.ts';
import { newSigner } from '../support/keys.ts';

let demo: Promise<DemoSet> | null = null;
/** One demo CA per test process (minting takes ~100 ms). */
export function demoSet(): Promise<DemoSet> {
  demo ??= mintDemoSet();
  return demo;
}

export interface TestLog {
  readonly storage: LogStorage;
  readonly log: Log;
  readonly seq: Sequencer;
  readonly ct: CtLog;
  readonly signer: Signer;
  /** The merge watchdog, when a backlog probe was given; step it with check(). */
  readonly watchdog: MergeWatchdog | null;
  close(): Promise<void>;
}

export interface TestLogOptions extends Partial<Omit<CtLogOptions, 'log' | 'roots' | 'watchdog'>> {
  readonly roots?: Uint8Array[];
  /** Watch this backlog (a merge watchdog, stepped by hand) with this MMD (default 10 s). */
  readonly backlog?: BacklogProbe;
  readonly mmdMs?: number;
  /** Where the watchdog's metrics go. */
  readonly logMetrics?: LogMetrics;
}

/** A CT log on a fresh in-memory SQLite, accepting `roots` (default: the demo root). */
export async function newCtLog(opts: TestLogOptions = {}): Promise<TestLog> {
  const d = await demoSet();
  const storage = await openStorage('sqlite::memory:');
  const signer = opts.signer ?? newSigner();
  await Log.create(storage, 'ct', 'ct', signer, 1_000);
  const log = await Log.open(storage, 'ct', signer);
  const seq = new Sequencer({ storage, tree: log.tree, signer, batchSize: 1000, maxRootAgeMs: 0 });
  const watchdog = opts.backlog
    ? new MergeWatchdog({
        tree: 'ct',
        mmdMs: opts.mmdMs ?? 10_000,
        intervalMs: 1000,
        probe: opts.backlog,
        sequencer: seq,
        clock: opts.clock,
        metrics: opts.logMetrics,
      })
    : null;
  const ct = new CtLog({
    admission: { maxChainLength: 10 },
    ...opts,
    log,
    signer,
    roots: new RootStore(opts.roots ?? [d.root.der]),
    ...(watchdog ? { watchdog } : {}),
  });
  return { storage, log, seq, ct, signer, watchdog, close: () => storage.close() };
}

/** Runs the sequencer until the queue is empty. */
export async function drain(seq: Sequencer): Promise<void> {
  while ((await seq.runOnce()) > 0) {
    // keep going
  }
}

export const assertCtError = (fn: () => unknown, code: CtErrorCode) => assertThrowsCode(fn, CtError, code);

/** A CT log opened the way the servers do (openCtLog, run by the server builder) on in-memory SQLite, for inject(). */
export async function newCtApp(spec: Partial<CtLogSpec> = {}, opts: Partial<OpenCtOptions> = {}) {
  const d = await demoSet();
  const storage = await openStorage('sqlite::memory:');
  const registry = new Registry();
  const treeSigner = spec.signer ?? newSigner();
  // No sequencer loop: tests integrate when they choose (sequence()).
  const part = await openCtLog(
    { tree: 'ct', signer: treeSigner, roots: [d.root.der], ...spec },
    { storage, createMissing: true, registry, sequencer: false, ...opts },
  );
  const seq = new Sequencer({ storage, tree: part.log.tree, signer: treeSigner, maxRootAgeMs: 0 });
  const server = await startServer({ host: '127.0.0.1', port: 0, parts: [part], registry, storage, ownStorage: true, listen: false });
  const signer = spec.signer ?? null;
  return {
    app: server.app,
    server,
    opened: part,
    storage,
    registry,
    signer,
    /** Integrates everything queued. */
    sequence: () => drain(seq),
    close: () => server.close(),
  };
}
