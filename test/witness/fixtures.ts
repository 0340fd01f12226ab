/**
 * Witness test fixtures: a test log that signs checkpoints with a real
 * Ed25519 key over a reference tree (test/merkle/reference.ts is the oracle
 * for roots and proofs), and a witness served over loopback HTTP.
 */
import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { HeadStore } from '../../src/audit/index.ts';
import { formatCheckpoint } from '../../src/checkpoint/index.ts';
import type { EvidenceDocument } from '../../src/evidence/index.ts';
import { createApp } from '../../src/http/index.ts';
import { type CosignerV1, cosignatureV1Signer, ed25519NoteSigner, type NoteSigner, signNote } from '../../src/note/index.ts';
import { MemoryHeadStore } from '../../src/storage/memory/head-store.ts';
import {
  type EvidenceRaiser,
  formatAddCheckpointRequest,
  LogList,
  type WitnessLogSpec,
  WitnessService,
  type WitnessServiceOptions,
  witnessLog,
  witnessRoutes,
} from '../../src/witness/index.ts';
import { refLeafHash, refProof, refRoot } from '../merkle/reference.ts';
import { testSigner } from '../note/testing.ts';

/** A log: an Ed25519 key named after its origin, and leaves. `fork(at)` keeps the key and the first `at` leaves. */
export class TestLog {
  readonly origin: string;
  readonly signer: NoteSigner & { readonly vkey: string };
  readonly leaves: Buffer[];

  constructor(origin: string, size = 0, signer?: NoteSigner & { readonly vkey: string }, leaves: Buffer[] = []) {
    this.origin = origin;
    this.signer = signer ?? ed25519NoteSigner(origin, testSigner('ed25519'));
    this.leaves = [...leaves];
    this.append(size);
  }

  get vkey(): string {
    return this.signer.vkey;
  }

  /** Appends `n` leaves; a fork's leaves differ from the original's (the salt is the log's object identity). */
  append(n: number, salt = ''): this {
    for (let i = 0; i < n; i++) this.leaves.push(refLeafHash(Buffer.from(`${this.origin} leaf ${this.leaves.length}${salt}`)));
    return this;
  }

  root(size = this.leaves.length): Buffer {
    return refRoot(this.leaves.slice(0, size));
  }

  /** The signed checkpoint of the first `size` leaves (a root can be forced, to sign a lie). */
  checkpoint(size = this.leaves.length, rootHash = this.root(size)): string {
    return signNote(formatCheckpoint({ origin: this.origin, size, rootHash, extensions: [] }), this.signer);
  }

  /** RFC 6962 §2.1.2 consistency proof from `from` to `to`. */
  proof(from: number, to = this.leaves.length): Buffer[] {
    return refProof(from, this.leaves.slice(0, to));
  }

  /** A log with the same key and the first `at` leaves, then `extra` leaves of its own. */
  fork(at: number, extra: number): TestLog {
    return new TestLog(this.origin, 0, this.signer, this.leaves.slice(0, at)).append(extra, ' (fork)');
  }

  spec(extra: Partial<WitnessLogSpec> = {}): WitnessLogSpec {
    return { origin: this.origin, vkeys: [this.vkey], ...extra };
  }
}

/** A cosigner with a fresh Ed25519 key. */
export function testCosigner(name = 'witness.test/w1'): CosignerV1 {
  return cosignatureV1Signer(name, testSigner('ed25519'));
}

export interface WitnessServerOptions extends Partial<Omit<WitnessServiceOptions, 'logs'>> {
  readonly logs: readonly WitnessLogSpec[];
  readonly prefix?: string;
}

export interface WitnessServer {
  readonly url: string;
  readonly service: WitnessService;
  readonly store: HeadStore;
  readonly cosigners: readonly CosignerV1[];
  readonly app: FastifyInstance;
  /** POST add-checkpoint; the answer's status, content type and text. */
  add(oldSize: number, proof: readonly Uint8Array[], checkpoint: string | Uint8Array): Promise<Answer>;
  /** GET <origin hash>/checkpoint. */
  get(origin: string): Promise<Answer>;
  close(): Promise<void>;
}

export interface Answer {
  readonly status: number;
  readonly type: string | null;
  readonly text: string;
}

export async function answer(res: Response): Promise<Answer> {
  return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
}

/** A witness on 127.0.0.1 (an ephemeral port), memory state unless a store is given. */
export async function startWitness(opts: WitnessServerOptions): Promise<WitnessServer> {
  const cosigners = opts.cosigners ?? [testCosigner()];
  const store = opts.store ?? new MemoryHeadStore();
  const service = new WitnessService({ ...opts, logs: new LogList(opts.logs.map(witnessLog)), cosigners, store });
  const app = createApp();
  const prefix = opts.prefix ?? '';
  await app.register(witnessRoutes, { prefix, witness: service });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const addr = app.server.address();
  if (addr === null || typeof addr === 'string') throw new Error('no port');
  const url = `http://127.0.0.1:${addr.port}${prefix}`;
  return {
    url,
    service,
    store,
    cosigners,
    app,
    add: async (oldSize, proof, checkpoint) =>
      answer(
        await fetch(`${url}/add-checkpoint`, {
          method: 'POST',
          body: new Uint8Array(formatAddCheckpointRequest({ oldSize, proof, checkpoint })),
        }),
      ),
    get: async (origin) => answer(await fetch(`${url}/${createHash('sha256').update(origin).digest('hex')}/checkpoint`)),
    close: () => app.close(),
  };
}

/** An evidence raiser that keeps the documents in memory. */
export class MemoryIncidents implements EvidenceRaiser {
  readonly raised: EvidenceDocument[] = [];
  async raise(doc: EvidenceDocument): Promise<void> {
    this.raised.push(doc);
  }
}
