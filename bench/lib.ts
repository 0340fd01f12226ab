/**
 * Shared benchmark helpers: the machine's ceilings measured in the same run
 * (node:crypto hash/sign/verify rates), medians, and printing.
 */
import { createHash, generateKeyPairSync, hash as oneShot, sign, verify } from 'node:crypto';
import type { FastifyInstance } from 'fastify';

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Runs fn repeatedly for about `ms` and returns operations per second. */
export function rate(fn: () => void, ms = 300): number {
  let n = 0;
  const start = performance.now();
  let now = start;
  while (now - start < ms) {
    for (let i = 0; i < 100; i++) fn();
    n += 100;
    now = performance.now();
  }
  return (n * 1000) / (now - start);
}

/** SHA-256 of 64-byte inputs per second: the faster of one-shot hash() and createHash(); median of 5. */
export function sha256Ceiling(): number {
  const input = Buffer.alloc(64, 7);
  const one = median(Array.from({ length: 5 }, () => rate(() => oneShot('sha256', input, 'buffer'))));
  const obj = median(Array.from({ length: 5 }, () => rate(() => createHash('sha256').update(input).digest())));
  return Math.max(one, obj);
}

/** ECDSA P-256 sign/s and verify/s, and Ed25519, on 100-byte messages; medians of 5. */
export function signatureCeiling() {
  const msg = Buffer.alloc(100, 1);
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const ed = generateKeyPairSync('ed25519');
  const ecSig = sign('sha256', msg, ec.privateKey);
  const edSig = sign(null, msg, ed.privateKey);
  const m = (f: () => void) => median(Array.from({ length: 5 }, () => rate(f, 200)));
  const ecdsaSign = m(() => sign('sha256', msg, ec.privateKey));
  const ecdsaVerify = m(() => verify('sha256', msg, ec.publicKey, ecSig));
  const ed25519Sign = m(() => sign(null, msg, ed.privateKey));
  const ed25519Verify = m(() => verify(null, msg, ed.publicKey, edSig));
  // One verify plus one sign, back to back: the work of admitting one signed blob.
  const verifyPlusSign = 1 / (1 / ecdsaVerify + 1 / ecdsaSign);
  return { ecdsaSign, ecdsaVerify, ed25519Sign, ed25519Verify, verifyPlusSign };
}

export const fmt = (n: number) => (n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(2));
export const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

export function rssMB(): number {
  return process.memoryUsage().rss / 2 ** 20;
}

export function line(label: string, value: string): void {
  console.log(`${label.padEnd(52)} ${value}`);
}

export interface InjectRequest {
  readonly method: 'GET' | 'POST';
  readonly url: string;
  readonly payload?: string;
}

/**
 * Runs the requests through fastify inject() with `inFlight` of them at a
 * time; returns requests/s. Any answer but 200 fails the run.
 */
export async function injectRate(app: FastifyInstance, reqs: readonly InjectRequest[], inFlight: number): Promise<number> {
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < reqs.length) {
        const r = await app.inject(reqs[next++]);
        if (r.statusCode !== 200) throw new Error(`HTTP ${r.statusCode}: ${r.body}`);
      }
    }),
  );
  return (reqs.length * 1000) / (performance.now() - t0);
}
