/** Shared fixtures for log-core tests: real keys, real storage. */
import { generateKeyPairSync } from 'node:crypto';
import { parsePrivateKey, type Signer, signerFromPrivateKey } from '../../src/crypto/index.ts';
import { Log, type LogStorage, Sequencer } from '../../src/log/index.ts';
import { newSigner } from '../support/keys.ts';

/** A fresh key: its PKCS#8 PEM and a Signer over it. */
export function newKey(type: 'ed25519' | 'ec' = 'ec'): { pem: string; signer: Signer } {
  const { privateKey } = type === 'ec' ? generateKeyPairSync('ec', { namedCurve: 'P-256' }) : generateKeyPairSync('ed25519');
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  return { pem, signer: signerFromPrivateKey(parsePrivateKey(pem)) };
}

export async function newLog(storage: LogStorage, name = 'test', signer = newSigner()) {
  await Log.create(storage, name, 'log', signer, 1_000);
  const log = await Log.open(storage, name, signer);
  const seq = new Sequencer({ storage, tree: log.tree, signer, batchSize: 100, maxRootAgeMs: 0 });
  return { log, seq, signer };
}

/** Runs the sequencer until the queue is empty. */
export async function drain(seq: Sequencer): Promise<number> {
  let total = 0;
  for (;;) {
    const n = await seq.runOnce();
    total += n;
    if (n === 0) return total;
  }
}

export const leafValue = (i: number) => Buffer.from(`leaf number ${i}`);
