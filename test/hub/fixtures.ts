/**
 * Shared fixtures for hub tests: the shared vectors turned into
 * submissions, real keys, and a hub environment on real SQLite storage
 * (fastify inject() for wiring, loopback HTTP when asked).
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';
import { decodeDigitallySigned, encodeTreeHeadSignature } from '../../src/codec/index.ts';
import type { Signer } from '../../src/crypto/index.ts';
import { makeSource, type TrackedSource } from '../../src/hub/index.ts';
import type { LogStorage } from '../../src/log/index.ts';
import {
  type HubPart,
  type HubQuotaSpec,
  type HubService,
  hubQuotas,
  type OpenedHub,
  openHubs,
  type ServedHeadStore,
} from '../../src/personalities/hub/index.ts';
import { type Server, startServer } from '../../src/server/index.ts';
import { openStorage } from '../../src/storage/index.ts';
import { newSigner } from '../support/keys.ts';
import { tempDir } from '../support/temp-dir.ts';
import { loadTestdata } from '../testdata.ts';

export const ctSths = loadTestdata('ct-sths.json');
export const signedNotes = loadTestdata('signed-notes.json');

export interface StsVector {
  id: string;
  log: { url?: string; key: string; description: string };
  sth: { tree_size: number; timestamp: number; sha256_root_hash: string; tree_head_signature: string; log_id?: string };
  expect: 'valid' | 'invalid';
}

/** Every STH vector with a key, real and test, valid and negative. */
export const allSthVectors: StsVector[] = [...ctSths.real_log_sths, ...ctSths.test_key_sths, ...ctSths.negative_sths];

/** The hub source id of an STH vector's log: its URL (as gosmin sends) or a test id. */
export function sourceIdOf(v: StsVector): string {
  return v.log.url ?? `test:${createHash('sha256').update(v.log.key).digest('hex').slice(0, 16)}`;
}

/**
 * What gosmin's `AddCTSTH` submits for an STH (§3.3): the 50-byte
 * TreeHeadSignature and the signature bytes inside the DigitallySigned. For a
 * DigitallySigned that does not parse (negative vectors), everything after the
 * 4-byte header is sent, as a careless submitter would.
 */
export function sthSubmission(v: StsVector): { sourceId: string; blob: Buffer; signature: Buffer } {
  const blob = encodeTreeHeadSignature({
    timestamp: v.sth.timestamp,
    treeSize: v.sth.tree_size,
    sha256RootHash: Buffer.from(v.sth.sha256_root_hash, 'base64'),
  });
  const ds = Buffer.from(v.sth.tree_head_signature, 'base64');
  let signature: Buffer;
  try {
    signature = decodeDigitallySigned(ds).signature;
  } catch {
    signature = ds.subarray(4);
  }
  return { sourceId: sourceIdOf(v), blob, signature };
}

/** One RFC6962STH source per distinct log key among the STH vectors. */
export function sthSources(): TrackedSource[] {
  const byId = new Map<string, TrackedSource>();
  for (const v of allSthVectors) {
    const id = sourceIdOf(v);
    if (!byId.has(id)) byId.set(id, makeSource({ id, name: v.log.description, kind: 'RFC6962STH', publicKey: v.log.key }));
  }
  return [...byId.values()];
}

/** A fresh SQLite file in a temp dir (real durability settings). */
export function tempDbUrl(): string {
  return `sqlite:${join(tempDir('gv-hub-'), 'hub.db')}`;
}

export interface HubEnvOptions {
  readonly sources?: readonly TrackedSource[];
  readonly signer?: Signer;
  readonly dbUrl?: string;
  readonly storage?: LogStorage;
  readonly clock?: () => number;
  readonly quota?: HubQuotaSpec;
  readonly mmdMs?: number;
  readonly maxGetEntries?: number;
  readonly bodyLimit?: number;
  readonly sequencers?: boolean;
  readonly sequencerIntervalMs?: number;
  /** The hubs' refresh and the merge watchdogs' probe period (timing.watchIntervalMs). */
  readonly refreshIntervalMs?: number;
  readonly servedHeads?: ServedHeadStore;
  readonly sgtCacheSize?: number;
  readonly init?: boolean;
  readonly listen?: boolean;
  readonly prefixes?: readonly string[];
}

export interface HubEnv {
  readonly app: FastifyInstance;
  readonly server: Server;
  readonly part: HubPart;
  readonly hubs: readonly OpenedHub[];
  readonly hub: HubService;
  readonly storage: LogStorage;
  readonly signer: Signer;
  readonly registry: Registry;
  /** Base URL of the first hub when listening (http://127.0.0.1:PORT/<prefix>). */
  readonly url: string;
  readonly origin: string;
  close(): Promise<void>;
}

/** A hub (or several prefixes sharing one key) on real storage, started by the server builder. */
export async function hubEnv(o: HubEnvOptions = {}): Promise<HubEnv> {
  const storage = o.storage ?? (await openStorage(o.dbUrl ?? tempDbUrl()));
  const signer = o.signer ?? newSigner();
  const registry = new Registry();
  const prefixes = o.prefixes ?? ['gamut'];
  const part = await openHubs(
    prefixes.map((prefix) => ({
      prefix,
      signer,
      sources: o.sources ?? sthSources(),
      mmdMs: o.mmdMs,
      servedHeads: o.servedHeads,
    })),
    {
      storage,
      registry,
      createMissing: o.init ?? true,
      quotas: hubQuotas(o.quota ?? {}, o.clock),
      sequencer: o.sequencers ?? true,
      timing: { intervalMs: o.sequencerIntervalMs ?? 20, watchIntervalMs: o.refreshIntervalMs },
      clock: o.clock,
      maxGetEntries: o.maxGetEntries,
      sgtCacheSize: o.sgtCacheSize,
      bodyLimit: o.bodyLimit,
    },
  );
  const server = await startServer({
    host: '127.0.0.1',
    port: 0,
    parts: [part],
    registry,
    storage,
    ownStorage: !o.storage,
    listen: o.listen === true,
  });
  return {
    app: server.app,
    server,
    part,
    hubs: part.hubs,
    hub: part.hubs[0].hub,
    storage,
    signer,
    registry,
    origin: server.url,
    url: `${server.url}/${prefixes[0]}`,
    close: () => server.close(),
  };
}

/** JSON body of an add-signed-blob request. */
export function blobBody(sourceId: string, blob: Uint8Array, signature: Uint8Array): string {
  return JSON.stringify({
    source_id: sourceId,
    blob_data: Buffer.from(blob).toString('base64'),
    src_signature: Buffer.from(signature).toString('base64'),
  });
}

/**
 * Waits until every queued entry is sequenced and served (the sequencers run every 20 ms in tests). The limit only
 * catches a stuck sequencer; a busy machine can take far longer than the usual few tens of ms.
 */
export async function settle(env: HubEnv, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (const h of env.hubs) {
    for (;;) {
      const pending = await env.storage.pendingCount(h.log.tree.id);
      const core = await env.storage.latestHead(h.log.tree.id);
      const served = (await h.hub.processGetSth({ quotaUser: null })) && h.hub.servedHead();
      if (pending === 0 && core && served && served.size === core.size) break;
      if (Date.now() > deadline) throw new Error(`settle: still ${pending} pending after ${timeoutMs} ms`);
      await sleep(10);
    }
  }
}

/** The RFC 6962 leaf hash computed independently of src/: SHA-256(0x00 || value). */
export function leafHashOf(value: Uint8Array): Buffer {
  return createHash('sha256')
    .update(Buffer.from([0]))
    .update(value)
    .digest();
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** An RFC 6962 STH of our own test log: the 50-byte TreeHeadSignature and its raw signature. */
export function ownSth(signer: Signer, treeSize: number, timestamp = 1_700_000_000_000 + treeSize): { blob: Buffer; signature: Buffer } {
  const blob = encodeTreeHeadSignature({ timestamp, treeSize, sha256RootHash: createHash('sha256').update(`root ${treeSize}`).digest() });
  return { blob, signature: signer.sign(blob) };
}

/** The order n of the P-256 group (SEC 2 §2.4.2). */
const P256_N = BigInt('0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551');

function derInt(v: bigint): Buffer {
  let hex = v.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  let b = Buffer.from(hex, 'hex');
  if (b[0] & 0x80) b = Buffer.concat([Buffer.of(0), b]);
  return Buffer.concat([Buffer.of(0x02, b.length), b]);
}

/**
 * The same ECDSA P-256 signature re-encoded as (r, n − s): another valid
 * signature over the same message, with other bytes (what a replayer can
 * make of any public signature without the key). Short-form DER only (P-256).
 */
export function reencodeEcdsa(sig: Buffer): Buffer {
  assertDer(sig[0] === 0x30 && sig[1] === sig.length - 2);
  const rLen = sig[3];
  const r = BigInt(`0x${sig.subarray(4, 4 + rLen).toString('hex')}`);
  const sAt = 4 + rLen;
  const s = BigInt(`0x${sig.subarray(sAt + 2, sAt + 2 + sig[sAt + 1]).toString('hex')}`);
  const body = Buffer.concat([derInt(r), derInt(P256_N - s)]);
  return Buffer.concat([Buffer.of(0x30, body.length), body]);
}

function assertDer(ok: boolean): void {
  if (!ok) throw new Error('reencodeEcdsa: not a short-form DER ECDSA signature');
}
